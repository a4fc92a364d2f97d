"""``python -m sim.analysis DIR``: compare the jobs of a sweep (``sim.studies.analysis``)."""

import sys

from sim.studies.analysis import AnalyseSweep, analyse, main

__all__ = ["AnalyseSweep", "analyse", "main"]

if __name__ == "__main__":
    sys.exit(main())
