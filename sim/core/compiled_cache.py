"""Where the compiled code is cached: a folder per version of ``sim/core``'s sources.

Numba's cache (``cache=True``) checks only the source file of the function it loads: a
cached ``kernel.run_until`` would keep running an old ``service.arrive`` after
``service.py`` changed, and it ignores ``NUMBA_BOUNDSCHECK``. So the cache lives in a
folder named by a fingerprint of every module of ``sim/core`` and of that flag: a
changed source or flag finds an empty folder and compiles afresh; nothing is deleted.

The folder's root is ``NUMBA_CACHE_DIR`` when set; else ``sim/core/__pycache__`` in a
checkout (an editable install); else, for an installed package, the user's cache
folder (``$XDG_CACHE_HOME`` or ``~/.cache``): an install's folder may be read-only or
shared, and nothing is written into it.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numba

from sim import CHECKOUT

CORE = Path(__file__).resolve().parent
APP = "commune-capacity-sim"


def fingerprint() -> str:
    """The sources of ``sim/core`` and the bounds-check flag, hashed."""
    digest = hashlib.sha256(f"boundscheck={numba.config.BOUNDSCHECK}".encode())
    for path in sorted(CORE.glob("*.py")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def cache_root() -> Path:
    """The folder under which each version of the compiled code has its own."""
    chosen = os.environ.get("NUMBA_CACHE_DIR")
    if chosen:
        return Path(chosen)
    if CHECKOUT is not None:
        return CORE / "__pycache__"
    user = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return user / APP / "numba"


def cache_dir() -> Path:
    """This version's folder (numba keeps the source folder's path below it)."""
    return cache_root() / f"compiled-{fingerprint()}"


def use_cache_folder() -> None:
    """Point Numba's cache at ``cache_dir()``; before any compiled function is defined."""
    numba.config.CACHE_DIR = str(cache_dir())
