"""Agent-based simulator of commune capacity in Vietnam's two-level local government.

Importing the package registers the ``${sim_root:}`` config resolver, so that sweep
folders such as ``${sim_root:}/results/NAME`` are absolute paths in the driver and in
every launcher's worker processes alike (each of them imports ``sim``). The root is the
checkout's folder when the package runs from a checkout (an editable install), else the
folder the command was started in (an installed wheel).
"""

from pathlib import Path

from omegaconf import OmegaConf

_PARENT = Path(__file__).resolve().parent.parent
CHECKOUT: Path | None = _PARENT if (_PARENT / "pyproject.toml").is_file() else None
ROOT = CHECKOUT or Path.cwd()

if not OmegaConf.has_resolver("sim_root"):
    OmegaConf.register_new_resolver("sim_root", lambda: str(ROOT))
