"""Reading and checking configuration: every error names the key, the value and the rule.

Configs arrive as plain nested dicts (from Hydra/OmegaConf). ``Reader`` walks them with
a dotted path so that a bad value is reported as, for example,
``scenario.communes[2].clerks[0].count = -1: must be an integer >= 0``.

Inside ``track_reads()`` every Reader also remembers which keys it read, so that a key
nobody read (a typo such as ``servers_count``) can be reported as unknown instead of
being silently ignored.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import math
from collections.abc import Iterable, Iterator
from typing import Any


class ConfigError(ValueError):
    """A configuration value that the model cannot use.

    Args:
        message: one line naming the key, the bad value and what is allowed.
        key: the dotted config key at fault, when there is one.
    """

    def __init__(self, message: str, key: str | None = None) -> None:
        super().__init__(message)
        self.key = key


_MISSING = object()


class ReadLog:
    """Which keys of which mappings were read, by dotted path."""

    def __init__(self) -> None:
        self.mappings: dict[str, dict] = {}
        self.read: dict[str, set[str]] = {}

    def register(self, reader: Reader) -> None:
        self.mappings.setdefault(reader.path, reader.data)
        self.read.setdefault(reader.path, set())

    def mark(self, reader: Reader, name: str) -> None:
        self.read.setdefault(reader.path, set()).add(name)

    def unknown(self, prefix: str, allowed: Iterable[str] = ()) -> list[str]:
        """Dotted keys under ``prefix`` that no Reader read, sorted.

        ``allowed`` names keys of the ``prefix`` mapping itself that are used some other
        way (e.g. a scenario knob that other values interpolate).
        """
        allowed = set(allowed)
        found = []
        for path, data in self.mappings.items():
            if path != prefix and not path.startswith((prefix + ".", prefix + "[")):
                continue
            for name in data:
                if name in self.read[path] or (path == prefix and name in allowed):
                    continue
                found.append(f"{path}.{name}" if path else str(name))
        return sorted(found)


_LOG: contextvars.ContextVar[ReadLog | None] = contextvars.ContextVar("read_log", default=None)


@contextlib.contextmanager
def track_reads() -> Iterator[ReadLog]:
    """Record the keys every Reader made inside the block reads."""
    log = ReadLog()
    token = _LOG.set(log)
    try:
        yield log
    finally:
        _LOG.reset(token)


def reject_unknown(log: ReadLog, prefix: str, allowed: Iterable[str] = ()) -> None:
    """Raise ConfigError for the first key under ``prefix`` that nothing read."""
    unknown = log.unknown(prefix, allowed)
    if not unknown:
        return
    key = unknown[0]
    parent, _, name = key.rpartition(".")
    known = sorted(set(log.read.get(parent, ())) | (set(allowed) if parent == prefix else set()))
    more = f" (and {len(unknown) - 1} more: {', '.join(unknown[1:4])})" if len(unknown) > 1 else ""
    raise ConfigError(
        f"{key}: unknown key{more}; known keys here: {', '.join(known) or 'none'}",
        key,
    )


class Reader:
    """A view of one config mapping that knows its dotted path."""

    def __init__(self, data: Any, path: str) -> None:
        if not isinstance(data, dict):
            raise ConfigError(f"{path} = {data!r}: must be a mapping of keys to values", path)
        self.data = data
        self.path = path
        self._log = _LOG.get()
        if self._log is not None:
            self._log.register(self)

    def key(self, name: str) -> str:
        return f"{self.path}.{name}" if self.path else name

    def fail(self, name: str, message: str) -> ConfigError:
        """A ConfigError for key ``name``: ``message`` follows the dotted key."""
        return ConfigError(f"{self.key(name)}{message}", self.key(name))

    def has(self, name: str) -> bool:
        if self._log is not None:
            self._log.mark(self, name)
        return self.data.get(name) is not None

    def raw(self, name: str, default: Any = _MISSING) -> Any:
        if self._log is not None:
            self._log.mark(self, name)
        value = self.data.get(name, default)
        if value is _MISSING or (value is None and default is _MISSING):
            raise self.fail(name, " is missing: it is required")
        return value

    def number(
        self,
        name: str,
        default: Any = _MISSING,
        *,
        low: float | None = None,
        high: float | None = None,
        low_open: bool = False,
    ) -> float:
        value = self.raw(name, default)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(name, f" = {value!r}: must be a number")
        value = float(value)
        if math.isnan(value) or math.isinf(value):
            raise self.fail(name, f" = {value!r}: must be a finite number")
        if low is not None and (value < low or (low_open and value == low)):
            rule = f"> {low:g}" if low_open else f">= {low:g}"
            raise self.fail(name, f" = {value:g}: must be {rule}")
        if high is not None and value > high:
            raise self.fail(name, f" = {value:g}: must be <= {high:g}")
        return value

    def probability(self, name: str, default: Any = _MISSING) -> float:
        value = self.raw(name, default)
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
            raise self.fail(name, f" = {value!r}: must be a probability between 0 and 1")
        return float(value)

    def integer(
        self, name: str, default: Any = _MISSING, *, low: int | None = None,
        high: int | None = None,
    ) -> int:  # fmt: skip
        value = self.raw(name, default)
        if isinstance(value, bool) or not (
            isinstance(value, int) or (isinstance(value, float) and value.is_integer())
        ):
            raise self.fail(name, f" = {value!r}: must be a whole number")
        value = int(value)
        if low is not None and value < low:
            raise self.fail(name, f" = {value}: must be an integer >= {low}")
        if high is not None and value > high:
            raise self.fail(name, f" = {value}: must be an integer <= {high}")
        return value

    def choice(self, name: str, allowed: Iterable[str], default: Any = _MISSING) -> str:
        value = self.raw(name, default)
        allowed = list(allowed)
        if value not in allowed:
            raise self.fail(name, f" = {value!r}: unknown; allowed: {', '.join(map(str, allowed))}")
        return value

    def date(self, name: str, default: Any = _MISSING) -> dt.date:
        value = self.raw(name, default)
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            raise self.fail(
                name, f" = {value!r}: not a date; use YYYY-MM-DD, e.g. 2025-07-01"
            ) from None

    def child(self, name: str, default: Any = _MISSING) -> Reader:
        return Reader(self.raw(name, default), self.key(name))

    def items(self, name: str, default: Any = _MISSING) -> list[Reader]:
        """A list of mappings, each with its indexed path."""
        value = self.raw(name, default)
        if not isinstance(value, list):
            raise self.fail(name, f" = {value!r}: must be a list")
        return [Reader(item, f"{self.key(name)}[{i}]") for i, item in enumerate(value)]

    def mapping(self, name: str, default: Any = _MISSING) -> dict[str, Reader]:
        """A mapping of names to mappings, each with its path."""
        value = self.raw(name, default)
        if not isinstance(value, dict):
            raise self.fail(name, f" = {value!r}: must be a mapping")
        return {key: Reader(item, f"{self.key(name)}.{key}") for key, item in value.items()}


class RunSettings:
    """The ``run`` block and ``seed``, checked."""

    def __init__(self, cfg: dict) -> None:
        root = Reader(cfg, "")
        self.seed = root.integer("seed", low=0)
        run = root.child("run")
        self.days = run.integer("days", low=1)
        self.warmup_days = run.integer("warmup_days", 0, low=0)
        if self.warmup_days >= self.days:
            raise run.fail(
                "warmup_days", f" = {self.warmup_days}: must be less than run.days ({self.days})"
            )
        self.replications = run.integer("replications", 1, low=1)
        self.workers = run.integer("workers", 1, low=1)
        self.cluster = run.raw("cluster", None)
        if self.cluster is not None and (
            not isinstance(self.cluster, str) or "://" not in self.cluster
        ):
            raise run.fail(
                "cluster",
                f" = {self.cluster!r}: a Dask scheduler address such as "
                "tcp://127.0.0.1:8786, or null for the local pool of run.workers",
            )
        self.start_date = run.date("start_date").isoformat()
        progress = run.raw("progress", "auto")
        if progress not in ("auto", True, False):
            raise run.fail("progress", f" = {progress!r}: allowed: auto, true, false")
        self.progress = progress
