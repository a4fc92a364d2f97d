"""What a summary.json says about itself: the version of its keys' meanings and the code.

CI pipelines compare outputs across versions of this project; ``schema_version`` tells
them whether a key may have changed meaning (CHANGELOG.md lists every change), and
``code_version`` which code wrote the file.
"""

from __future__ import annotations

import functools
import subprocess
from importlib import metadata

from sim import CHECKOUT

SCHEMA_VERSION = 2
"""Raised by one whenever a key of summary.json, daily.csv, capacity.csv or comparison.csv
changes meaning or goes away (CHANGELOG.md); new keys alone leave it."""

PACKAGE = "commune-capacity-sim"
REPO_ROOT = CHECKOUT


@functools.cache
def code_version() -> str:
    """The package version, plus the git commit when run from a checkout.

    For example ``0.1.0+g4cf420e1a2b3`` (``.dirty`` when files differ from that commit),
    or ``0.1.0`` from an installed copy without git.
    """
    try:
        version = metadata.version(PACKAGE)
    except metadata.PackageNotFoundError:
        version = "unknown"
    if REPO_ROOT is None or not (REPO_ROOT / ".git").exists():
        return version
    try:
        described = subprocess.run(
            ["git", "-C", str(REPO_ROOT), "describe", "--always", "--dirty=.dirty", "--abbrev=12"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return version
    return f"{version}+g{described}" if described else version


def stamp() -> dict[str, object]:
    """The keys every summary.json starts with."""
    return {"schema_version": SCHEMA_VERSION, "code_version": code_version()}
