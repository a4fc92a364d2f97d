"""``python -m sim.calibrate scenario=NAME forecast.history=PATH``: fit the scenario to a
planner's history and write ``calibration.json`` (cached by a hash of the history, the
scenario and the calibration settings; ``sim.forecast`` reuses it), and beside it
``open_dossiers.csv``, the dossiers open at the history's end (``forecast.open_dossiers``,
else rebuilt from its last day): the folder is what ``python -m sim.optimize
optimize.start_from=DIR`` starts from.

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
Where a cell's clerks were busy (a day's work waiting) on enough days of the demand
window and the field has clerks of its own, its capacity is identified directly: the
observed busy-day throughput over the model's in a probe run with a deep backlog
(sim/runs/calibration.py ``direct_capacity``), with that mean's standard error as its
uncertainty; a trajectory fit over a few weeks would follow that window's chance drift
instead. The studies search the other cells, where capacity shows only through the
backlog's level, the results and the overdue dossiers.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import math
import sys
import time
from pathlib import Path

import hydra
import numpy as np
import pandas as pd
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig, OmegaConf

from sim.api import RunSpec, run_many
from sim.reports.outputs import write_outputs
from sim.runs.calibration import (
    cell_losses,
    dedicated_cells,
    direct_capacity,
    ensemble,
    estimate_demand,
    expanded_scenario,
    history_fatigue,
    observed_window,
    probe_backlog,
    with_factors,
)
from sim.runs.job_check import check_job
from sim.runs.outputs import write_csv, write_json
from sim.runs.user_errors import one_line_errors, run_command, say
from sim.spec.config import ConfigError
from sim.spec.observed import read_history, read_open_dossiers, rebuild_open_dossiers
from sim.spec.scenario import display_names

CONFIG_DIR = str(Path(__file__).resolve().parent.parent / "configs")
EXTRA_BLOCKS = ("forecast", "calibration", "backtest")
LOG = logging.getLogger("sim.calibrate")
METHOD = 7  # part of the cache key: raise it when the calibration's method changes


def checked(cfg: DictConfig) -> tuple[dict, dict, object]:
    """The resolved config, its extra blocks (forecast, calibration, backtest) and the
    checked job (scenario and policies read as ``python -m sim.run`` reads them)."""
    container = OmegaConf.to_container(cfg, resolve=True)
    unresolved = OmegaConf.to_container(cfg, resolve=False)
    extra = {key: container.pop(key, {}) or {} for key in EXTRA_BLOCKS}
    for key in EXTRA_BLOCKS:
        unresolved.pop(key, None)
    return container, extra, check_job(container, unresolved)


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


def history_key(history: pd.DataFrame, scenario: dict, settings: dict) -> str:
    """Cache key of a calibration: the history's content, the scenario, the settings."""
    text = history.to_csv(index=False) + json.dumps(
        {"scenario": scenario, "settings": settings, "method": METHOD},
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def calibrate(
    scenario: dict,
    spec,
    history: pd.DataFrame,
    settings: dict,
    *,
    seed: int,
    workers: int = 1,
    progress: bool = False,
) -> dict:
    """The calibration of ``scenario`` to ``history`` (see the module's docstring)."""
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
    carried = rebuild_open_dossiers(history[history["date"] < first], deadline_days(spec))
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

    def runs_of(capacity_sets: list[dict[str, float]], carried=carried) -> list[list[dict]]:
        specs = [
            RunSpec(
                with_factors(scenario, demand_factors, capacity, trends, -(fit_days - 1), fatigue),
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
        results = [s["daily_cells"] for s in run_many(specs, workers=workers)]
        return [results[i : i + replications] for i in range(0, len(results), replications)]

    probe = runs_of([neutral], probe_backlog(observed, first))[0]
    busy_window = observed_window(history, dt.date.fromisoformat(demand["window"][0]))
    direct = direct_capacity(busy_window, probe)
    direct = {c: d for c, d in direct.items() if c in dedicated_cells(spec)}
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
        "members": members,
        "fit": fit,
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
    cfg_extra: dict, container: dict, job, history: pd.DataFrame, workers: int
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


def load_history(extra: dict, job) -> pd.DataFrame:
    path = extra["forecast"].get("history")
    if not path:
        raise ConfigError(
            "forecast.history: not given; add forecast.history=PATH of your history.csv "
            "(template: configs/forecast/history_template.csv)",
            "forecast.history",
        )
    communes = [c.name for c in job.spec.communes]
    return read_history(path, communes, job.spec.fields)


def open_dossiers(extra: dict, job, history: pd.DataFrame) -> tuple[tuple, str]:
    """The dossiers open at the end of the history (``forecast.open_dossiers``, else
    rebuilt from its last day), as RunSpec tuples, and where they came from."""
    last = max(history["date"])
    path = extra["forecast"].get("open_dossiers")
    communes = [c.name for c in job.spec.communes]
    if path:
        items = read_open_dossiers(path, communes, job.spec.fields, last)
        source = str(path)
    else:
        items = rebuild_open_dossiers(history, deadline_days(job.spec))
        source = "rebuilt from open_end and overdue_end of the last date"
    carried = tuple(
        (d.commune, d.field, d.received_date.isoformat(), d.deadline_date.isoformat())
        for d in items
    )
    return carried, source


def write_start(out_dir: Path, carried: tuple, history: pd.DataFrame, spec) -> None:
    """Beside calibration.json, the state of the communes the day after the history, which
    ``optimize.start_from`` starts from: ``open_dossiers.csv`` (the dossiers then open)
    and ``start.json`` (the clerks' fatigue per commune, ``initial_fatigue``)."""
    columns = ["commune", "field", "received_date", "deadline_date"]
    write_csv(out_dir / "open_dossiers.csv", pd.DataFrame(list(carried), columns=columns))
    day = max(history["date"]) + dt.timedelta(days=1)
    state = {"start_date": day.isoformat(), "initial_fatigue": history_fatigue(history, spec, day)}
    write_json(out_dir / "start.json", state)


def calibration_table(result: dict) -> pd.DataFrame:
    """One row per commune x field: demand and effective capacity factors (the workbook)."""
    rows = []
    for cell, values in result["capacity"].items():
        commune, field = cell.split("|")
        d = result["demand"]["cells"][cell]
        rows.append(
            {
                "commune": commune,
                "field": field,
                "observed_per_day": d["observed_per_day"],
                "demand_factor": d["demand_factor"],
                "demand_factor_low": d["demand_factor_low"],
                "demand_factor_high": d["demand_factor_high"],
                "capacity_p05": values["p05"],
                "capacity_p50": values["p50"],
                "capacity_p95": values["p95"],
            }
        )
    return pd.DataFrame(rows)


@hydra.main(config_path="../configs", config_name="forecast", version_base="1.3")
def main(cfg: DictConfig) -> None:
    out_dir = Path(HydraConfig.get().runtime.output_dir)
    with one_line_errors(cfg.get("verbose", False) is True):
        container, extra, job = checked(cfg)
        history = load_history(extra, job)
        result, key, cached = cached_calibration(
            extra, container, job, history, int(container["run"]["workers"])
        )
        carried, _ = open_dossiers(extra, job, history)
        write_json(out_dir / "calibration.json", result)
        write_start(out_dir, carried, history, job.spec)
        write_outputs(
            out_dir,
            container.get("output"),
            workbook="calibration.xlsx",
            sheets=lambda: {"calibration": calibration_table(result)},
            names=display_names(job.spec),
        )
    state = "reused from the cache" if cached else f"{result['runs']} runs, {result['seconds']} s"
    say(f"calibration {key} ({state}): {out_dir / 'calibration.json'}")
    for cell, values in result["capacity"].items():
        d = result["demand"]["cells"][cell]
        say(
            f"  {cell:32s} demand x{d['demand_factor']:.2f} "
            f"[{d['demand_factor_low']:.2f}, {d['demand_factor_high']:.2f}]  capacity "
            f"x{values['p50']:.2f} [{values['p05']:.2f}, {values['p95']:.2f}]"
        )


if __name__ == "__main__":
    sys.exit(run_command(main, sys.argv[1:], Path(CONFIG_DIR)))
