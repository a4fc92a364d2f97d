"""Batch runs from Python, the public interface: ``from sim.api import RunSpec, run_many``.

The library lives in sim/runs/api.py (the runs layer); this module only names it, so
that users' scripts keep one short import while the package's own modules import the
layer directly.
"""

from sim.runs.api import RunError, RunSpec, run_key, run_many

__all__ = ["RunError", "RunSpec", "run_key", "run_many"]
