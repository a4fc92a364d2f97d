"""The scenario calibrated to a planner's history (``python -m sim.calibrate``).

Demand per commune x field comes straight from ``received`` (sim/runs/calibration.py).
The effective capacity of each commune x field (a factor on its clerks' speed: what the
scenario does not know about the office, absorbed in one number) is fitted by
simulation: the model starts ``calibration.fit_days`` before the history's end with the
dossiers then open (rebuilt from that day's ``open_end`` and ``overdue_end``), runs to
the end, and is scored against the observed ``open_end``, ``overdue_end`` and
``resolved`` of each cell. Each cell has its own Optuna study (TPE, ask-and-tell); a
round asks every study for a value, runs the joint parameter set through
``sim.api.run_many`` (``calibration.replications`` replications, common random
numbers), and tells each study its own cell's loss, so that ``calibration.trials``
runs search every cell at once. The ensemble keeps, per cell, the best
``calibration.accept`` share of trials (ABC-style acceptance); a cell with fewer than
``calibration.min_dossiers`` receipts in the fit window takes its field's values.
Where a cell's clerks were busy (the queue at a day's start more than the cell ever
resolved in a day) on enough days of the demand window and the field has clerks of its
own, its capacity is identified directly: the observed busy-day throughput over the
model's in a probe run with a deep backlog (sim/runs/calibration.py
``direct_capacity``), with that mean's standard error as its uncertainty. Where that
factor lies outside the searched range, the cell's clerks are counted again instead
(an integer, the scenario's count times the factor, rounded) and the factor that
remains is kept. A cell whose accepted values end at a bound of the range is named in
``at_bound``: the scenario cannot reproduce it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from sim.forecasting.ensemble import cell_losses, ensemble
from sim.runs.calibration import (
    dedicated_cells,
    dedicated_groups,
    direct_capacity,
    estimate_demand,
    expanded_scenario,
    history_fatigue,
    observed_window,
    probe_backlog,
    with_factors,
)
from sim.runs.log_calibration import log_capacity, log_open_dossiers, log_profile
from sim.runs.outputs import write_json
from sim.spec.config import ConfigError
from sim.spec.observed import rebuild_open_dossiers

METHOD = 8  # part of the cache key: raise it when the calibration's method changes


def deadline_days(spec) -> dict[str, int]:
    """Per field: the share-weighted deadline of its procedures, in calendar days."""
    result: dict[str, list[tuple[float, float]]] = {}
    for p in spec.procedures:
        if p.deadline_hours is not None:
            days = p.deadline_hours / 24.0
        else:
            days = p.deadline_working_days * 7.0 / 5.0
        result.setdefault(p.field, []).append((max(p.share, 1e-9), days))
    return {
        f: max(1, round(sum(w * d for w, d in items) / sum(w for w, _ in items)))
        for f, items in result.items()
    }


AT_BOUND = 1.05  # assumption: a median within 5% of a bound has run into it


def recount_clerks(scenario: dict, direct: dict, low: float, high: float) -> dict[str, int]:
    """Cells whose direct capacity factor lies outside ``(low, high)``: their clerks
    counted again (the scenario's count times the factor, rounded, at least one; its
    count as the prior), the direct factor replaced in place by what remains."""
    result = {}
    entries = {e["name"]: e for e in scenario["communes"]}
    for cell, estimate in direct.items():
        factor = estimate["factor"]
        if low < factor < high:
            continue
        commune, field = cell.split("|")
        count = sum(int(g.get("count", 1)) for g in dedicated_groups(entries[commune], field))
        if count <= 0:
            continue
        recount = max(1, round(count * factor))
        remains = factor * count / recount
        if recount != count and low < remains < high:
            result[cell] = recount
            estimate["factor"] = remains
            estimate["clerks_scenario"] = count
    return result


def history_key(history: pd.DataFrame, scenario: dict, settings: dict) -> str:
    """Cache key of a calibration: the history's content, the scenario, the settings."""
    text = history.to_csv(index=False) + str(history.attrs.get("log", ""))  # a log's dossiers
    text += json.dumps(
        {"scenario": scenario, "settings": settings, "method": METHOD},
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def calibrate(
    api,
    scenario: dict,
    spec,
    history: pd.DataFrame,
    settings: dict,
    *,
    seed: int,
    workers: int = 1,
    progress: bool = False,
) -> dict:
    """The calibration of ``scenario`` to ``history`` (see the module's docstring);
    ``api``: the run engine (``sim.api``: ``RunSpec``, ``run_many``), given by the command."""
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    started = time.perf_counter()
    scenario = expanded_scenario(scenario)
    demand = estimate_demand(history, scenario, int(settings["demand_weeks"]))
    dates = sorted(set(history["date"]))
    last = dates[-1]
    fit_days = min(int(settings["fit_days"]), len(dates) - 1)
    if fit_days < 7:
        raise ConfigError(
            f"forecast.history: {len(dates)} days; calibration needs at least 8 (one to "
            "start from, a week to fit); give a longer history",
            "forecast.history",
        )
    first = last - dt.timedelta(days=fit_days - 1)
    before = history[history["date"] < first]  # a log knows the dossiers then open
    carried = log_open_dossiers(before) or rebuild_open_dossiers(before, deadline_days(spec))
    carried = tuple(
        (d.commune, d.field, d.received_date.isoformat(), d.deadline_date.isoformat())
        for d in carried
    )
    observed = observed_window(history, first)
    fatigue = history_fatigue(history, spec, first)
    cells = list(observed)
    demand_factors = {c: demand["cells"][c]["demand_factor"] for c in cells}
    trends = {c: demand["cells"][c]["trend_per_day"] for c in cells}
    low, high = float(settings["capacity_low"]), float(settings["capacity_high"])
    replications = int(settings["replications"])
    neutral = dict.fromkeys(cells, 1.0)

    clerks: dict[str, int] = {}

    def runs_of(capacity_sets: list[dict[str, float]], carried=carried) -> list[list[dict]]:
        specs = [
            api.RunSpec(
                with_factors(
                    scenario, demand_factors, capacity, trends, -(fit_days - 1), fatigue, clerks
                ),
                days=fit_days,
                start_date=first.isoformat(),
                seed=seed,
                replication=r,
                open_dossiers=carried,
                cell_series=True,
                outputs=("daily_cells",),
            )
            for capacity in capacity_sets
            for r in range(replications)
        ]
        results = [s["daily_cells"] for s in api.run_many(specs, workers=workers)]
        return [results[i : i + replications] for i in range(0, len(results), replications)]

    probe = runs_of([neutral], probe_backlog(observed, first))[0]
    busy_window = observed_window(history, dt.date.fromisoformat(demand["window"][0]))
    direct = direct_capacity(busy_window, probe)
    direct = log_capacity(history, probe, direct, demand["window"][0])
    direct = {c: d for c, d in direct.items() if c in dedicated_cells(spec)}
    clerks.update(recount_clerks(scenario, direct, low, high))
    searched = [c for c in cells if c not in direct or not low < direct[c]["factor"] < high]
    direct = {c: d for c, d in direct.items() if c not in searched}
    fixed = {c: d["factor"] for c, d in direct.items()}
    studies = {
        cell: optuna.create_study(sampler=optuna.samplers.TPESampler(seed=seed + i))
        for i, cell in enumerate(searched)
    }
    trials, losses = [], []
    batch = max(1, int(settings["batch"]))
    rounds = math.ceil(int(settings["trials"]) / batch)
    for number in range(rounds):
        asked = [{c: s.ask() for c, s in studies.items()} for _ in range(batch)]
        values = [
            {**fixed, **{c: t.suggest_float("capacity", low, high, log=True) for c, t in a.items()}}
            for a in asked
        ]
        for a, value, runs in zip(asked, values, runs_of(values), strict=True):
            loss = cell_losses(runs, observed)
            for cell, trial in a.items():
                studies[cell].tell(trial, loss[cell])
            trials.append(value)
            losses.append(loss)
        if progress:
            print(f"calibration: round {number + 1} of {rounds}", file=sys.stderr)
    supported = {c: sum(observed[c]["received"]) >= settings["min_dossiers"] for c in cells}
    members, capacity = ensemble(
        trials,
        losses,
        demand["cells"],
        int(settings["ensemble"]),
        float(settings["accept"]),
        seed,
        supported,
        {c: d["relative_se"] for c, d in direct.items()},
    )
    fit = _fit(runs_of([members[0]["capacity"]])[0], observed, first)
    at_bound = [
        c for c in searched
        if capacity[c]["own_data"] and not low * AT_BOUND < capacity[c]["p50"] < high / AT_BOUND
    ]  # fmt: skip
    return {
        "scenario": spec.name,
        "history_last_date": last.isoformat(),
        "fit_window": [first.isoformat(), last.isoformat()],
        "fit_start_fatigue": fatigue,
        "settings": settings,
        "seed": seed,
        "demand": demand,
        "capacity": capacity,
        "capacity_direct": direct,
        "clerks": clerks,
        "at_bound": at_bound,
        "members": members,
        "fit": fit,
        "log": log_profile(history),
        "trials": len(trials),
        "runs": (len(trials) + 2) * replications,
        "seconds": round(time.perf_counter() - started, 1),
    }


def _fit(runs: list[dict], observed: dict, first: dt.date) -> dict:
    """The best parameter set's fit: per commune, observed and simulated (mean) daily
    backlog and overdue, and their mean absolute error."""
    communes = sorted({c.split("|")[0] for c in observed})
    days = len(next(iter(observed.values()))["backlog"])
    result = {
        "dates": [(first + dt.timedelta(days=k)).isoformat() for k in range(days)],
        "communes": {},
    }
    for commune in communes + ["all"]:
        mine = [c for c in observed if commune == "all" or c.startswith(f"{commune}|")]
        entry = {}
        for key in ("backlog", "overdue"):
            obs = np.sum([observed[c][key] for c in mine], axis=0)
            sim = np.mean(
                [np.sum([r["cells"][c][key] for c in mine], axis=0) for r in runs], axis=0
            )
            entry[f"{key}_observed"] = obs.tolist()
            entry[f"{key}_simulated"] = [round(float(v), 2) for v in sim]
            entry[f"{key}_mae"] = float(np.mean(np.abs(sim - obs)))
        result["communes"][commune] = entry
    return result


def cached_calibration(
    api, cfg_extra: dict, container: dict, job, history: pd.DataFrame, workers: int
) -> tuple[dict, str, bool]:
    """The calibration for this history and scenario: from the cache when there, else
    run (and cached). Returns it, its key and whether it came from the cache."""
    settings = dict(cfg_extra["calibration"])
    cache_dir = Path(settings.pop("cache_dir"))
    key = history_key(history, container["scenario"], settings)
    path = cache_dir / f"{key}.json"
    if path.is_file():
        return json.loads(path.read_text()), key, True
    result = calibrate(
        api,
        container["scenario"],
        job.spec,
        history,
        settings,
        seed=job.settings.seed,
        workers=workers,
        progress=job.settings.progress is True,
    )
    result["key"] = key
    cache_dir.mkdir(parents=True, exist_ok=True)
    write_json(path, result)
    return result, key, False
