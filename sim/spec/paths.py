"""Where the package's files are, installed or in a checkout: one place for every path.

Configs, templates and translations are package data (``importlib.resources``), so a
wheel works from any folder. Outputs (``results/``) go under the checkout's root when
the package runs from one, else under the folder a command is run from (``sim.ROOT``).
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from sim import CHECKOUT, ROOT

PACKAGE = Path(str(files("sim")))
CONFIG_DIR = PACKAGE / "configs"
EXPERIMENTS = CHECKOUT / "experiments" if CHECKOUT else ROOT / "experiments"
RESULTS = ROOT / "results"

USER_CONFIGS = "configs"  # a user's own, in the folder a command is run from (searched first)


def config_names(group: str) -> list[str]:
    """The configs of ``group`` a command can use: the user's own and the shipped ones."""
    folders = [Path.cwd() / USER_CONFIGS / group, CONFIG_DIR / group]
    return sorted({p.stem for folder in folders if folder.is_dir() for p in folder.glob("*.yaml")})


__all__ = ["CONFIG_DIR", "EXPERIMENTS", "PACKAGE", "RESULTS", "ROOT", "config_names"]
