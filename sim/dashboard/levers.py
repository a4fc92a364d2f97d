"""Dashboard levers: what-if changes applied to a composed scenario before a run.

The live dashboard (``sim/dashboard/app.py``) lets a planner move sliders without writing a config.
Each slider is one function of a plain scenario dict (as composed by Hydra), so the same
what-if can be reproduced from the command line by the equivalent overrides. Every lever
at its neutral value leaves the scenario unchanged.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path

from hydra import compose, initialize_config_dir
from omegaconf import OmegaConf

from sim.core.queues import DISCIPLINES
from sim.spec.config import ConfigError
from sim.spec.paths import CONFIG_DIR
from sim.spec.scenario import ScenarioSpec

TRAINING_GAIN = 0.2  # assumption: proficiency gained by a short course (cap 1.0)
TRAINING_NEW_SKILL = 0.6  # assumption: proficiency of a clerk newly trained in a field
SCENARIO_DEFAULT = "scenario default"


@dataclass(frozen=True)
class Levers:
    """Slider values; the defaults change nothing.

    Args:
        field: the field that the staffing and training levers act on.
        extra_clerks: specialists in ``field`` added to every commune.
        seconded_staff: provincial specialists in ``field`` seconded to the communes in
            all, one at a time to the commune with the most households per clerk skilled
            in that field.
        training_share: share of each commune's clerks trained in ``field``.
        workstations: computers per commune; 0 keeps the scenario's (one per clerk).
        online_shift: change of every applicant kind's mean digital propensity
            (percentage points / 100), clipped to [0, 1].
        priority_rule: ``fifo``, ``edf`` or SCENARIO_DEFAULT.
    """

    field: str = "land"
    extra_clerks: int = 0
    seconded_staff: int = 0
    training_share: float = 0.0
    workstations: int = 0
    online_shift: float = 0.0
    priority_rule: str = SCENARIO_DEFAULT


def scenario_names(config_dir: Path = CONFIG_DIR) -> list[str]:
    """Scenarios a planner can pick: every file in configs/scenario/ but whole countries."""
    names = sorted(p.stem for p in (config_dir / "scenario").glob("*.yaml"))
    return [n for n in names if n != "country"]


def policy_names(config_dir: Path = CONFIG_DIR) -> list[str]:
    """Policies in configs/policy/, baseline first."""
    names = sorted(p.stem for p in (config_dir / "policy").glob("*.yaml"))
    return sorted(names, key=lambda n: n != "baseline")


def compose_run(scenario: str, policies: list[str], config_dir: Path = CONFIG_DIR) -> dict:
    """The composed config (plain dict) of ``scenario=NAME policy=[...]``."""
    policies = [p for p in dict.fromkeys(policies) if p]
    with initialize_config_dir(config_dir=str(config_dir), version_base="1.3"):
        cfg = compose(
            "config", overrides=[f"scenario={scenario}", f"policy=[{','.join(policies)}]"]
        )
    return OmegaConf.to_container(cfg, resolve=True)


def scenario_fields(scenario: str, config_dir: Path = CONFIG_DIR) -> list[str]:
    """The fields of ``scenario`` as a run reads them (its ``fields``, or the default list)."""
    data = compose_run(scenario, ["baseline"], config_dir)["scenario"]
    return list(ScenarioSpec.read(data).fields)


def apply_levers(scenario: dict, levers: Levers) -> dict:
    """A copy of ``scenario`` with the levers applied; errors name the lever and value."""
    data = copy.deepcopy(scenario)
    fields = data.get("fields") or []
    staffing = levers.extra_clerks or levers.seconded_staff or levers.training_share
    if staffing and fields and levers.field not in fields:
        raise ConfigError(
            f"dashboard field = {levers.field!r}: not a field of scenario "
            f"{data.get('name')}; allowed: {', '.join(fields)}"
        )
    communes = data.get("communes") or []
    for commune in communes:
        groups = commune.setdefault("clerks", [])
        if levers.training_share > 0:
            commune["clerks"] = groups = _train(groups, levers.field, levers.training_share)
        if levers.extra_clerks > 0:
            groups.append({"count": int(levers.extra_clerks), "skills": {levers.field: 1.0}})
        if levers.workstations > 0:
            commune["workstations"] = int(levers.workstations)
    for index in _seconded_to(communes, levers.field, levers.seconded_staff):
        communes[index]["clerks"].append({"count": 1, "skills": {levers.field: 1.0}})
    if levers.online_shift:
        for behaviour in (data.get("applicants") or {}).values():
            mean = float(behaviour.get("digital_propensity_mean", 0.0)) + levers.online_shift
            behaviour["digital_propensity_mean"] = min(1.0, max(0.0, mean))
    if levers.priority_rule != SCENARIO_DEFAULT:
        if levers.priority_rule not in DISCIPLINES:
            raise ConfigError(
                f"dashboard priority_rule = {levers.priority_rule!r}: unknown; "
                f"allowed: {', '.join(DISCIPLINES)}, {SCENARIO_DEFAULT}"
            )
        data["dispatch"] = levers.priority_rule
    return data


def _train(groups: list[dict], field: str, share: float) -> list[dict]:
    """Split each clerk group: ``share`` of its clerks (rounded) take the course."""
    result = []
    for group in groups:
        count = int(group.get("count", 0))
        trained = round(count * share)
        if trained:
            skills = dict(group.get("skills") or {})
            old = float(skills.get(field, 0.0))
            skills[field] = min(1.0, old + TRAINING_GAIN) if old > 0 else TRAINING_NEW_SKILL
            skills[field] = max(skills[field], old)
            result.append({**group, "count": trained, "skills": skills})
        if count - trained:
            result.append({**group, "count": count - trained})
    return result


def _seconded_to(communes: list[dict], field: str, count: int) -> list[int]:
    """Commune index of each seconded specialist: where households per clerk is highest."""
    staff = [
        sum(
            int(g.get("count", 0))
            for g in c.get("clerks", [])
            if float((g.get("skills") or {}).get(field, 0)) > 0
        )
        for c in communes
    ]
    load = [
        float(c.get("households") or 0) + float(c.get("businesses") or 0)
        or float(c.get("arrivals_per_hour") or 0)
        for c in communes
    ]
    chosen = []
    for _ in range(max(0, int(count))):
        if not communes:
            break
        i = max(range(len(communes)), key=lambda k: (load[k] / (staff[k] + 1), -k))
        staff[i] += 1
        chosen.append(i)
    return chosen
