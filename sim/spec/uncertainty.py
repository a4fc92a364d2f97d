"""Plausible ranges of the model's assumptions (configs/uncertainty/) and their sampling.

A scenario's ranges live in ``configs/uncertainty/<scenario>.yaml``; a file may
``include`` others (``_offices``, ``_policies``, ...) and an entry replaces an included
entry with the same ``path``. Each entry::

    {path: procedures.*.work_hours.mean, scale: true, distribution: triangular,
     low: 0.7, mode: 1.0, high: 1.4, category: staffing, reason: "..."}

``path`` addresses the composed config as ``sim.spec.parameters`` does: the scenario
without prefix, ``policy.NAME.key`` a policy, ``costs.KEY`` a unit cost (which moves every
value that interpolates ``${costs.KEY}``). ``*`` matches every key or list item;
``scale: true`` multiplies each matched default by the factor. Entries sharing a
``group`` move together: one factor, one unit sample, each entry mapping it through its own
distribution. Whole-number defaults stay whole (rounded); ``limits: [low, high]`` clips.
``not_sampled`` lists assumptions deliberately held fixed, each with its reason.

Sampling works in the unit hypercube: SALib draws points in [0, 1]^k (one coordinate per
factor) and :meth:`Uncertainty.parameters` maps a point to the parameter values.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from sim.spec.config import ConfigError

DISTRIBUTIONS = ("uniform", "triangular", "loguniform")
CATEGORIES = ("demand", "staffing", "equipment", "behaviour", "management", "policy", "calendar")
_SALIB_DIST = {"uniform": "unif", "triangular": "triang", "loguniform": "logunif"}
_KEYS = {"path", "distribution", "low", "high", "mode", "category", "reason", "group"}
_KEYS |= {"scale", "limits"}
_INTERPOLATION = re.compile(r"^\$\{([^}]+)\}$")


@dataclass(frozen=True)
class Range:
    """One assumption's plausible range (or its multiplicative factor's, with ``scale``)."""

    path: str
    distribution: str
    low: float
    high: float
    category: str
    reason: str
    mode: float | None = None
    group: str | None = None
    scale: bool = False
    limits: tuple[float | None, float | None] = (None, None)
    file: str = ""

    @property
    def factor(self) -> str:
        """The name of the factor that moves it (its group, else its path)."""
        return self.group or self.name

    @property
    def name(self) -> str:
        return f"{self.path}@scale" if self.scale else self.path

    def value(self, u: float) -> float:
        """The value (or factor) at unit quantile ``u`` of the distribution."""
        u = min(max(float(u), 0.0), 1.0)
        if self.distribution == "uniform":
            return self.low + u * (self.high - self.low)
        if self.distribution == "loguniform":
            return math.exp(math.log(self.low) + u * (math.log(self.high) - math.log(self.low)))
        c = (self.mode - self.low) / (self.high - self.low)
        from scipy import stats  # slow to import: only when a triangular range is drawn

        return float(stats.triang.ppf(u, c, loc=self.low, scale=self.high - self.low))

    def apply(self, default: Any, u: float) -> float | int:
        """The sampled value for a matched default (scaled, clipped, kept whole)."""
        value = default * self.value(u) if self.scale else self.value(u)
        low, high = self.limits
        value = value if low is None else max(value, low)
        value = value if high is None else min(value, high)
        if isinstance(default, int) and not isinstance(default, bool):
            return int(round(value))
        return float(value)

    def covers(self, concrete: str) -> bool:
        """Whether this range moves the value at the dotted ``concrete`` path."""
        return pattern_matches(self.path, concrete)


@dataclass(frozen=True)
class Uncertainty:
    """The ranges of one scenario (with its selected policies), ready to sample."""

    ranges: tuple[Range, ...]
    not_sampled: tuple[tuple[str, str], ...] = ()
    targets: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    defaults: Mapping[str, Any] = field(default_factory=dict)

    @property
    def factors(self) -> list[str]:
        """Factor names in file order (a group once, where it first appears)."""
        return list(dict.fromkeys(r.factor for r in self.ranges))

    def category(self, factor: str) -> str:
        return next(r.category for r in self.ranges if r.factor == factor)

    def problem(self) -> dict:
        """A SALib problem in real units: names, bounds, dists (a group: its first entry)."""
        first = {f: next(r for r in self.ranges if r.factor == f) for f in self.factors}
        bounds = []
        for r in first.values():
            if r.distribution == "triangular":
                bounds.append([r.low, r.high, (r.mode - r.low) / (r.high - r.low)])
            else:
                bounds.append([r.low, r.high])
        return {
            "num_vars": len(first),
            "names": list(first),
            "bounds": bounds,
            "dists": [_SALIB_DIST[r.distribution] for r in first.values()],
            "groups": None,
        }

    def unit_problem(self) -> dict:
        """The same factors on [0, 1]: what SALib samples (values come from parameters())."""
        names = self.factors
        return {"num_vars": len(names), "names": names, "bounds": [[0.0, 1.0]] * len(names)}

    def parameters(self, point: Sequence[float]) -> dict[str, float | int]:
        """Parameter values (dotted path -> value) for one point of the unit hypercube.

        Paths are concrete (``procedures.land_transfer.work_hours.mean``), without the
        ``scenario.`` prefix; costs become the policy and scenario values that use them.
        """
        position = {name: i for i, name in enumerate(self.factors)}
        values: dict[str, float | int] = {}
        for r in self.ranges:
            u = point[position[r.factor]]
            for concrete in self.targets[r.name]:
                source = self.defaults[concrete]
                values[_public(concrete)] = r.apply(source, u)
        return values


def pattern_matches(pattern: str, concrete: str) -> bool:
    want, have = pattern.split("."), concrete.split(".")
    return len(want) == len(have) and all(w in ("*", h) for w, h in zip(want, have, strict=True))


def _public(full: str) -> str:
    """A full config path as parameters name it: the scenario without its prefix."""
    return full.removeprefix("scenario.")


def _full(path: str) -> str:
    return path if path.split(".", 1)[0] in ("policy", "costs") else f"scenario.{path}"


def _flatten(data: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(data, Mapping):
        items = ((str(k), v) for k, v in data.items())
    elif isinstance(data, list) and data:
        items = ((str(i), v) for i, v in enumerate(data))
    else:
        return {prefix: data}
    flat: dict[str, Any] = {}
    for key, value in items:
        flat.update(_flatten(value, f"{prefix}.{key}" if prefix else key))
    return flat


def _fail(where: str, message: str) -> ConfigError:
    return ConfigError(f"{where}: {message}", where)


def _number(entry: dict, key: str, where: str) -> float:
    value = entry.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _fail(where, f"{key} = {value!r}: must be a number")
    return float(value)


def parse_range(entry: Any, where: str) -> Range:
    """One entry of a ranges file, checked; ``where`` names the file and entry."""
    if not isinstance(entry, dict):
        raise _fail(where, f"{entry!r}: must be a mapping with path, distribution, low, high")
    unknown = sorted(set(entry) - _KEYS)
    if unknown:
        raise _fail(where, f"unknown key {unknown[0]!r}; allowed: {', '.join(sorted(_KEYS))}")
    path = entry.get("path")
    if not isinstance(path, str) or not path or "@" in path:
        raise _fail(where, f"path = {path!r}: must be a dotted path (scale with `scale: true`)")
    origin, where = where, f"{where} ({path})"
    distribution = entry.get("distribution")
    if distribution not in DISTRIBUTIONS:
        raise _fail(
            where, f"distribution = {distribution!r}: must be one of {', '.join(DISTRIBUTIONS)}"
        )
    category = entry.get("category")
    if category not in CATEGORIES:
        raise _fail(where, f"category = {category!r}: must be one of {', '.join(CATEGORIES)}")
    low, high = _number(entry, "low", where), _number(entry, "high", where)
    if low >= high:
        raise _fail(where, f"low = {low:g} >= high = {high:g}: low must be below high")
    mode = None
    if distribution == "triangular":
        mode = _number(entry, "mode", where)
        if not low <= mode <= high:
            raise _fail(where, f"mode = {mode:g}: must lie between low {low:g} and high {high:g}")
    elif "mode" in entry:
        raise _fail(where, "mode: only a triangular distribution has a mode")
    if distribution == "loguniform" and low <= 0:
        raise _fail(where, f"low = {low:g}: a loguniform range needs low > 0 (or use uniform)")
    reason = entry.get("reason")
    if not isinstance(reason, str) or not reason.strip():
        raise _fail(where, "reason: give a one-line reason for the range")
    limits = entry.get("limits", [None, None])
    if not (isinstance(limits, list) and len(limits) == 2):
        raise _fail(where, f"limits = {limits!r}: must be [low, high] (null for none)")
    group = entry.get("group")
    if group is not None and not isinstance(group, str):
        raise _fail(where, f"group = {group!r}: must be a name")
    scale = entry.get("scale", False)
    if not isinstance(scale, bool):
        raise _fail(where, f"scale = {scale!r}: must be true or false")
    return Range(
        path, distribution, low, high, category, reason.strip(), mode, group, scale,
        (limits[0], limits[1]), origin,
    )  # fmt: skip


def read_ranges(name: str, directory: Path) -> tuple[list[Range], list[tuple[str, str]]]:
    """The entries of ``<directory>/<name>.yaml`` with its includes, later ones winning."""
    path = Path(directory) / f"{name}.yaml"
    if not path.is_file():
        known = sorted(p.stem for p in Path(directory).glob("*.yaml") if p.stem[0] != "_")
        raise ConfigError(
            f"{path}: no uncertainty ranges for {name!r}; files exist for: {', '.join(known)}",
            "uncertainty",
        )
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    shown = f"configs/uncertainty/{path.name}"
    unknown = sorted(set(data) - {"include", "ranges", "not_sampled"})
    if unknown:
        raise _fail(shown, f"unknown key {unknown[0]!r}; allowed: include, ranges, not_sampled")
    ranges: dict[str, Range] = {}
    fixed: dict[str, str] = {}
    for included in data.get("include") or []:
        more, more_fixed = read_ranges(included, directory)
        ranges.update({r.name: r for r in more})
        fixed.update(dict(more_fixed))
    for index, entry in enumerate(data.get("ranges") or []):
        item = parse_range(entry, f"{shown}: ranges[{index}]")
        ranges[item.name] = item
    for index, entry in enumerate(data.get("not_sampled") or []):
        where = f"{shown}: not_sampled[{index}]"
        if not (isinstance(entry, dict) and set(entry) == {"path", "reason"}):
            raise _fail(where, f"{entry!r}: must be {{path: ..., reason: ...}}")
        fixed[entry["path"]] = entry["reason"]
    return list(ranges.values()), list(fixed.items())


def interpolation_targets(unresolved: Mapping) -> dict[str, list[str]]:
    """For each interpolated key (``costs.X``, ``scenario.Y``): the paths that copy it."""
    targets: dict[str, list[str]] = {}
    for path, value in _flatten(unresolved).items():
        match = _INTERPOLATION.match(value) if isinstance(value, str) else None
        if match:
            targets.setdefault(match.group(1), []).append(path)
    return targets


def load_uncertainty(
    name: str, directory: Path, resolved: Mapping, unresolved: Mapping | None = None
) -> Uncertainty:
    """The checked ranges of scenario ``name`` against a composed config.

    ``resolved`` (and ``unresolved``, for ``${...}`` copies) hold ``scenario``, ``policy``
    and ``costs`` as composed. A scenario or cost path that matches nothing, or a number
    range on a value that is not a number, is an error naming the file, entry and path.
    Ranges of policies that are not selected drop out; so do costs no value uses.
    """
    ranges, fixed = read_ranges(name, directory)
    flat = _flatten({key: resolved.get(key, {}) for key in ("scenario", "policy", "costs")})
    copies = interpolation_targets(unresolved or {})
    kept, targets, defaults = [], {}, {}
    policies = set((resolved.get("policy") or {}).keys())
    for r in ranges:
        full = _full(r.path)
        keys = full.split(".")
        if keys[0] == "policy" and len(keys) > 1 and keys[1] not in policies:
            continue
        matched = [k for k in flat if pattern_matches(full, k)]
        if not matched:
            nearest = sorted({k.rsplit(".", 1)[0] for k in flat if k.startswith(keys[0])})
            hint = [k for k in nearest if k.split(".")[-1:] == keys[-2:-1]][:3] or nearest[:3]
            raise _fail(
                f"{r.file} ({r.path})",
                f"path matches nothing in scenario {name!r}; fix the path (near: "
                f"{', '.join(hint) or 'none'}) or move the range to the scenarios that have it",
            )
        for key in matched:
            value = flat[key]
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise _fail(
                    f"{r.file} ({r.path})",
                    f"{key} = {value!r} is not a number; list it under not_sampled instead",
                )
        concrete = [k for k in matched if not k.startswith("costs.")]
        for key in matched:
            for copy in copies.get(key, []):
                concrete.append(copy)
                defaults[copy] = flat[key]
        if not concrete:
            continue
        defaults.update({k: flat[k] for k in concrete if k in flat})
        targets[r.name] = tuple(dict.fromkeys(concrete))
        kept.append(r)
    return Uncertainty(tuple(kept), tuple(fixed), targets, defaults)
