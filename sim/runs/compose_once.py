"""A command composes its config once, not twice.

Hydra (1.3) composes the whole config a first time only to read ``hydra.mode``, then
again for the job (about 0.17 CPU s each for ``python -m sim.run``). No config of this
project sets ``hydra.mode``, so the command line alone decides between one run and a
sweep (``-m``), as Hydra does when that first composition finds no mode. Hydra's own
way is kept when the command line names ``hydra.mode`` or an experiment (whose file
could set it).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator


def mode_set_by(args: list[str]) -> bool:
    """Whether the command line could set ``hydra.mode`` (itself, or through a file: an
    experiment, another config name or folder)."""
    return any(
        "hydra.mode" in a
        or "experiment=" in a
        or (a.startswith("-") and a not in ("-m", "--multirun"))
        for a in args
    )


@contextlib.contextmanager
def compose_once(args: list[str]) -> Iterator[None]:
    """Inside: Hydra's first composition (for ``hydra.mode``) is skipped when no
    argument could set the mode."""
    import sys

    from hydra._internal.hydra import Hydra

    original = getattr(Hydra, "get_mode", None)
    if original is None or mode_set_by([*args, *sys.argv[1:]]):
        yield
        return
    Hydra.get_mode = lambda self, config_name, overrides: None  # type: ignore[method-assign]
    try:
        yield
    finally:
        Hydra.get_mode = original  # type: ignore[method-assign]
