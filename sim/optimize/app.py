"""One optimisation job: baselines, greedy allocation, Optuna search, final selection, files.

Replications ``0 .. optimize.replications-1`` serve the search; the final comparison
uses fresh ones after them (``optimize.final_replications``), the same for every
candidate and baseline, so the winner is judged on replications it was not chosen on.
"""

from __future__ import annotations

import logging
import sys
import time
from pathlib import Path

import pandas as pd

from sim.optimize.search import (
    COST,
    Evaluator,
    StudySettings,
    finalists,
    greedy,
    open_study,
    screened_cells,
    search,
)
from sim.optimize.settings import Settings, problem_attrs, read_settings
from sim.policies import no_policy
from sim.reports import i18n
from sim.reports.i18n import Phrase
from sim.reports.labels import label
from sim.reports.optimize_report import write_optimize_report
from sim.reports.outputs import speaking, write_outputs
from sim.runs.api import run_many
from sim.runs.country import CountrySpec
from sim.runs.job_check import check_job
from sim.runs.outputs import write_csv, write_json
from sim.runs.start_from import read_start_from
from sim.spec.config import ConfigError
from sim.spec.scenario import display_names
from sim.studies.budget_space import Allocation, Space, allocation_rows, build_space
from sim.studies.selection import figures, loss, paired_interval, select

LOG = logging.getLogger("sim.optimize")
HEURISTICS = ("worst_overdue", "largest_backlog")  # the rules of sim/policies/allocation.py


def run_optimize(container: dict, out_dir: Path, days_given: bool = True) -> dict:
    """Run the job described by the composed, resolved config; returns optimize.json.

    ``days_given``: whether ``run.days`` was chosen (on the command line); if not, a
    start from a forecast folder runs over the forecast's horizon."""
    started = time.perf_counter()
    run = dict(container["run"])
    scenario = container["scenario"]
    probe = {k: v for k, v in container.items() if k != "optimize"}
    probe["policy"] = dict([no_policy()])
    spec = check_job(probe).spec
    if isinstance(spec, CountrySpec):
        raise ConfigError(
            "scenario=country: sim.optimize allocates within one province; use "
            "scenario=province or a locality scenario",
            "scenario",
        )
    folder = (container.get("optimize") or {}).get("start_from")
    warm = read_start_from(folder, scenario, spec) if folder else None
    if warm is not None:
        run["start_date"], run["warmup_days"] = warm.start_date, 0
        if warm.horizon is not None and not days_given:
            run["days"] = warm.horizon
    problem = {
        "scenario": scenario.get("name"),
        "days": run["days"],
        "warmup_days": run["warmup_days"],
        "start_date": str(run["start_date"]),
        "seed": container["seed"],
    }
    if warm is not None:
        problem["start_from"] = warm.describe()
    settings = read_settings(container.get("optimize") or {}, out_dir, problem)
    configs = {lever: _lever_config(container, lever) for lever in settings.levers}
    space = build_space(
        spec,
        configs,
        fields=list(settings.fields),
        days=run["days"],
        budget_vnd=settings.budget_vnd,
        max_staff=settings.max_staff,
        max_per_commune=settings.max_per_commune,
    )
    if not space.cells:
        raise ConfigError(
            f"optimize.levers = {list(settings.levers)}: nothing to allocate in scenario "
            f"{spec.name!r} (no lever acts inside run.days, or the budget buys no unit)",
            "optimize.levers",
        )
    evaluator = Evaluator(
        scenario=scenario,
        space=space,
        objectives=list(settings.objectives),
        days=run["days"],
        warmup_days=run["warmup_days"],
        start_date=str(run["start_date"]),
        seed=container["seed"],
        workers=settings.workers,
        cluster=run.get("cluster"),
        store=settings.store,
        start=warm,
    )
    search_reps = list(range(settings.replications))
    final_reps = [settings.replications + i for i in range(settings.final_replications)]
    baseline = _baseline_summary(evaluator, settings)
    notes = field_notes(baseline, list(settings.fields))
    with speaking(container.get("output")):
        for note in notes:
            print(f"{i18n.t('note')}: {i18n.t(note)}", file=sys.stderr)
            LOG.info("note: %s", note)
    cells = screened_cells(space, baseline, settings.max_communes)
    study = open_study(_study_settings(settings, problem), list(settings.objectives))
    start = _greedy(study, evaluator, space, cells, search_reps, settings)
    cells = sorted(set(cells) | set(start))
    search(study, evaluator, cells, start, _study_settings(settings, problem), search_reps)
    LOG.info("search done: %d runs so far", evaluator.runs)
    shown = {"output": container.get("output"), "names": display_names(spec)}
    return _select_and_write(
        out_dir, settings, space, evaluator, study, start, final_reps, started, problem, notes,
        shown,
    )  # fmt: skip


def _lever_config(container: dict, lever: str) -> dict:
    policy = container.get("policy") or {}
    if lever not in policy:
        raise ConfigError(
            f"optimize.levers: {lever!r} has no policy config (policy.{lever}); the levers' "
            "configs come from configs/policy/NAME.yaml",
            "optimize.levers",
        )
    return dict(policy[lever])


def _baseline_summary(evaluator: Evaluator, settings: Settings) -> dict:
    """The no-policy run of replication 0 (screening), checking the objectives exist."""
    spec = evaluator.spec((no_policy(),), 0)
    summary = run_many([spec], store=settings.store)[0]
    for key in settings.objectives:
        value = summary.get(key)
        if isinstance(value, bool) or not isinstance(value, int | float):
            numbers = [k for k, v in summary.items() if isinstance(v, int | float)]
            raise ConfigError(
                f"optimize.objective: {key!r} is not a number of the run's summary; "
                f"allowed: {', '.join(numbers)}",
                "optimize.objective",
            )
    return summary


def _study_settings(settings: Settings, problem: dict) -> StudySettings:
    return StudySettings(
        storage=settings.storage,
        study_name=settings.study_name,
        trials=settings.trials,
        sampler=settings.sampler,
        seed=settings.seed,
        population=settings.population,
        radius=settings.search_radius,
        attrs={**problem_attrs(settings), **problem},
    )


def _greedy(study, evaluator, space, cells, reps, settings) -> Allocation:
    """The greedy allocation, computed once per study (a joining worker reads it)."""
    by_name = {c.name: c for c in space.cells}
    kept = study.user_attrs.get("greedy")
    if kept is not None:
        return {by_name[k]: int(n) for k, n in kept.items()}
    allocation, steps = greedy(
        evaluator, cells, reps, settings.greedy_max_steps, settings.screen_replications
    )
    study.set_user_attr("greedy", {c.name: n for c, n in allocation.items()})
    study.set_user_attr("greedy_steps", steps)
    return allocation


def field_notes(baseline: dict, fields: list[str], least_share: float = 0.25) -> list[str]:
    """A note when the fields searched hold few of the dossiers that go overdue with
    nothing done (``least_share``): the levers then cannot act where the trouble is."""
    overdue = {
        name: figures_of.get("dossiers_late", 0) + figures_of.get("overdue_open", 0)
        for name, figures_of in (baseline.get("by_field") or {}).items()
        if isinstance(figures_of, dict)
    }
    total = sum(overdue.values())
    searched = sum(overdue.get(f, 0) for f in fields)
    if total <= 0 or searched >= least_share * total:
        return []
    others = sorted((f for f in overdue if f not in fields), key=lambda f: -overdue[f])[:2]
    where = [Phrase("{field} ({n:.0f})", field=_field(f), n=overdue[f]) for f in others]
    return [
        Phrase(
            "optimize.fields = [{fields}] holds {searched:.0f} of the {total:.0f} dossiers "
            "that go overdue with nothing done ({share:.0%}); most are in {where}: set "
            "optimize.fields=[{others}] to allocate staff there",
            fields=Phrase(", ".join(f"{{f{i}}}" for i in range(len(fields))),
                          **{f"f{i}": _field(f) for i, f in enumerate(fields)}),
            searched=searched,
            total=total,
            share=searched / total,
            where=Phrase(", ".join(f"{{w{i}}}" for i in range(len(where))),
                         **{f"w{i}": w for i, w in enumerate(where)}),
            others=",".join(others),
        )
    ]  # fmt: skip


def _field(key: str) -> Phrase:
    """A field's key, said as the reader's label."""
    return Phrase(key, say=lambda: label(key))


ALLOCATION_COLUMNS = ("commune", "lever", "field", "amount", "cost_vnd")


def _select_and_write(
    out_dir, settings, space, evaluator, study, start, reps, started, problem, notes=(), shown=None
):
    objectives = list(settings.objectives)
    primary = objectives[0]
    chosen = finalists(study, space, settings.finalists)
    candidates: dict[str, tuple[Allocation, str]] = {}
    for i, allocation in enumerate(chosen):
        candidates[f"finalist_{i + 1}"] = (allocation, "named")
    split = space.equal_split()
    baselines = {"none": ({}, "named"), "equal_split": (split, "named"), "greedy": (start, "named")}
    if any(c.lever in ("second_staff", "contract_staff") for c in split):
        baselines.update({rule: (split, rule) for rule in HEURISTICS})
    names = [*candidates, *baselines]
    found = evaluator.figures([*candidates.values(), *baselines.values()], reps)
    data = dict(zip(names, found, strict=True))
    plan = {n: space.cost(a) for n, (a, rule) in {**candidates, **baselines}.items()}
    # the allocations that spend the money, known before the run (not the rules, not none)
    pool = [n for n in names if n not in (*HEURISTICS, "none")]
    winner, tied = select({n: data[n][primary] for n in pool}, plan, primary)
    allocation = {**candidates, **baselines}[winner][0]
    rows = allocation_rows(space, allocation)
    heuristics = [n for n in ("equal_split", *HEURISTICS) if n in data]
    best_heuristic = min(heuristics, key=lambda n: loss(primary, _mean(data[n][primary])))
    diff, low, high = paired_interval(data[best_heuristic][primary], data[winner][primary])
    sign = 1 if loss(primary, 1.0) > 0 else -1  # a gain is a fall of the loss
    gain = {"over": best_heuristic, "mean": sign * diff, "ci95": sorted([sign * low, sign * high])}

    def four(name: str) -> dict:
        mean, ci = figures(data[name][primary])
        alloc, rule = {**candidates, **baselines}[name]
        staff = space.staff(alloc)
        return {
            "objective_mean": mean,
            "objective_ci95": ci,
            "cost_vnd": _mean(data[name][COST]),
            "staff": staff,
        }

    n_trials = len([t for t in study.trials if t.state.name == "COMPLETE"])
    result = {
        "objective": primary,
        "trials": n_trials,
        "best": four(winner),
        "baselines": {name: four(name) for name in baselines},
    }
    write_json(out_dir / "optimize.json", result)
    write_csv(
        out_dir / "allocation.csv",
        pd.DataFrame(rows, columns=list(ALLOCATION_COLUMNS)),
    )
    if len(objectives) == 2:
        _write_pareto(out_dir, objectives, candidates, data, space)
    seconds = time.perf_counter() - started
    details = {
        **problem,
        "objectives": objectives,
        "winner": winner,
        "tied": tied,
        "gain": gain,
        "finalists": {n: {c.name: k for c, k in candidates[n][0].items()} for n in candidates},
        "greedy_steps": study.user_attrs.get("greedy_steps"),
        "runs": evaluator.runs,
        "seconds": round(seconds, 1),
        "study": {"storage": settings.storage, "study_name": settings.study_name},
    }
    write_json(out_dir / "selection.json", details)
    report = {
        **result,
        **problem,
        "budget_vnd": settings.budget_vnd,
        "max_staff": settings.max_staff,
        "levers": list(settings.levers),
        "final_replications": settings.final_replications,
        "communes": space.communes,
        "gain": gain,
        "tied": tied if len(tied) > 1 else [],
        "notes": [
            *notes,
            Phrase(
                "{runs} simulation runs, {seconds:.0f} s.", runs=evaluator.runs, seconds=seconds
            ),
        ],  # fmt: skip
    }
    shown = shown or {}
    report["display_names"] = shown.get("names") or {}
    write_outputs(
        out_dir,
        shown.get("output"),
        report=lambda: write_optimize_report(
            out_dir, report, rows, _plot(study, objectives, data, candidates, baselines)
        ),
        workbook="optimize.xlsx",
        sheets=lambda: {
            "allocation": pd.DataFrame(rows, columns=list(ALLOCATION_COLUMNS)),
            "against the baselines": pd.DataFrame(
                [
                    {"allocation": n, **v}
                    for n, v in {"chosen": result["best"], **result["baselines"]}.items()
                ]  # fmt: skip
            ).drop(columns="objective_ci95"),
        },
        names=report["display_names"],
    )
    return {
        **result,
        "winner": winner,
        "gain": gain,
        "seconds": seconds,
        "allocation": rows,
        "display_names": report["display_names"],
    }


def _write_pareto(out_dir, objectives, candidates, data, space) -> None:
    rows = []
    for name, (allocation, _) in candidates.items():
        rows.append(
            {
                "candidate": name,
                objectives[0]: _mean(data[name][objectives[0]]),
                objectives[1]: _mean(data[name][objectives[1]]),
                "cost_vnd": _mean(data[name][COST]),
                "staff": space.staff(allocation),
            }
        )
    frame = pd.DataFrame(rows)
    losses = [[loss(k, r[k]) for k in objectives] for r in rows]
    frame["on_front"] = [
        not any(
            all(o <= s for o, s in zip(other, mine, strict=True)) and other != mine
            for other in losses
        )
        for mine in losses
    ]
    write_csv(out_dir / "pareto.csv", frame)


def _plot(study, objectives, data, candidates, baselines) -> dict:
    """Points of the Pareto plot: cost against the objective, or the two objectives."""
    axes = objectives if len(objectives) == 2 else [COST, objectives[0]]
    trials = []
    for t in study.trials:
        if t.state.name != "COMPLETE":
            continue
        values = t.values
        if len(objectives) == 2:
            trials.append(
                [
                    loss(k, v) * (1 if loss(k, 1.0) > 0 else -1)
                    for k, v in zip(objectives, values, strict=True)
                ]
            )
        else:
            trials.append(
                [
                    t.user_attrs.get("cost_vnd", 0.0),
                    loss(objectives[0], values[0]) * (1 if loss(objectives[0], 1.0) > 0 else -1),
                ]
            )
    point = {n: [_mean(data[n][axes[0]]), _mean(data[n][axes[1]])] for n in data}
    return {
        "trials": trials,
        "finalists": [point[n] for n in candidates],
        "baselines": {n: point[n] for n in baselines},
        "labels": axes,
        "title": f"{axes[1]} against {axes[0]}",
    }


def _mean(values) -> float:
    return float(sum(values) / len(values)) if values else float("nan")


__all__ = ["Space", "run_optimize"]
