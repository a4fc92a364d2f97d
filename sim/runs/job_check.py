"""Checking a whole job's config before anything runs, and naming what is wrong.

``check_job`` reads every block of a composed config (run settings, scenario, policies,
output), rejects keys that nothing reads, lets each policy check itself against the
scenario, and returns what the job needs plus a hash of the settings that decide its
numbers (used to resume interrupted sweeps). A bad value raises ``ConfigError`` whose
message names the key, the value and what is allowed; a key set through an
interpolation (``servers: ${scenario.servers}``) also names the key the user typed.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import yaml

from sim.policies import Policy, build_policies
from sim.runs.country import CountrySpec, read_scenario
from sim.runs.outputs import LANGUAGES
from sim.spec.config import ConfigError, Reader, RunSettings, reject_unknown, track_reads
from sim.spec.scenario import ScenarioSpec, unserved_fields

# Keys that change how a job reports or how fast it runs, not what it computes (results
# do not depend on run.workers): left out of the config hash.
REPORTING_KEYS = (
    "resume",
    "verbose",
    "run.progress",
    "run.workers",
    "run.cluster",
    "output.table",
)
_KNOB = re.compile(r"\$\{\s*scenario\.([A-Za-z_]\w*)")


@dataclass(frozen=True)
class CheckedJob:
    """A job's config, read and checked."""

    settings: RunSettings
    spec: ScenarioSpec | CountrySpec
    policy_cfg: dict
    policies: tuple[Policy, ...]
    plots: bool
    table: bool
    report: bool
    excel: bool
    language: str
    config_hash: str
    notes: tuple[str, ...] = ()  # warnings for the user: the job runs, but read this


def check_job(
    container: dict, unresolved: dict | None = None, config_dir: Path | None = None
) -> CheckedJob:
    """Read and check a composed job config (a plain dict, interpolations resolved).

    Args:
        container: the resolved config.
        unresolved: the same config before interpolation; used to find scenario knobs
            (top-level scenario keys that other values interpolate) and to name them
            in errors.
        config_dir: the config folder; when given, top-level keys that no config there
            declares (``+sed=3`` for ``seed=3``) are refused too.
    """
    unresolved = unresolved if unresolved is not None else container
    try:
        if config_dir is not None:
            _reject_unknown_top_level(container, config_dir)
        return _check(container, unresolved)
    except ConfigError as error:
        raise _explain_interpolation(error, unresolved) from None


def _reject_unknown_top_level(container: dict, config_dir: Path) -> None:
    """Top-level keys must be a config group, or be declared by config.yaml or by a
    global-package config (an experiment)."""
    known = {"resume"}
    known.update(
        p.name
        for p in Path(config_dir).iterdir()
        if p.is_dir() and p.name != "hydra" and any(p.glob("*.yaml"))
    )
    for path in sorted(Path(config_dir).rglob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        if path.name != "config.yaml" and "@package _global_" not in text[:500]:
            continue
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError:
            continue
        if isinstance(data, dict):
            known.update(str(k) for k in data if k not in ("defaults", "hydra"))
    for key in container:
        if key not in known:
            raise ConfigError(
                f"{key}: unknown key; known top-level keys: {', '.join(sorted(known))}", key
            )


def _check(container: dict, unresolved: dict) -> CheckedJob:
    knobs = interpolated_knobs(unresolved.get("scenario"))
    with track_reads() as log:
        root = Reader(container, "")
        settings = RunSettings(container)
        spec = read_scenario(root.raw("scenario"))
        policy_cfg = root.raw("policy", {}) or {}
        policies = tuple(build_policies(policy_cfg))
        output = root.child("output", {})
        plots = _flag(output, "plots", True)
        table = _flag(output, "table", True)
        report = _flag(output, "report", True)
        excel = _flag(output, "excel", False)
        language = output.choice("language", LANGUAGES, "en")
        _flag(root, "verbose", False)
        _flag(root, "resume", False)
    reject_unknown(log, "run")
    reject_unknown(log, "output")
    reject_unknown(log, "scenario", allowed=knobs | {"name"})
    reject_unknown(log, "policy")
    provinces = spec.provinces if isinstance(spec, CountrySpec) else (spec,)
    for province in provinces:
        check_workstations(province, container.get("scenario"))
    # a country's policies may name any province's communes
    whole = replace(provinces[0], communes=tuple(c for p in provinces for c in p.communes))
    for policy in policies:
        policy.validate(whole)
    notes = check_policies_act(policies, settings.days)
    for province in provinces:
        check_fields_served(province, policies)
    return CheckedJob(
        settings=settings,
        spec=spec,
        policy_cfg=policy_cfg,
        policies=policies,
        plots=plots,
        table=table,
        report=report,
        excel=excel,
        language=language,
        config_hash=config_hash(container),
        notes=tuple(notes),
    )


def check_workstations(spec: ScenarioSpec, raw_scenario: Any) -> None:
    """Refuse clerks without a workstation when the scenario forbids working without one.

    With ``scenario.equipment.no_workstation_speed = 0`` a clerk without a seat cannot
    work at all, so a roster larger than the seats is staff that can never serve.
    """
    if spec.equipment.no_workstation_speed > 0:
        return
    listed = raw_scenario.get("communes") if isinstance(raw_scenario, dict) else None
    for index, commune in enumerate(spec.communes):
        clerks = sum(g.count for g in commune.clerks)
        if commune.workstations is None or commune.workstations >= clerks:
            continue
        where = (
            f"scenario.communes[{index}].workstations"
            if isinstance(listed, list) and len(listed) == len(spec.communes)
            else f"workstations of commune {commune.name!r}"
        )
        raise ConfigError(
            f"{where} = {commune.workstations}: commune {commune.name!r} has {clerks} "
            "clerks and scenario.equipment.no_workstation_speed = 0 forbids working "
            f"without a workstation; allowed: workstations >= {clerks}, or "
            "no_workstation_speed > 0 (clerks share)",
            where,
        )


def check_policies_act(policies: tuple[Policy, ...], days: int) -> list[str]:
    """Refuse a policy that starts after the run ends; notes for one whose effect comes
    only after the end (a delay of procurement or construction): only its cost shows."""
    notes = []
    for policy in policies:
        key = f"{policy.reader.path}.start_day"
        if policy.begins_day() >= days:
            raise ConfigError(
                f"{key} = {policy.begins_day()}: the policy would start after the run ends "
                f"(run.days = {days}); set {key} below {days} or run.days above "
                f"{policy.begins_day()}",
                key,
            )
        first = policy.first_effect_day()
        if first >= days:
            notes.append(
                f"{policy.reader.path} takes effect on day {first} ({key} = "
                f"{policy.start_day} plus its delay), after the run ends (run.days = {days}): "
                f"the results show its cost but no effect; set run.days above {first} to see it"
            )
    return notes


def check_fields_served(spec: ScenarioSpec, policies: tuple[Policy, ...]) -> None:
    """Refuse a commune that receives dossiers of a field none of its clerks can serve
    (they would pile up unserved), unless a policy brings staff of that field."""
    brought = {policy.staffs_field() for policy in policies}
    for index, commune, field in unserved_fields(spec):
        if field in brought:
            continue
        raise ConfigError(
            f"scenario.communes[{index}].clerks: commune {commune!r} receives {field} dossiers "
            f"but none of its clerks has a {field} skill > 0, so they would never be served; "
            f"give a clerk group skills.{field} > 0 (or a staff_{field} column in a communes "
            f"file), or select a policy that sends {field} staff (e.g. policy=[second_staff] "
            f"policy.second_staff.field={field})",
            f"scenario.communes[{index}].clerks",
        )


def _flag(reader: Reader, name: str, default: bool) -> bool:
    value = reader.raw(name, default)
    if not isinstance(value, bool):
        raise reader.fail(name, f" = {value!r}: must be true or false")
    return value


def interpolated_knobs(scenario: Any) -> set[str]:
    """Top-level scenario keys that some value interpolates (``${scenario.KEY}``)."""
    found: set[str] = set()

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)
        elif isinstance(value, str):
            found.update(_KNOB.findall(value))

    walk(scenario)
    return found


def _lookup(data: Any, key: str) -> Any:
    """The value at a dotted key with ``[i]`` indices, or None."""
    for part in re.findall(r"[^.\[\]]+|\[\d+\]", key):
        if part.startswith("["):
            index = int(part[1:-1])
            if not isinstance(data, list) or index >= len(data):
                return None
            data = data[index]
        elif isinstance(data, dict) and part in data:
            data = data[part]
        else:
            return None
    return data


def _explain_interpolation(error: ConfigError, unresolved: dict) -> ConfigError:
    """Add the user-facing key when the faulty key was set by an interpolation."""
    if error.key is None:
        return error
    raw = _lookup(unresolved, error.key)
    if not isinstance(raw, str):
        return error
    knobs = re.findall(r"\$\{\s*([\w.]+)\s*\}", raw)
    if not knobs:
        return error
    return ConfigError(f"{error} (set from {', '.join(knobs)})", knobs[0])


def config_hash(container: dict) -> str:
    """A hash of the settings that decide a job's numbers (reporting keys left out)."""
    data = json.loads(json.dumps(container, sort_keys=True, default=str))
    for key in REPORTING_KEYS:
        *parents, last = key.split(".")
        node = data
        for part in parents:
            node = node.get(part, {}) if isinstance(node, dict) else {}
        if isinstance(node, dict):
            node.pop(last, None)
    text = json.dumps(data, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]
