"""The calibrated model as a forecasting method, and its runs.

``forecast_runs`` runs every ensemble member of a calibration from the day after the
history with the dossiers then open (common random numbers: run ``m * replications +
r`` has the same seed whatever the policies; ``api``: the run engine, ``sim.api``,
given by the command). ``model_method`` is the model as the
rolling backtest sees it: at each origin the scenario is calibrated on the history up
to that day (cached like any calibration) and forecast from the dossiers then open.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from sim.forecasting.fitting import cached_calibration, deadline_days
from sim.runs.calibration import expanded_scenario, history_fatigue, member_scenario
from sim.runs.forecasting import bands
from sim.spec.observed import rebuild_open_dossiers


def forecast_runs(
    api,
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
        api.RunSpec(
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
    runs = [summary["daily_cells"] for summary in api.run_many(specs, workers=workers)]
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


def carried_of(items) -> tuple:
    """OpenDossier items as RunSpec tuples."""
    return tuple(
        (d.commune, d.field, d.received_date.isoformat(), d.deadline_date.isoformat())
        for d in items
    )


def point_of(table: pd.DataFrame) -> pd.DataFrame:
    """The medians of a band table (``bands``) as a point frame."""
    return pd.DataFrame(
        {
            "date": table["date"],
            "commune": table["commune"],
            "backlog": table["backlog_p50"],
            "overdue": table["overdue_p50"],
            "resolved": table["resolved_p50"],
            "received": table["received_p50"],
        }
    )


def model_method(api, container: dict, extra: dict, job, workers: int):
    """The calibrated model as a method ``(train, days) -> point frame``."""

    def forecast(train: pd.DataFrame, days: int) -> pd.DataFrame:
        calibration, _, _ = cached_calibration(api, extra, container, job, train, workers)
        spin_up, carried = spun_up(train, job.spec, extra["forecast"].get("spin_up_days", 0))
        if not spin_up:
            carried = carried_of(rebuild_open_dossiers(train, deadline_days(job.spec)))
        last = max(train["date"])
        runs = forecast_runs(
            api,
            container["scenario"],
            calibration,
            carried,
            start=last + dt.timedelta(days=1),
            days=days,
            seed=job.settings.seed,
            replications=job.settings.replications,
            policies=("baseline",),
            workers=workers,
            spin_up=spin_up,
            fatigue=history_fatigue(train, job.spec, last + dt.timedelta(days=1 - spin_up)),
        )
        return point_of(bands(runs))

    return forecast
