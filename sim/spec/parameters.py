"""Setting config values by dotted path: the parameters of batch runs and analyses.

A parameter path names a value of the scenario config (``staff.error_probability_unskilled``,
``applicants.citizen.digital_propensity_mean``) or, with the prefix ``policy.NAME.``, of
a selected policy's config (``policy.training.proficiency_gain``). A path may carry:

- ``*``: every key of a mapping or every item of a list (``procedures.*.work_hours.mean``,
  ``communes.*.households``); the value is set wherever the rest of the path exists, and
  the path must exist somewhere;
- an integer: one item of a list (``communes.0.households``);
- the suffix ``@scale``: the value multiplies each default instead of replacing it, for
  parameters that differ per procedure or commune (``procedures.*.work_hours.mean@scale``).
  A default that is an integer stays an integer (the product rounded).

``apply_parameters`` never changes its arguments: it returns deep copies. A path that
matches nothing is an error naming the path and the nearest keys.
"""

from __future__ import annotations

import copy
import difflib
import re
from collections.abc import Mapping
from typing import Any

from sim.spec.config import ConfigError

SCALE = "@scale"
POLICY_PREFIX = "policy."
_INTERPOLATION = re.compile(r"^\$\{\s*([\w.]+)\s*\}$")


def apply_parameters(
    scenario: dict,
    policies: dict[str, dict],
    parameters: Mapping[str, float | int | str],
    *,
    context: Mapping[str, Any] | None = None,
) -> tuple[dict, dict[str, dict]]:
    """New (scenario, policies) configs with every parameter path set.

    Args:
        scenario: the ``scenario`` config block (a plain dict, resolved or not).
        policies: the ``policy`` block, ``{name: config}``.
        parameters: dotted path (see the module's docstring) to value.
        context: other top-level config blocks (``costs``) that ``${...}``
            interpolations of a scaled default may name; ``scenario`` and ``policy``
            are always available.

    Raises:
        ConfigError: a path that matches nothing (naming the nearest keys), a scaled
            default that is not a number, or a path that ends at a mapping or list.
    """
    scenario = copy.deepcopy(scenario)
    policies = copy.deepcopy(policies)
    root = {**(context or {}), "scenario": scenario, "policy": policies}
    for path, value in parameters.items():
        key, scale = _split(path)
        node, parts, label = _target(key, scenario, policies)
        matches = list(_matches(node, parts, label))
        if not matches:
            raise ConfigError(f"{path}: {_nearest(node, parts, label)}", path)
        for parent, name, where in matches:
            current = parent[name]
            if isinstance(current, dict | list):
                inside = ", ".join(map(str, _keys(current))) or "none"
                raise ConfigError(
                    f"{path}: {where} is a {'mapping' if isinstance(current, dict) else 'list'}"
                    f", not a value; name one of its keys: {inside}",
                    path,
                )
            if scale:
                parent[name] = _scaled(path, where, _resolve(current, root), value)
            else:
                parent[name] = value
    return scenario, policies


def parameter_paths(scenario: dict, policies: dict[str, dict], paths: list[str]) -> None:
    """Check that every path matches some value (ConfigError otherwise); sets nothing."""
    for path in paths:
        key, _ = _split(path)
        node, parts, label = _target(key, scenario, policies)
        if not any(True for _ in _matches(node, parts, label)):
            raise ConfigError(f"{path}: {_nearest(node, parts, label)}", path)


def _split(path: str) -> tuple[str, bool]:
    if not isinstance(path, str) or not path.strip():
        raise ConfigError(f"{path!r}: a parameter path must be a dotted key such as staff.x")
    if path.endswith(SCALE):
        return path[: -len(SCALE)], True
    if "@" in path:
        raise ConfigError(f"{path}: unknown suffix; the one suffix is {SCALE}", path)
    return path, False


def _target(key: str, scenario: dict, policies: dict[str, dict]) -> tuple[Any, list[str], str]:
    """The config block a path addresses, the path's parts inside it, and its label."""
    if key.startswith(POLICY_PREFIX):
        name, _, rest = key[len(POLICY_PREFIX) :].partition(".")
        if name not in policies:
            selected = ", ".join(sorted(policies)) or "none"
            raise ConfigError(
                f"{key}: policy {name!r} is not selected; selected policies: {selected}", key
            )
        if not rest:
            raise ConfigError(f"{key}: name a key of policy {name!r}", key)
        return policies[name], rest.split("."), f"policy.{name}"
    if key.startswith("scenario."):
        key = key[len("scenario.") :]
    return scenario, key.split("."), "scenario"


def _matches(node: Any, parts: list[str], where: str):
    """(parent, key, dotted location) of every value the path's parts reach."""
    part, rest = parts[0], parts[1:]
    if isinstance(node, dict):
        names = list(node) if part == "*" else [part] if part in node else []
    elif isinstance(node, list):
        if part == "*":
            names = list(range(len(node)))
        elif part.isdigit() and int(part) < len(node):
            names = [int(part)]
        else:
            names = []
    else:
        names = []
    for name in names:
        location = f"{where}.{name}"
        if rest:
            yield from _matches(node[name], rest, location)
        else:
            yield node, name, location


def _keys(node: Any) -> list:
    if isinstance(node, dict):
        return list(node)
    if isinstance(node, list):
        return list(range(len(node)))
    return []


def _nearest(node: Any, parts: list[str], where: str) -> str:
    """Why a path matches nothing: the first part that fails and the nearest keys there."""
    level = [(node, where)]
    for depth, part in enumerate(parts):
        following = []
        for item, location in level:
            if isinstance(item, dict | list):
                names = _keys(item) if part == "*" else [n for n in _keys(item) if str(n) == part]
                following += [(item[n], f"{location}.{n}") for n in names]
        if not following:
            keys = sorted({str(k) for item, _ in level for k in _keys(item)})
            shown = ".".join(parts[:depth]) or "the top level"
            close = difflib.get_close_matches(part, keys, n=3, cutoff=0.5)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            if not keys:
                return f"no such key: {shown} is a value, not a mapping (in {where})"
            return (
                f"no such key: {part!r} is not a key of {shown} in {where} (keys there: "
                f"{', '.join(keys[:20])}{', ...' if len(keys) > 20 else ''}){hint}"
            )
        level = following
    return "no such key"


def _resolve(value: Any, root: dict, depth: int = 0) -> Any:
    """A value with a whole-value ``${a.b}`` interpolation replaced by what it names."""
    found = _INTERPOLATION.match(value) if isinstance(value, str) else None
    if not found or depth > 10:
        return value
    node: Any = root
    for part in found.group(1).split("."):
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return value
    return _resolve(node, root, depth + 1)


def _scaled(path: str, where: str, default: Any, factor: Any) -> int | float:
    """``default * factor``; an integer default gives an integer (rounded)."""
    if isinstance(factor, bool) or not isinstance(factor, int | float):
        raise ConfigError(f"{path} = {factor!r}: a scale must be a number", path)
    if isinstance(default, bool) or not isinstance(default, int | float):
        raise ConfigError(
            f"{path}: {where} = {default!r} is not a number, so it cannot be scaled; "
            "set it without @scale",
            path,
        )
    product = default * factor
    return round(product) if isinstance(default, int) else float(product)
