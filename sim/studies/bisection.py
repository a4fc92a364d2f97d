"""One factor at a time across its range, with common random numbers: the runs, the
effects at the ends and the bisection that locates where an effect changes sign.

``Runs`` asks the batch API (``sim.runs.api.run_many``) for each (policy selection,
parameter values) once, with replications ``0..R-1`` of one seed, so that every value of
every factor and both policies of a comparison see the same demand. ``bisect`` measures
the paired difference at both ends of each range and halves each bracket whose ends
disagree until the replications can no longer tell the sign at the midpoint (its 95%
interval holds 0) or ``steps`` halvings are done; ``located`` puts the switching value
where the line between the last bracketing points crosses 0, with an interval spanning
the last bracket and every value where the interpolated 95% band holds 0.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from sim.core.stats import mean_interval
from sim.runs.api import RunSpec, run_many
from sim.runs.study_data import summary_figure
from sim.spec.uncertainty import Range, Uncertainty
from sim.studies.sensitivity import restricted

GRID = 2001  # points of the unit interval on which the 95% band is read


@dataclass(frozen=True)
class Comparison:
    """``policy - reference`` in one scenario (each a selection of policies)."""

    scenario: str
    policy: tuple[str, ...]
    reference: tuple[str, ...]

    @property
    def name(self) -> str:
        return f"{self.scenario}: {'+'.join(self.policy)} vs {'+'.join(self.reference)}"


@dataclass(frozen=True)
class Setup:
    """What every run shares: the run settings and the compared figure."""

    days: int
    warmup_days: int
    start_date: str
    seed: int
    replications: int
    workers: int = 1
    figure: str = "overdue_dossiers"
    steps: int = 6
    screen_samples: int = 4
    screen_replications: int = 1
    progress: bool = False


def quantile(r: Range, value: float) -> float:
    """The unit quantile of ``value`` in a range's distribution (clipped to [0, 1])."""
    value = min(max(float(value), r.low), r.high)
    if r.distribution == "uniform":
        u = (value - r.low) / (r.high - r.low)
    elif r.distribution == "loguniform":
        u = math.log(value / r.low) / math.log(r.high / r.low)
    else:
        from scipy import stats

        c = (r.mode - r.low) / (r.high - r.low)
        u = float(stats.triang.cdf(value, c, loc=r.low, scale=r.high - r.low))
    return min(max(u, 0.0), 1.0)


@dataclass(frozen=True)
class Factor:
    """How a factor is reported: its value at a unit quantile, its default, its range."""

    name: str
    first: Range
    by_quantile: bool  # a group of unscaled ranges: reported by its quantile
    base: float

    def value(self, u: float) -> float:
        return float(u) if self.by_quantile else float(self.first.value(u))

    @property
    def low(self) -> float:
        return self.value(0.0)

    @property
    def high(self) -> float:
        return self.value(1.0)


def factor_of(uncertainty: Uncertainty, name: str) -> Factor:
    ranges = [r for r in uncertainty.ranges if r.factor == name]
    first = ranges[0]
    if first.scale:
        return Factor(name, first, False, 1.0)
    default = float(uncertainty.defaults[uncertainty.targets[first.name][0]])
    if len(ranges) > 1:
        return Factor(name, first, True, quantile(first, default))
    return Factor(name, first, False, default)


def own_parameters(parameters: Mapping, selection: tuple[str, ...]) -> tuple:
    """The parameters that act on a selection (another policy's values left out)."""
    kept = {
        k: v
        for k, v in parameters.items()
        if not (k.startswith("policy.") and k.split(".")[1] not in selection)
    }
    return tuple(sorted(kept.items()))


class Runs:
    """Per-replication figures of (selection, parameters), each run once, in batches."""

    def __init__(self, scenario: str, setup: Setup, run=run_many) -> None:
        self.scenario, self.setup, self.run = scenario, setup, run
        self.cache: dict[tuple, np.ndarray] = {}
        self.count = 0

    def get(self, keys: Sequence[tuple], replications: int | None = None) -> list[np.ndarray]:
        """``keys``: ``(selection, parameters)`` pairs; returns each one's figures."""
        s = self.setup
        reps = replications or s.replications
        todo = list(dict.fromkeys(k for k in keys if (k, reps) not in self.cache))
        specs = [
            RunSpec(
                scenario=self.scenario,
                policies=selection,
                parameters=dict(parameters),
                days=s.days,
                warmup_days=s.warmup_days,
                start_date=s.start_date,
                seed=s.seed,
                replication=replication,
            )
            for selection, parameters in todo
            for replication in range(reps)
        ]
        if specs:
            summaries = self.run(specs, workers=s.workers, progress=s.progress)
            self.count += len(specs)
            for i, key in enumerate(todo):
                chunk = summaries[i * reps : (i + 1) * reps]
                self.cache[(key, reps)] = np.array([summary_figure(x, s.figure) for x in chunk])
        return [self.cache[(k, reps)] for k in keys]


def _at(uncertainty: Uncertainty, factor: str, u: float, selection: tuple) -> tuple:
    return selection, own_parameters(restricted(uncertainty, [factor]).parameters([u]), selection)


@dataclass
class Search:
    """One comparison x factor: the effects measured so far, by unit quantile."""

    comparison: Comparison
    factor: Factor
    points: dict[float, tuple[float, float, float]] = field(default_factory=dict)
    bracket: tuple[float, float] | None = None
    done: bool = False


def _measure(search: Search, runs: Runs, uncertainty: Uncertainty, us: list[float]) -> None:
    c, f = search.comparison, search.factor.name
    keys = [_at(uncertainty, f, u, sel) for u in us for sel in (c.policy, c.reference)]
    values = runs.get(keys)
    for i, u in enumerate(us):
        diff = values[2 * i] - values[2 * i + 1]
        search.points[u] = mean_interval(diff)


def _batch(searches: list[Search], runs: Runs, uncertainty: Uncertainty, which) -> None:
    """Measure every search's next quantiles in one batch of runs."""
    wanted = [(s, which(s)) for s in searches]
    keys = [
        _at(uncertainty, s.factor.name, u, sel)
        for s, us in wanted
        for u in us
        for sel in (s.comparison.policy, s.comparison.reference)
    ]
    runs.get(keys)  # one batch; _measure then reads the cache
    for s, us in wanted:
        _measure(s, runs, uncertainty, us)


def _sign(value: float) -> int:
    return 0 if value == 0 or math.isnan(value) else (1 if value > 0 else -1)


def _unclear(point: tuple[float, float, float]) -> bool:
    _, low, high = point
    return not (math.isnan(low) or math.isnan(high)) and low <= 0 <= high


def bisect(searches: list[Search], runs: Runs, uncertainty: Uncertainty, steps: int) -> None:
    """Ends of every range, then halve each bracket while the replications tell the sign."""
    _batch(searches, runs, uncertainty, lambda s: [0.0, 1.0])
    for s in searches:
        low, high = s.points[0.0][0], s.points[1.0][0]
        if _sign(low) * _sign(high) < 0:
            s.bracket = (0.0, 1.0)
        else:
            s.done = True
    for _ in range(steps):
        active = [s for s in searches if not s.done]
        if not active:
            break
        _batch(active, runs, uncertainty, lambda s: [sum(s.bracket) / 2])
        for s in active:
            a, b = s.bracket
            mid = (a + b) / 2
            if _sign(s.points[mid][0]) == 0:
                s.bracket, s.done = (mid, mid), True
                continue
            same_as_a = _sign(s.points[mid][0]) == _sign(s.points[a][0])
            s.bracket = (mid, b) if same_as_a else (a, mid)
            s.done = _unclear(s.points[mid])


def located(search: Search) -> tuple[float, float, float]:
    """The switching quantile and its interval (NaN when no switch)."""
    if search.bracket is None:
        return math.nan, math.nan, math.nan
    a, b = search.bracket
    ea, eb = search.points[a][0], search.points[b][0]
    u = a if a == b else a + (0 - ea) * (b - a) / (eb - ea)
    us = np.array(sorted(search.points))
    lo, hi = (np.array([search.points[x][i] for x in us]) for i in (1, 2))
    low, high = a, b
    if not (np.isnan(lo).any() or np.isnan(hi).any()):
        grid = np.linspace(0.0, 1.0, GRID)
        holds = (np.interp(grid, us, lo) <= 0) & (np.interp(grid, us, hi) >= 0)
        i = int(np.argmin(np.abs(grid - u)))
        if holds[i]:
            j, k = i, i
            while j > 0 and holds[j - 1]:
                j -= 1
            while k < GRID - 1 and holds[k + 1]:
                k += 1
            low, high = min(low, grid[j]), max(high, grid[k])
    return u, low, high
