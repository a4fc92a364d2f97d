"""Compiled code is cached per machine; this drops the cache when the kernel's source moves.

Numba's cache (``cache=True``) checks only the source file of the function it loads: a
cached ``kernel.run_until`` would keep running an old ``service.arrive`` after
``service.py`` changed. Before any compiled function is loaded, ``drop_stale_cache``
fingerprints every module of ``sim/core`` and, when the fingerprint differs from the
one the cache was made with, deletes the cached functions so they compile afresh.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

CORE = Path(__file__).resolve().parent
STAMP = "sim-core-sources.sha256"


def cache_dir() -> Path:
    """Where Numba caches the functions of ``sim/core`` (``NUMBA_CACHE_DIR`` if set)."""
    root = os.environ.get("NUMBA_CACHE_DIR")
    if not root:
        return CORE / "__pycache__"
    return Path(root) / CORE.relative_to(CORE.anchor)


def fingerprint() -> str:
    digest = hashlib.sha256()
    for path in sorted(CORE.glob("*.py")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def drop_stale_cache() -> None:
    """Delete the cached compiled functions if ``sim/core`` changed since they were made."""
    folder = cache_dir()
    stamp = folder / STAMP
    current = fingerprint()
    try:
        if stamp.read_text() == current:
            return
    except OSError:
        pass
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for cached in (*folder.glob("*.nbi"), *folder.glob("*.nbc")):
            cached.unlink(missing_ok=True)
        stamp.write_text(current)
    except OSError:  # a read-only install: Numba then caches elsewhere or not at all
        pass
