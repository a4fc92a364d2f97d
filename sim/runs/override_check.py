"""Command-line overrides that name a key the config does not have, explained.

Hydra answers ``run.dayz=30`` with "To append to your config use +run.dayz=3", which
only turns a typo into a silent no-op (or a later "unknown key"), and answers
``policy.second_staff.count=8`` without ``policy=[second_staff]`` with "Key
'second_staff' is not in struct". ``check_override_keys`` composes the config the
command selects and returns one line that names the fix: the nearest known key, or the
policy to select.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

from omegaconf import DictConfig, ListConfig, OmegaConf

GROUPS = ("scenario", "policy", "experiment")
_ABSENT = object()


def check_override_keys(args: list[str], config_dir: Path) -> str | None:
    """An error line for the first ``key=value`` override whose key does not exist."""
    from hydra import compose, initialize_config_dir
    from hydra.core.override_parser.overrides_parser import OverridesParser

    texts = [a for a in args if "=" in a and not a.startswith("-")]
    try:
        parsed = OverridesParser.create().parse_overrides(texts)
    except Exception:  # noqa: BLE001 - Hydra reports unparseable overrides itself
        return None
    groups, plain = [], []
    for override in parsed:
        key = override.key_or_group
        if key.split("@")[0] in GROUPS:
            groups.append(_first_choice(override))
        elif not (override.is_add() or override.is_delete() or override.is_force_add()):
            if not key.startswith("hydra") and override.package is None:
                plain.append((key, override.input_line or key))
    if not plain or _all_in_the_top_config(plain, config_dir):
        return None
    try:
        with initialize_config_dir(config_dir=str(config_dir), version_base="1.3"):
            cfg = compose("config", overrides=groups)
    except Exception:  # noqa: BLE001 - a bad group is reported by the group check or Hydra
        return None
    sweep = "-m" in args or "--multirun" in args
    for key, text in plain:
        if sweep and key.startswith("policy."):
            continue  # a sweep selects policies per job: each job checks its own keys
        if OmegaConf.select(cfg, key, default=_ABSENT) is _ABSENT:
            return explain_missing_key(cfg, key, text, config_dir)
    return None


def _all_in_the_top_config(plain: list[tuple[str, str]], config_dir: Path) -> bool:
    """Whether every key is in ``config.yaml`` itself (``run.days``, ``output.report``):
    then composing the whole config (a third of a second) has nothing to find."""
    top = OmegaConf.load(config_dir / "config.yaml")
    return all(
        OmegaConf.select(top, key, default=_ABSENT, throw_on_resolution_failure=False)
        is not _ABSENT
        for key, _ in plain
    )


def _first_choice(override: Any) -> str:
    """The override as text, with a sweep replaced by its first choice."""
    value = override.value()
    choices = getattr(value, "list", None)
    if isinstance(choices, list) and choices:
        value = choices[0]
    prefix = "+" if override.is_add() else "++" if override.is_force_add() else ""
    text = "[" + ",".join(map(str, value)) + "]" if isinstance(value, list) else str(value)
    return f"{prefix}{override.key_or_group}={text}"


def explain_missing_key(cfg: DictConfig, key: str, text: str, config_dir: Path) -> str:
    """One line: why ``key`` is not there and what to type instead."""
    parts = key.split(".")
    if parts[0] == "policy" and len(parts) >= 2 and parts[1] not in cfg.get("policy", {}):
        name = parts[1]
        selected = list(cfg.get("policy", {}) or [])
        available = sorted(p.stem for p in (Path(config_dir) / "policy").glob("*.yaml"))
        if name in available:
            chosen = ",".join([p for p in selected if p != "baseline"] + [name])
            return (
                f"{text}: policy {name!r} is not selected (selected: "
                f"{', '.join(selected) or 'none'}); select it as well: "
                f"policy=[{chosen}] {text}"
            )
        return f"{text}: no policy {name!r}; available policies: {', '.join(available)}"
    depth = len(parts) - 1
    while depth > 0 and OmegaConf.select(cfg, ".".join(parts[:depth]), default=_ABSENT) is _ABSENT:
        depth -= 1
    parent_key = ".".join(parts[:depth])
    parent = OmegaConf.select(cfg, parent_key) if depth else cfg
    missing = parts[depth]
    where = parent_key or "the top level"
    if isinstance(parent, ListConfig):
        return (
            f"{text}: {parent_key} has {len(parent)} item(s), numbered from 0; "
            f"{parent_key}.{missing} does not exist"
        )
    known = [str(k) for k in parent] if isinstance(parent, DictConfig) else []
    close = difflib.get_close_matches(missing, known, n=1)
    full = f"{parent_key}.{missing}" if parent_key else missing
    hint = f"did you mean {parent_key + '.' if parent_key else ''}{close[0]}? " if close else ""
    listed = ", ".join(sorted(known)) or "none"
    return f"{text}: {full} is not a known key; {hint}known keys under {where}: {listed}"
