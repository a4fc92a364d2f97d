"""A user's error is one line on stderr and exit code 2, in every command.

Every command (``python -m sim.X``) starts through ``run_command``: it checks the command
line before Hydra sees it (overrides Hydra cannot parse, with a hint for amounts written
in words such as ``100 triệu``; unknown scenario or policy names, with the nearest name;
an output folder that cannot be written), and turns what goes wrong later into one line:
a ``ConfigError``, an ``OSError`` writing a file, Ctrl-C (with how to continue). Only a
bug in the model gives a traceback (with ``verbose=true``) and exit code 1.
"""

from __future__ import annotations

import contextlib
import difflib
import errno
import logging
import os
import re
import signal
import sys
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path

from sim.runs.compose_once import compose_once
from sim.spec.config import ConfigError
from sim.spec.paths import USER_CONFIGS

USER_ERROR = 2
# errors of the machine or the user's folders, not of the model: one line
_OS_ERRNOS = {
    errno.EACCES,
    errno.EPERM,
    errno.EROFS,
    errno.ENOSPC,
    errno.EDQUOT,
    errno.ENOTDIR,
    errno.EEXIST,
    errno.EISDIR,
    errno.ENOENT,
}
_AMOUNT_WORDS = {  # Vietnamese and English words for amounts of money (VND)
    "nghìn": 1e3,
    "nghin": 1e3,
    "ngàn": 1e3,
    "ngan": 1e3,
    "k": 1e3,
    "thousand": 1e3,
    "triệu": 1e6,
    "trieu": 1e6,
    "tr": 1e6,
    "m": 1e6,
    "million": 1e6,
    "tỷ": 1e9,
    "tỉ": 1e9,
    "ty": 1e9,
    "ti": 1e9,
    "billion": 1e9,
}
_AMOUNT = re.compile(r"^\s*(\d+(?:[.,]\d+)?)\s*([^\d\s]+)\s*$")


def interrupted_line(sweep_dir: str | None, named: bool) -> str:
    """What Ctrl-C prints: what is kept and how to continue."""
    if sweep_dir is None:
        return "interrupted by Ctrl-C; nothing was finished: rerun the same command"
    how = "+resume=true" if named else f"hydra.sweep.dir={sweep_dir} +resume=true"
    return (
        f"interrupted by Ctrl-C; finished jobs are kept in {sweep_dir}: the same command "
        f"with {how} continues it"
    )


def os_error_line(error: OSError) -> str | None:
    """One line for an OSError of the user's folders or disk; None for other ones."""
    if error.errno not in _OS_ERRNOS or not error.filename:
        return None
    reason = error.strerror or type(error).__name__
    return (
        f"{error.filename}: cannot be written or read ({reason}); choose a folder you can "
        "write, e.g. hydra.run.dir=results/mine, or free disk space"
    )


def user_message(error: BaseException) -> str | None:
    """The one line a user's error prints (without ``error: ``), None for a bug."""
    if isinstance(error, ConfigError):
        return str(error)
    if isinstance(error, ConnectionError) and error.errno is None:
        return str(error)  # ours: a cluster address that no scheduler answers (runs/executor.py)
    if isinstance(error, OSError):
        return os_error_line(error)
    return None


@contextlib.contextmanager
def one_line_errors(verbose: bool = False) -> Iterator[None]:
    """Inside a command's Hydra main: a user's error -> one line and exit 2; a bug ->
    its last line, a note about ``verbose=true`` (or the traceback) and exit 1."""
    try:
        yield
    except (SystemExit, KeyboardInterrupt):
        raise
    except Exception as error:  # noqa: BLE001 - every failure ends in one clear line
        message = user_message(error)
        if verbose:
            traceback.print_exc()
        if message is not None:
            print(f"error: {message}", file=sys.stderr)
            raise SystemExit(USER_ERROR) from None
        print(f"error: {traceback.format_exc().splitlines()[-1]}", file=sys.stderr)
        if not verbose:
            print("(an internal error: rerun with verbose=true for the traceback)", file=sys.stderr)
        raise SystemExit(1) from None


def amount_hint(value: str) -> str | None:
    """``100 triệu`` -> ``100000000``: an amount written with a word, as digits."""
    match = _AMOUNT.match(value)
    if not match or match.group(2).lower() not in _AMOUNT_WORDS:
        return None
    number = float(match.group(1).replace(",", ".")) * _AMOUNT_WORDS[match.group(2).lower()]
    return f"{number:.0f}"


def parse_problem(args: list[str]) -> str | None:
    """One line for the first override Hydra cannot parse, with how to write it."""
    from hydra.core.override_parser.overrides_parser import OverridesParser

    parser = OverridesParser.create()
    for text in (a for a in args if "=" in a and not a.startswith("-")):
        try:
            parser.parse_overrides([text])
        except Exception:  # noqa: BLE001 - Hydra's grammar error, explained below
            key, _, value = text.partition("=")
            digits = amount_hint(value)
            if digits is not None:
                return (
                    f"{text}: {key.lstrip('+')} takes a number in VND written in digits: "
                    f"{key}={digits}"
                )
            return (
                f"{text}: not a KEY=VALUE setting that can be read; write the value without "
                f"spaces or quote it: '{key}=\"{value}\"'"
            )
    return None


def folder_problem(args: list[str]) -> str | None:
    """One line when the output folder (``hydra.run.dir``/``hydra.sweep.dir``, else
    ``results/`` here) cannot be made or written."""
    given = [
        a.split("=", 1)[1] for a in args if a.startswith(("hydra.run.dir=", "hydra.sweep.dir="))
    ]
    for text in given or ["results"]:
        if "${" in text:
            continue
        folder = Path(text).expanduser()
        existing = folder
        while not existing.exists() and existing != existing.parent:
            existing = existing.parent
        if not existing.is_dir():
            return (
                f"{text}: the output folder cannot be made: {existing} is a file, not a "
                "folder; choose another one, e.g. hydra.run.dir=results/mine"
            )
        if not os.access(existing, os.W_OK | os.X_OK):
            return (
                f"{text}: the output folder cannot be written ({existing} is not writable "
                "for you); choose another one, e.g. hydra.run.dir=results/mine"
            )
    return None


def group_problem(args: list[str], config_dir: Path) -> str | None:
    """One line for a ``scenario=``/``policy=`` name that does not exist: the names a
    user may pick (not the internal ``_``-ones) and the nearest one."""
    from hydra.core.override_parser.overrides_parser import OverridesParser

    overrides = [a for a in args if "=" in a and not a.startswith("-")]
    try:
        parsed = OverridesParser.create().parse_overrides(overrides)
    except Exception:  # noqa: BLE001 - parse_problem explains these
        return None
    roots = [Path.cwd() / USER_CONFIGS, config_dir]  # a user's own configs/ first
    for override in parsed:
        if override.key_or_group == "hydra.searchpath":
            paths = [str(p) for p in _names(override.value())]
            if not all(p.startswith("file://") for p in paths):
                return None  # configs from a package: Hydra lists them itself
            roots += [Path(p.removeprefix("file://")) for p in paths]
    for override in parsed:
        group = override.key_or_group
        if group not in ("scenario", "policy") or not (config_dir / group).is_dir():
            continue
        public = sorted(
            {
                p.stem
                for root in roots
                if (root / group).is_dir()
                for p in (root / group).glob("*.yaml")
            }
        )
        public = [name for name in public if not name.startswith("_")]
        for name in _names(override.value()):
            if name not in public:
                near = difflib.get_close_matches(name, public, n=1)
                hint = f"did you mean {group}={near[0]}? " if near else ""
                return f"{group}={name}: no such {group}; {hint}known: {', '.join(public)}"
    return None


def _names(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [name for item in value for name in _names(item)]
    items = getattr(value, "list", None)  # a ChoiceSweep
    return _names(items) if isinstance(items, list) else []


def command_line_problem(args: list[str], config_dir: Path) -> str | None:
    """The first problem of a command line that can be found before anything runs."""
    return parse_problem(args) or folder_problem(args) or group_problem(args, config_dir)


class _Interrupts:
    """Whether Ctrl-C arrived, also when Python swallowed it: a KeyboardInterrupt raised
    inside a finaliser or weakref callback is only printed ("Exception ignored in ...")."""

    seen = False
    installed = False


INTERRUPTS = _Interrupts()


def quiet_interrupts() -> None:
    """Record Ctrl-C, and print nothing for a KeyboardInterrupt Python cannot raise."""
    if INTERRUPTS.installed:
        return
    INTERRUPTS.installed = True
    previous = sys.unraisablehook

    def hook(unraisable) -> None:
        if isinstance(unraisable.exc_value, KeyboardInterrupt):
            INTERRUPTS.seen = True
            return
        previous(unraisable)

    def on_sigint(signum: int, frame: object) -> None:
        INTERRUPTS.seen = True
        raise KeyboardInterrupt

    sys.unraisablehook = hook
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        signal.signal(signal.SIGINT, on_sigint)


def ignore_interrupts() -> None:
    """A launcher worker's first step: Ctrl-C reaches the whole process group, and only
    the command's process acts on it (``stop_workers``). A worker interrupted while it
    reads its next job can crash and print a fault dump over the one line."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def launcher_workers_ignore_interrupts() -> None:
    """Hydra's joblib launcher asks joblib for its ``loky`` backend by name: the backend
    registered here is loky with ``ignore_interrupts`` as each worker's initializer."""
    import joblib
    from joblib._parallel_backends import LokyBackend

    class LokyIgnoringInterrupts(LokyBackend):
        def configure(self, *args, **kwargs):
            kwargs.setdefault("initializer", ignore_interrupts)
            return super().configure(*args, **kwargs)

    joblib.register_parallel_backend("loky", LokyIgnoringInterrupts)


def stop_workers() -> None:
    """After Ctrl-C: stop the batch executor's pool (sim/runs/executor.py) and the joblib
    launcher's worker processes, so that they leave no semaphores."""
    ours = sys.modules.get("sim.runs.executor")
    if ours is not None:
        with contextlib.suppress(Exception):
            ours.close_all()
    module = sys.modules.get("joblib.externals.loky.reusable_executor")
    executor = getattr(module, "_executor", None)
    if executor is not None:
        with contextlib.suppress(Exception):
            executor.shutdown(wait=True, kill_workers=True)


def run_command(
    main: Callable[[], object],
    args: list[str],
    config_dir: Path,
    *,
    sweep_dir: Callable[[], str | None] = lambda: None,
    started: Callable[[], bool] = lambda: True,
) -> int:
    """Run a command's Hydra ``main`` with the checks above; its exit code.

    Hydra exits 1 when it cannot compose the config (``started()`` is then false): a
    user's error, so 2. Ctrl-C prints one line (``sweep_dir()``: where finished jobs are
    kept) and exits 2.
    """
    # the resource tracker (started later, with these options) cleans up the semaphores of
    # workers stopped by Ctrl-C; its warning about them says nothing a user can act on
    sys.warnoptions.append("ignore:resource_tracker:UserWarning")
    problem = command_line_problem(args, config_dir)
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return USER_ERROR
    quiet_interrupts()
    if "-m" in args or "--multirun" in args:
        launcher_workers_ignore_interrupts()
    INTERRUPTS.seen = False
    try:
        with compose_once(args):
            main()
    except SystemExit as done:
        code = done.code if isinstance(done.code, int) else 1
        if not INTERRUPTS.seen:
            return USER_ERROR if code == 1 and not started() else code
    except KeyboardInterrupt:
        pass
    if not INTERRUPTS.seen:
        return 0
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C while cleaning up
    stop_workers()
    named = any(a.startswith(("+experiment=", "hydra.sweep.dir=")) for a in args)
    print(f"error: {interrupted_line(sweep_dir(), named)}", file=sys.stderr)
    return USER_ERROR


def say(text: str) -> None:
    """Print a command's result line and keep it in the command's log (``NAME.log``)."""
    print(text)
    logging.getLogger("sim").info(text)
