"""Reading and checking configuration: every error names the key, the value and the rule.

Configs arrive as plain nested dicts (from Hydra/OmegaConf). ``Reader`` walks them with
a dotted path so that a bad value is reported as, for example,
``scenario.communes[2].clerks[0].count = -1: must be an integer >= 0``.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from typing import Any


class ConfigError(ValueError):
    """A configuration value that the model cannot use."""


_MISSING = object()


class Reader:
    """A view of one config mapping that knows its dotted path."""

    def __init__(self, data: Any, path: str) -> None:
        if not isinstance(data, dict):
            raise ConfigError(f"{path} = {data!r}: must be a mapping of keys to values")
        self.data = data
        self.path = path

    def key(self, name: str) -> str:
        return f"{self.path}.{name}" if self.path else name

    def has(self, name: str) -> bool:
        return self.data.get(name) is not None

    def raw(self, name: str, default: Any = _MISSING) -> Any:
        value = self.data.get(name, default)
        if value is _MISSING or (value is None and default is _MISSING):
            raise ConfigError(f"{self.key(name)} is missing: it is required")
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
            raise ConfigError(f"{self.key(name)} = {value!r}: must be a number")
        value = float(value)
        if math.isnan(value) or math.isinf(value):
            raise ConfigError(f"{self.key(name)} = {value!r}: must be a finite number")
        if low is not None and (value < low or (low_open and value == low)):
            rule = f"> {low:g}" if low_open else f">= {low:g}"
            raise ConfigError(f"{self.key(name)} = {value:g}: must be {rule}")
        if high is not None and value > high:
            raise ConfigError(f"{self.key(name)} = {value:g}: must be <= {high:g}")
        return value

    def probability(self, name: str, default: Any = _MISSING) -> float:
        value = self.raw(name, default)
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
            raise ConfigError(
                f"{self.key(name)} = {value!r}: must be a probability between 0 and 1"
            )
        return float(value)

    def integer(self, name: str, default: Any = _MISSING, *, low: int | None = None) -> int:
        value = self.raw(name, default)
        if isinstance(value, bool) or not (
            isinstance(value, int) or (isinstance(value, float) and value.is_integer())
        ):
            raise ConfigError(f"{self.key(name)} = {value!r}: must be a whole number")
        value = int(value)
        if low is not None and value < low:
            raise ConfigError(f"{self.key(name)} = {value}: must be an integer >= {low}")
        return value

    def choice(self, name: str, allowed: Iterable[str], default: Any = _MISSING) -> str:
        value = self.raw(name, default)
        allowed = list(allowed)
        if value not in allowed:
            raise ConfigError(
                f"{self.key(name)} = {value!r}: unknown; allowed: {', '.join(map(str, allowed))}"
            )
        return value

    def date(self, name: str, default: Any = _MISSING) -> dt.date:
        value = self.raw(name, default)
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            raise ConfigError(
                f"{self.key(name)} = {value!r}: not a date; use YYYY-MM-DD, e.g. 2025-07-01"
            ) from None

    def child(self, name: str, default: Any = _MISSING) -> Reader:
        return Reader(self.raw(name, default), self.key(name))

    def items(self, name: str, default: Any = _MISSING) -> list[Reader]:
        """A list of mappings, each with its indexed path."""
        value = self.raw(name, default)
        if not isinstance(value, list):
            raise ConfigError(f"{self.key(name)} = {value!r}: must be a list")
        return [Reader(item, f"{self.key(name)}[{i}]") for i, item in enumerate(value)]

    def mapping(self, name: str, default: Any = _MISSING) -> dict[str, Reader]:
        """A mapping of names to mappings, each with its path."""
        value = self.raw(name, default)
        if not isinstance(value, dict):
            raise ConfigError(f"{self.key(name)} = {value!r}: must be a mapping")
        return {key: Reader(item, self.key(key)) for key, item in value.items()}


class RunSettings:
    """The ``run`` block and ``seed``, checked."""

    def __init__(self, cfg: dict) -> None:
        root = Reader(cfg, "")
        self.seed = root.integer("seed", low=0)
        run = root.child("run")
        self.days = run.integer("days", low=1)
        self.warmup_days = run.integer("warmup_days", 0, low=0)
        if self.warmup_days >= self.days:
            raise ConfigError(
                f"run.warmup_days = {self.warmup_days}: must be less than run.days "
                f"({self.days})"
            )
        self.replications = run.integer("replications", 1, low=1)
        self.workers = run.integer("workers", 1, low=1)
        self.start_date = run.date("start_date").isoformat()
        progress = run.raw("progress", "auto")
        if progress not in ("auto", True, False):
            raise ConfigError(f"run.progress = {progress!r}: allowed: auto, true, false")
        self.progress = progress
