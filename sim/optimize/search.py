"""Evaluating allocations by simulation, the greedy marginal allocation, and the Optuna study.

Every allocation is run on the same replications (the same seeds: common random
numbers), so differences between allocations are differences of allocation, not of luck.
The greedy allocation adds, one unit at a time, the unit with the largest simulated
gain per VND, until nothing more fits the budget or staff cap or no unit helps; it is a
baseline and the study's first trial. The study (Optuna: TPE or CMA-ES for one
objective, NSGA-II for two) then searches around it: the per-commune amounts of the
communes that matter (those the baseline run shows worst off, plus wherever greedy put
something), each from 0 to greedy's amount plus a radius; each candidate is repaired to
the caps before it is run.
"""

from __future__ import annotations

import logging
import math
import os
import socket
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import optuna

from sim.runs.api import RunSpec, run_many
from sim.runs.start_from import WarmStart
from sim.studies.budget_space import Allocation, Cell, Space
from sim.studies.selection import direction, loss

COST = "policy_cost_vnd"
LOG = logging.getLogger("sim.optimize")


@dataclass
class Evaluator:
    """Runs allocations on a fixed set of replications and returns their figures."""

    scenario: dict
    space: Space
    objectives: list[str]
    days: int
    warmup_days: int
    start_date: str
    seed: int
    workers: int = 1
    cluster: str | None = None  # run.cluster: a Dask scheduler instead of the local pool
    store: str | None = None
    start: WarmStart | None = None  # optimize.start_from: today's communes and dossiers
    runs: int = 0  # simulation runs asked for (a store may have held some)

    def spec(self, policies: tuple, replication: int, outputs: tuple = ()) -> RunSpec:
        """Replication ``replication`` of ``policies``: from an empty 1 July (run.start_date)
        or, with a warm start, from the day after the history with today's dossiers and
        the calibration's ensemble member of that replication."""
        start = self.start
        return RunSpec(
            scenario=start.scenario(replication) if start else self.scenario,
            policies=policies,
            days=self.days,
            warmup_days=0 if start else self.warmup_days,
            start_date=start.start_date if start else self.start_date,
            seed=self.seed,
            replication=replication,
            outputs=outputs,
            open_dossiers=start.open_dossiers if start else (),
        )

    def figures(
        self, candidates: Sequence[tuple[Mapping[Cell, int], str]], replications: Sequence[int]
    ) -> list[dict[str, list[float]]]:
        """Per candidate ``(allocation, rule)``: each objective and the cost, one value per
        replication."""
        keys = tuple(dict.fromkeys([*self.objectives, COST]))
        specs = [
            self.spec(tuple(self.space.policies(allocation, rule)), r, keys)
            for allocation, rule in candidates
            for r in replications
        ]
        self.runs += len(specs)
        summaries = run_many(specs, workers=self.workers, store=self.store, address=self.cluster)
        n = len(replications)
        return [
            {key: [float(s[key]) for s in summaries[i * n : (i + 1) * n]] for key in keys}
            for i in range(len(candidates))
        ]

    def losses(
        self, allocations: Sequence[Mapping[Cell, int]], replications: Sequence[int]
    ) -> list[list[float]]:
        """Per allocation, the mean loss of each objective (minimised)."""
        found = self.figures([(a, "named") for a in allocations], replications)
        return [[loss(k, sum(f[k]) / len(f[k])) for k in self.objectives] for f in found]


def screened_cells(space: Space, baseline: dict, max_communes: int) -> list[Cell]:
    """The cells of the communes that matter, per lever and field: the ``max_communes``
    communes with the most overdue dossiers of the field in the baseline run (for
    equipment: overdue dossiers of any field), ties by demand per unit of capacity."""
    overdue = baseline.get("overdue_by_commune_field") or {}
    capacity = baseline.get("capacity") or {}

    def load(commune: str, fld: str) -> float:
        cells = [v for v in capacity.values() if v.get("commune") == commune]
        cells = [v for v in cells if not fld or v.get("field") == fld]
        demand = sum(v.get("demand_hours_per_day") or 0.0 for v in cells)
        supply = sum(v.get("capacity_hours_per_day") or 0.0 for v in cells)
        return demand / supply if supply > 0 else float("inf") if demand > 0 else 0.0

    def score(cell: Cell) -> tuple[float, float]:
        by_field = overdue.get(cell.commune, {})
        late = by_field.get(cell.field, 0) if cell.field else sum(by_field.values())
        return float(late or 0), load(cell.commune, cell.field)

    chosen: list[Cell] = []
    groups: dict[tuple[str, str], list[Cell]] = {}
    for cell in space.cells:
        groups.setdefault((cell.lever, cell.field), []).append(cell)
    for cells in groups.values():
        ranked = sorted(cells, key=lambda c: (score(c), c.commune), reverse=True)
        chosen += ranked[:max_communes]
    return sorted(chosen)


def greedy(
    evaluator: Evaluator,
    cells: Sequence[Cell],
    replications: Sequence[int],
    max_steps: int,
    screen: int | None = None,
) -> tuple[Allocation, list[dict]]:
    """Greedy marginal allocation on the first objective; returns it and its steps.

    Each step adds the unit with the largest gain per VND (loss before minus loss after,
    over the unit's cost, on the same replications); it stops when nothing fits, when no
    unit lowers the loss, or after ``max_steps`` units. Lazy evaluation (the accelerated
    greedy): a unit's last gain stands as the bound of its next (more of a lever helps
    less), so a step runs only the units whose bound could still beat the best fresh
    gain, ``workers`` at a time. ``screen`` (fewer than ``replications``): the first
    step's bounds come from a pass of every unit on the first ``screen`` replications
    (paired with the current loss on those), so that only the units it ranks first are
    run on all of them; a unit is still added only on its gain over all replications.
    Without it, the first step runs every unit on every replication.
    """
    space = evaluator.space
    current: Allocation = {}
    current_loss = evaluator.losses([current], replications)[0][0]
    steps = [{"step": 0, "added": "", "loss": current_loss, "cost_vnd": 0.0, "runs": 0}]
    bound = dict.fromkeys(cells, math.inf)  # gain per VND, last seen
    screened = 0
    if screen is not None and screen < len(replications):
        few = list(replications)[:screen]
        options = [c for c in cells if space.fits(space.plus(current, c))]
        before = evaluator.losses([current], few)[0][0]
        found = evaluator.losses([space.plus(current, c) for c in options], few)
        for cell, losses in zip(options, found, strict=True):
            bound[cell] = (before - losses[0]) / space.unit_cost[cell]
        screened = len(options) * screen
    batch = max(1, evaluator.workers)
    for step in range(1, max_steps + 1):
        options = [c for c in cells if space.fits(space.plus(current, c))]
        if not options:
            break
        fresh: dict[Cell, float] = {}  # loss with one more unit of the cell, this step
        while True:
            ranked = sorted(options, key=lambda c: (-bound[c], c))
            if ranked[0] in fresh:
                break
            stale = [c for c in ranked if c not in fresh][:batch]
            found = evaluator.losses([space.plus(current, c) for c in stale], replications)
            for cell, losses in zip(stale, found, strict=True):
                fresh[cell] = losses[0]
                bound[cell] = (current_loss - losses[0]) / space.unit_cost[cell]
        best = ranked[0]
        if bound[best] <= 0:
            break
        current, current_loss = space.plus(current, best), fresh[best]
        steps.append(
            {
                "step": step,
                "added": best.name,
                "loss": current_loss,
                "cost_vnd": space.cost(current),
                "runs": len(fresh) * len(replications) + (screened if step == 1 else 0),
            }
        )
    return current, steps


@dataclass
class StudySettings:
    storage: str  # a journal file, or a database URL (sqlite:///..., postgresql://...)
    study_name: str
    trials: int
    sampler: str = "tpe"  # tpe | cmaes (one objective); two objectives use NSGA-II
    seed: int = 0
    population: int = 8  # NSGA-II population
    radius: int = 2  # a cell's search range: 0 to the start's amount plus this
    attrs: dict = field(default_factory=dict)  # the problem; a study of another is refused


def open_study(settings: StudySettings, objectives: list[str]) -> optuna.Study:
    """Create or load the study (Optuna's journal file by default: safe for several
    processes, and resumable)."""
    if "://" in settings.storage:
        storage: str | optuna.storages.BaseStorage = settings.storage
    else:
        from optuna.storages import JournalStorage
        from optuna.storages.journal import JournalFileBackend

        storage = JournalStorage(JournalFileBackend(settings.storage))
    if len(objectives) == 2:
        sampler: optuna.samplers.BaseSampler = optuna.samplers.NSGAIISampler(
            population_size=settings.population, seed=settings.seed
        )
    elif settings.sampler == "cmaes":
        sampler = optuna.samplers.CmaEsSampler(seed=settings.seed, warn_independent_sampling=False)
    else:
        sampler = optuna.samplers.TPESampler(seed=settings.seed, multivariate=True)
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(
        storage=storage,
        sampler=sampler,
        study_name=settings.study_name,
        directions=["minimize"] * len(objectives),
        load_if_exists=True,
    )
    problem = study.user_attrs.get("problem")
    if problem is None:
        study.set_user_attr("problem", settings.attrs)
    elif problem != settings.attrs:
        from sim.spec.config import ConfigError

        raise ConfigError(
            f"optimize.study_name = {settings.study_name!r}: that study in "
            f"{settings.storage} is for another problem ({problem}); give another "
            "study_name or storage",
            "optimize.study_name",
        )
    return study


def search(
    study: optuna.Study,
    evaluator: Evaluator,
    cells: Sequence[Cell],
    start: Allocation,
    settings: StudySettings,
    replications: Sequence[int],
) -> None:
    """Run trials until the study has ``settings.trials`` finished ones (all workers
    together); the greedy allocation ``start`` is the first trial, and each cell ranges
    from 0 to its amount there plus ``settings.radius``."""
    space = evaluator.space
    if not study.user_attrs.get("start_enqueued"):
        study.set_user_attr("start_enqueued", True)
        study.enqueue_trial({c.name: start.get(c, 0) for c in cells})
    worker = f"{socket.gethostname()}:{os.getpid()}"
    # around the start: at most ``radius`` units more than it has in each cell
    high = {c: min(space.upper[c], start.get(c, 0) + settings.radius) for c in cells}

    def objective(trial: optuna.Trial) -> list[float] | float:
        wanted = {c: trial.suggest_int(c.name, 0, high[c]) for c in cells}
        allocation = space.repair(wanted)
        trial.set_user_attr("allocation", {c.name: n for c, n in allocation.items()})
        trial.set_user_attr("cost_vnd", space.cost(allocation))
        trial.set_user_attr("staff", space.staff(allocation))
        trial.set_user_attr("worker", worker)
        losses = evaluator.losses([allocation], replications)[0]
        return losses[0] if len(losses) == 1 else losses

    done = _finished(study)
    if done >= settings.trials:
        return
    study.optimize(
        objective,
        n_trials=settings.trials - done,
        callbacks=[
            optuna.study.MaxTrialsCallback(
                settings.trials, states=(optuna.trial.TrialState.COMPLETE,)
            )
        ],
    )


def _finished(study: optuna.Study) -> int:
    return len(study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,)))


def finalists(study: optuna.Study, space: Space, count: int) -> list[Allocation]:
    """The best distinct allocations of the study: the Pareto front with two objectives
    (up to ``count``, spread along it), otherwise the ``count`` best trials."""
    by_name = {c.name: c for c in space.cells}
    trials = study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,))
    if len(study.directions) > 1:
        pool = sorted(study.best_trials, key=lambda t: t.values)
        if len(pool) > count:
            step = (len(pool) - 1) / (count - 1) if count > 1 else 0
            pool = [pool[round(i * step)] for i in range(count)]
    else:
        pool = sorted(trials, key=lambda t: t.value)
    seen: list[Allocation] = []
    for trial in pool:
        allocation = {by_name[k]: int(n) for k, n in trial.user_attrs["allocation"].items()}
        allocation = dict(sorted(allocation.items()))
        if allocation not in seen:
            seen.append(allocation)
        if len(seen) >= count:
            break
    return seen


def directions(objectives: Sequence[str]) -> list[str]:
    return [direction(k) for k in objectives]
