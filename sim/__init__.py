"""Agent-based simulator of commune capacity in Vietnam's two-level local government.

Importing the package registers the ``${sim_root:}`` config resolver (the repository
root), so that sweep folders such as ``${sim_root:}/results/NAME`` are absolute paths in
the driver and in every launcher's worker processes alike (each of them imports ``sim``).
"""

from pathlib import Path

from omegaconf import OmegaConf

ROOT = Path(__file__).resolve().parent.parent

if not OmegaConf.has_resolver("sim_root"):
    OmegaConf.register_new_resolver("sim_root", lambda: str(ROOT))
