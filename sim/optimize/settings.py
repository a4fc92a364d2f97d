"""The ``optimize`` block of ``python -m sim.optimize``, read and checked."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path

from sim.policies import levers
from sim.spec.config import ConfigError, Reader

SAMPLERS = ("tpe", "cmaes")
# settings that may change between the runs of one study (resume, more workers)
NOT_THE_PROBLEM = ("trials", "workers", "finalists", "final_replications")


@dataclass(frozen=True)
class Settings:
    budget_vnd: float | None
    max_staff: int | None
    levers: tuple[str, ...]
    fields: tuple[str, ...]
    objectives: tuple[str, ...]
    trials: int
    sampler: str
    population: int
    replications: int
    screen_replications: int
    final_replications: int
    finalists: int
    max_communes: int
    max_per_commune: int
    greedy_max_steps: int
    search_radius: int
    workers: int
    storage: str
    study_name: str
    store: str
    seed: int
    start_from: str | None = None


def read_settings(block: dict, out_dir: Path, problem: dict) -> Settings:
    """The settings of the ``optimize`` block; ``problem`` (scenario, run settings) names
    the default study together with the block."""
    r = Reader(block, "optimize")
    known = {f for f in Settings.__dataclass_fields__} | {"objective"}
    known -= {"objectives"}
    unknown = sorted(set(block) - known)
    if unknown:
        raise ConfigError(
            f"optimize.{unknown[0]}: not a setting of sim.optimize; allowed: "
            f"{', '.join(sorted(known))}",
            f"optimize.{unknown[0]}",
        )
    budget = r.number("budget_vnd", low=0, low_open=True) if r.has("budget_vnd") else None
    max_staff = r.integer("max_staff", low=0) if r.has("max_staff") else None
    chosen = _names(r, "levers", levers())
    fields = _names(r, "fields", None)
    objective = r.raw("objective")
    objectives = (objective,) if isinstance(objective, str) else tuple(objective or ())
    if not 1 <= len(objectives) <= 2 or not all(isinstance(o, str) for o in objectives):
        raise ConfigError(
            f"optimize.objective = {objective!r}: one summary figure (overdue_dossiers) or "
            "two for a Pareto front ([overdue_dossiers,policy_cost_vnd])",
            "optimize.objective",
        )
    if len(set(objectives)) != len(objectives):
        raise ConfigError(
            f"optimize.objective = {objective!r}: two different figures", "optimize.objective"
        )
    if budget is None and max_staff is None:
        raise ConfigError(
            "optimize.budget_vnd and optimize.max_staff are both null: give a budget, a staff "
            "cap or both (e.g. optimize.budget_vnd=200000000)",
            "optimize.budget_vnd",
        )
    values = {
        "budget_vnd": budget,
        "max_staff": max_staff,
        "levers": chosen,
        "fields": fields,
        "objectives": objectives,
        "trials": r.integer("trials", low=1),
        "sampler": r.choice("sampler", SAMPLERS, "tpe"),
        "population": r.integer("population", 8, low=2),
        "replications": r.integer("replications", low=1),
        "screen_replications": r.integer("screen_replications", 1, low=1),
        "final_replications": r.integer("final_replications", low=2),
        "finalists": r.integer("finalists", low=1),
        "max_communes": r.integer("max_communes", low=1),
        "max_per_commune": r.integer("max_per_commune", low=1),
        "greedy_max_steps": r.integer("greedy_max_steps", low=0),
        "search_radius": r.integer("search_radius", 2, low=1),
        "workers": r.integer("workers", 1, low=1),
        "seed": r.integer("seed", 0, low=0),
    }
    # the problem, not how long to search it: more trials later continue the same study
    shared = {k: v for k, v in values.items() if k not in NOT_THE_PROBLEM}
    fingerprint = json.dumps({**shared, **problem}, sort_keys=True, default=str)
    digest = hashlib.sha256(fingerprint.encode()).hexdigest()[:10]
    storage = r.raw("storage", None) or str(out_dir / "study.journal")
    study_name = r.raw("study_name", None) or f"{problem.get('scenario', 'study')}-{digest}"
    store = r.raw("store", None) or str(out_dir / "runs.sqlite")
    start_from = r.raw("start_from", None)
    return Settings(
        **values,
        storage=str(storage),
        study_name=str(study_name),
        store=str(store),
        start_from=None if start_from in (None, "") else str(start_from),
    )


def _names(r: Reader, key: str, allowed: tuple[str, ...] | None) -> tuple[str, ...]:
    value = r.raw(key)
    names = (value,) if isinstance(value, str) else tuple(value or ())
    if not names or not all(isinstance(n, str) for n in names):
        raise ConfigError(f"optimize.{key} = {value!r}: a non-empty list of names", key)
    wrong = [n for n in names if allowed is not None and n not in allowed]
    if wrong:
        raise ConfigError(
            f"optimize.{key}: {wrong} not allowed; allowed: {', '.join(allowed or ())}",
            f"optimize.{key}",
        )
    return names


def problem_attrs(settings: Settings) -> dict:
    """What a shared study must agree on (workers joining it check this)."""
    data = asdict(settings)
    for key in (*NOT_THE_PROBLEM, "storage", "store", "study_name"):
        data.pop(key)
    return json.loads(json.dumps(data, default=str))
