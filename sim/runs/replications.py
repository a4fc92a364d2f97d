"""Run several seeds of one scenario and fold them into means with 95% intervals."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pandas as pd

from sim.abm.model import GovernanceModel
from sim.core.metrics import combine_daily
from sim.core.stats import mean_interval, replications_for
from sim.core.summary import (
    HEADLINE,
    bounds_of,
    is_number,
    precision_target,
    shown_in,
    worst_off,
)
from sim.policies import build_policies
from sim.runs.country import CountrySpec, run_country
from sim.spec.config import ConfigError
from sim.spec.scenario import ScenarioSpec


def replication_seed(seed: int, replication: int) -> int:
    """The model seed of replication ``replication`` of a job with master ``seed``.

    It depends on nothing else, so every policy compared under one master seed sees the
    same demand in each replication (common random numbers).
    """
    return int(np.random.SeedSequence([int(seed), int(replication)]).generate_state(1)[0])


def run_replication(
    spec: ScenarioSpec | CountrySpec,
    policy_cfg: dict,
    *,
    seed: int,
    replication: int,
    days: int,
    warmup_days: int,
    start_date: str,
    on_day: Callable[[], None] | None = None,
    workers: int = 1,
    cluster: str | None = None,
    open_dossiers: tuple = (),
    cell_series: bool = False,
) -> tuple[dict, pd.DataFrame]:
    """One model run (a country: one per province): summary figures and daily series.

    ``workers`` is the number of processes a country's provinces run on, ``cluster`` a
    Dask scheduler to run them on instead (``run.cluster``); neither changes the
    results. ``open_dossiers`` start the run warm (sim/abm/warm_start.py);
    ``cell_series`` adds ``daily_cells`` (per commune and field) to the summary.
    """
    if isinstance(spec, CountrySpec):
        if open_dossiers or cell_series:
            raise ConfigError(
                "scenario=country: open dossiers and daily cell series are for one "
                "province's scenario; choose that province's scenario",
                "scenario",
            )
        return run_country(
            spec,
            policy_cfg,
            seed=seed,
            replication=replication,
            days=days,
            warmup_days=warmup_days,
            start_date=start_date,
            workers=workers,
            cluster=cluster,
            on_day=on_day,
        )
    model = GovernanceModel(
        spec,
        seed=replication_seed(seed, replication),
        start_date=start_date,
        warmup_days=warmup_days,
        policies=build_policies(policy_cfg, spec),
        open_dossiers=open_dossiers,
        cell_series=cell_series,
    )
    model.run(days, on_day=on_day)
    summary = model.summary()
    if cell_series:
        summary["daily_cells"] = model.cell_series()
    return summary, model.daily_frame()


def aggregate(summaries: list[dict], top: bool = True) -> dict:
    """Means over replications of every figure; ``ci95`` blocks when there are several.

    Intervals are clipped to the range a figure can take (no negative counts, rates in
    [0, 1]). At the top level, ``replications_needed`` says how many replications would
    bring every headline figure's interval within 10% of it (2 points for a rate).
    """
    first = summaries[0]
    result: dict = {}
    ci: dict = {}
    for key, value in first.items():
        if isinstance(value, dict):
            result[key] = {}
            for name in _names(s[key] for s in summaries):  # a group may be absent in some
                present = [s[key][name] for s in summaries if name in s[key]]
                item = present[0]
                if isinstance(item, dict):
                    result[key][name] = aggregate(present, top=False)
                elif isinstance(item, int | float) or item is None:
                    result[key][name] = _mean_of(present)  # e.g. costs by commune
                else:
                    result[key][name] = item
        elif isinstance(value, int | float):
            values = [s[key] for s in summaries if key in s]
            mean, low, high = mean_interval(values, bounds=bounds_of(key, values))
            result[key] = None if math.isnan(mean) else mean
            if len(summaries) > 1:
                ci[key] = None if math.isnan(low) else [low, high]
        else:
            result[key] = value
    if len(summaries) > 1:
        result["ci95"] = ci
        if top:
            result["replications_needed"] = replications_needed(summaries)
    if "worst_off_commune" in result:  # from the means, not from one replication
        result["worst_off_commune"] = worst_off(result["by_commune"])
    return result


def _names(blocks) -> list[str]:
    """The keys of several mappings, in the order they first appear."""
    names: dict[str, None] = {}
    for block in blocks:
        names.update(dict.fromkeys(block))
    return list(names)


def _mean_of(values: list[float]) -> float | None:
    mean = mean_interval(values)[0]
    return None if math.isnan(mean) else mean


def replications_needed(summaries: list[dict]) -> int | None:
    """Replications for every headline figure's interval to come within its target."""
    advised = []
    for figure in shown_in(HEADLINE):
        values = [s.get(figure.key) for s in summaries]
        numbers = [v for v in values if is_number(v)]
        if len(numbers) > 1:
            target = precision_target(figure, sum(numbers) / len(numbers))
            advised.append(replications_for(numbers, target))
    advised = [n for n in advised if n is not None]
    return max(advised) if advised else None


def mean_daily(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Day-by-day means over replications (dates taken from the first)."""
    return combine_daily(frames, average=True)
