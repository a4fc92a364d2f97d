"""``python -m sim.forecast scenario=NAME forecast.history=PATH [forecast.open_dossiers=PATH]
forecast.days=28 [policy=[NAME]]``: a calibrated forecast from a planner's own data.

The scenario is calibrated to the history (sim/calibrate.py; reused from the cache when
the history, scenario and settings are unchanged), then every parameter set of the
calibration's ensemble runs ``run.replications`` replications from the day after the
history's last date, with the dossiers open at its end in their queues (from
``open_dossiers.csv``, else rebuilt from ``open_end`` and ``overdue_end``). Outputs in
the run folder: ``forecast.csv`` (per date x commune and ``all``: the 5th, 50th and
95th percentiles of backlog, overdue and resolved, the median received),
``calibration.json``, ``open_dossiers.csv`` (the dossiers the runs start with: the folder
is what ``python -m sim.optimize optimize.start_from=DIR`` starts from), ``report.html``,
``forecast.json``. ``forecast.widen=auto``
stretches each commune's bands by what a backtest of the history's last weeks shows
they need for 90% coverage (sim/backtest.py); with a policy besides the
baseline, also ``forecast_policy.csv`` and ``difference.csv`` (policy minus baseline,
paired run by run: the same seeds, common random numbers).
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from pathlib import Path

import hydra
import pandas as pd
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig

from sim.api import RunSpec, run_many
from sim.calibrate import (
    CONFIG_DIR,
    cached_calibration,
    checked,
    deadline_days,
    load_history,
    open_dossiers,
    write_start,
)
from sim.reports.forecast_report import write_forecast_report
from sim.reports.outputs import write_outputs
from sim.runs.calibration import expanded_scenario, history_fatigue, member_scenario
from sim.runs.forecasting import (
    bands,
    paired_difference,
    threshold_crossings,
    widen_factors,
)
from sim.runs.outputs import write_csv, write_json
from sim.runs.user_errors import one_line_errors, run_command, say
from sim.spec.config import ConfigError
from sim.spec.observed import rebuild_open_dossiers, totals
from sim.spec.scenario import display_names


def forecast_runs(
    scenario: dict,
    calibration: dict,
    carried: tuple,
    *,
    start: dt.date,
    days: int,
    seed: int,
    replications: int,
    policies: tuple,
    workers: int,
    spin_up: int = 0,
    fatigue: dict | None = None,
) -> list[dict]:
    """``daily_cells`` of every ensemble member x replication under ``policies``; run
    ``m * replications + r`` has the same seed whatever the policies (common random
    numbers). With ``spin_up`` days the runs start that many days before ``start``
    (``carried``: the dossiers open then) and only the days from ``start`` are kept.
    ``fatigue``: the clerks' fatigue per commune on the runs' first day."""
    scenario = expanded_scenario(scenario)
    first = start - dt.timedelta(days=spin_up)
    specs = [
        RunSpec(
            member_scenario(scenario, calibration, m, 1 - spin_up, fatigue),
            policies=policies,
            days=days + spin_up,
            start_date=first.isoformat(),
            seed=seed,
            replication=m * replications + r,
            open_dossiers=carried,
            cell_series=True,
            outputs=("daily_cells",),
        )
        for m in range(len(calibration["members"]))
        for r in range(replications)
    ]
    runs = [summary["daily_cells"] for summary in run_many(specs, workers=workers)]
    return [
        {
            "dates": run["dates"][spin_up:],
            "cells": {
                cell: {key: values[spin_up:] for key, values in series.items()}
                for cell, series in run["cells"].items()
            },
        }
        for run in runs
    ]


def spun_up(history: pd.DataFrame, spec, spin_up: int) -> tuple[int, tuple]:
    """``forecast.spin_up_days``: the days the runs live through before the forecast,
    and the dossiers open at their start (rebuilt from the history)."""
    dates = sorted(set(history["date"]))
    spin_up = max(0, min(int(spin_up), len(dates) - 1))
    start = dates[-1] - dt.timedelta(days=spin_up - 1)
    carried = tuple(
        (d.commune, d.field, d.received_date.isoformat(), d.deadline_date.isoformat())
        for d in rebuild_open_dossiers(history[history["date"] < start], deadline_days(spec))
    )
    return spin_up, carried


def holdout_forecast(
    container: dict, extra: dict, job, history: pd.DataFrame, holdout: int, workers: int
):
    """Calibrate on the history less its last ``holdout`` days and forecast them from
    the dossiers then open (rebuilt): the unwidened band, the held-out truth (daily sums
    per commune and ``all``, ISO dates), the shortened history, the calibration's key
    and the runs."""
    dates = sorted(set(history["date"]))
    if not 1 <= holdout <= len(dates) - 15:
        raise ConfigError(
            f"backtest.holdout_days = {holdout}: the history has {len(dates)} days; hold out "
            f"between 1 and {len(dates) - 15} (calibration needs at least two weeks)",
            "backtest.holdout_days",
        )
    cut = dates[-holdout - 1]
    train = history[history["date"] <= cut].reset_index(drop=True)
    truth = totals(history[history["date"] > cut])
    truth["date"] = [d.isoformat() for d in truth["date"]]
    calibration, key, _ = cached_calibration(extra, container, job, train, workers)
    spin_up, carried = spun_up(train, job.spec, extra["forecast"].get("spin_up_days", 0))
    if not spin_up:
        carried = tuple(
            (d.commune, d.field, d.received_date.isoformat(), d.deadline_date.isoformat())
            for d in rebuild_open_dossiers(train, deadline_days(job.spec))
        )
    runs = forecast_runs(
        container["scenario"],
        calibration,
        carried,
        start=cut + dt.timedelta(days=1),
        days=holdout,
        seed=job.settings.seed,
        replications=job.settings.replications,
        policies=("baseline",),
        workers=workers,
        spin_up=spin_up,
        fatigue=history_fatigue(train, job.spec, cut + dt.timedelta(days=1 - spin_up)),
    )
    return bands(runs), truth, train, key, runs


def band_widening(container: dict, extra: dict, job, history: pd.DataFrame, workers: int):
    """``forecast.widen``: a number, or ``auto``: per commune and series, the widening
    a backtest over ``backtest.holdout_days`` (at most half the history) needs for 90%
    coverage. Returns it and where it came from."""
    widen = extra["forecast"].get("widen", 1.0)
    if widen != "auto":
        try:
            return float(widen), "forecast.widen"
        except (TypeError, ValueError):
            raise ConfigError(
                f"forecast.widen = {widen!r}: a number >= 1 or auto", "forecast.widen"
            ) from None
    days = len(set(history["date"]))
    holdout = min(int(extra["backtest"]["holdout_days"]), days // 2)
    if holdout < 7 or days - holdout < 15:
        return 1.0, f"none: a {days}-day history is too short for a backtest"
    raw, truth, *_ = holdout_forecast(container, extra, job, history, holdout, workers)
    return widen_factors(raw, truth), f"backtest of the last {holdout} days"


def selected_policies(container: dict) -> tuple:
    """The policies besides the baseline, as (name, config) pairs (overrides kept)."""
    return tuple(
        (name, config) for name, config in (container.get("policy") or {}).items()
        if name != "baseline"
    )  # fmt: skip


def run_forecast(cfg: DictConfig, out_dir: Path) -> dict:
    started = time.perf_counter()
    container, extra, job = checked(cfg)
    settings = extra["forecast"]
    history = load_history(extra, job)
    workers = int(container["run"]["workers"])
    calibration, key, cached = cached_calibration(extra, container, job, history, workers)
    carried, source = open_dossiers(extra, job, history)
    today = carried  # open at the history's end: open_dossiers.csv, whatever the spin-up
    spin_up, early = spun_up(history, job.spec, settings.get("spin_up_days", 0))
    if spin_up:
        carried = early
        source = f"rebuilt {spin_up} days before the history's end; the runs live through them"
    last = max(history["date"])
    days = int(settings["days"])
    if days < 1:
        raise ConfigError(f"forecast.days = {days}: must be >= 1", "forecast.days")
    common = dict(
        start=last + dt.timedelta(days=1),
        days=days,
        seed=job.settings.seed,
        replications=job.settings.replications,
        workers=workers,
        spin_up=spin_up,
        fatigue=history_fatigue(history, job.spec, last + dt.timedelta(days=1 - spin_up)),
    )
    baseline = forecast_runs(
        container["scenario"], calibration, carried, policies=("baseline",), **common
    )
    widen, widen_source = band_widening(container, extra, job, history, workers)
    table = bands(baseline, widen)
    write_json(out_dir / "calibration.json", calibration)
    write_start(out_dir, today, history, job.spec)
    write_csv(out_dir / "forecast.csv", table)
    policies = selected_policies(container)
    policy_table = difference = None
    if policies:
        runs = forecast_runs(
            container["scenario"], calibration, carried, policies=policies, **common
        )
        policy_table = bands(runs, widen)
        difference = paired_difference(baseline, runs)
        write_csv(out_dir / "forecast_policy.csv", policy_table)
        write_csv(out_dir / "difference.csv", difference)
    threshold = float(settings["overdue_threshold"])
    crossings = threshold_crossings(table, threshold)
    result = {
        "scenario": job.spec.name,
        "history_last_date": last.isoformat(),
        "forecast_days": days,
        "runs_per_policy": len(baseline),
        "open_dossiers": len(carried),
        "open_dossiers_source": source,
        "spin_up_days": spin_up,
        "initial_fatigue": common["fatigue"],
        "calibration_key": key,
        "calibration_cached": cached,
        "policies": [name for name, _ in policies],
        "overdue_threshold": threshold,
        "threshold_crossings": crossings,
        "widen": widen,
        "widen_source": widen_source,
        "seconds": round(time.perf_counter() - started, 1),
    }
    write_json(out_dir / "forecast.json", result)
    write_outputs(
        out_dir,
        container.get("output"),
        report=lambda: write_forecast_report(
            out_dir / "report.html",
            history=history,
            table=table,
            calibration=calibration,
            result=result,
            policy_table=policy_table,
            difference=difference,
            names=display_names(job.spec),
        ),
        workbook="forecast.xlsx",
        sheets=lambda: {
            name: frame
            for name, frame in (
                ("forecast", table),
                ("policy forecast", policy_table),
                ("policy minus baseline", difference),
            )
            if frame is not None
        },
        names=display_names(job.spec),
    )
    return result


@hydra.main(config_path="../configs", config_name="forecast", version_base="1.3")
def main(cfg: DictConfig) -> None:
    out_dir = Path(HydraConfig.get().runtime.output_dir)
    with one_line_errors(cfg.get("verbose", False) is True):
        result = run_forecast(cfg, out_dir)
    say(
        f"forecast of {result['forecast_days']} days after {result['history_last_date']}, "
        f"{result['runs_per_policy']} runs per policy, {result['seconds']} s: {out_dir}"
    )
    for row in result["threshold_crossings"]:
        if row["possible"]:
            likely = f"likely from {row['likely']}" if row["likely"] else "not likely"
            say(
                f"  {row['commune']}: {result['overdue_threshold']:g} overdue dossiers "
                f"{likely}, possibly from {row['possible']}"
            )


if __name__ == "__main__":
    sys.exit(run_command(main, sys.argv[1:], Path(CONFIG_DIR)))
