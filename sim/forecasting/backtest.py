"""Rolling-origin backtest: every method forecasts from several past days and is scored
on what followed.

Origins are spread evenly (at least a week apart) from the day the history first
gives MIN_TRAIN_DAYS of training data to the last day that leaves a whole horizon
after it; ``backtest.origins`` of them (default 6), fewer only when the history is too
short, and then the result says so. At each origin every method forecasts from the
history up to it (nothing after it is seen); each forecast's median backlog, overdue
and resolved are compared with the truth day by day. ``backtest.csv`` has one row per
origin x method x commune (and ``all``): the mean absolute error of the median backlog
and the share of days inside its 50% and 90% bands, those bands being built from the
other origins' residuals (sim/forecasting/intervals.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd

from sim.forecasting.intervals import coverage, scales

MIN_TRAIN_DAYS = 28  # assumption: four weeks before an origin (a weekly pattern seen 4 times)
MIN_ORIGINS = 4  # the floor for a backtest to be called rolling
SPACING_DAYS = 7  # assumption: origins at least a week apart (else their errors repeat)
SERIES = {"backlog": "open_end", "overdue": "overdue_end", "resolved": "resolved"}
BACKTEST_COLUMNS = (
    "origin",
    "method",
    "commune",
    "horizon_days",
    "mae_backlog",
    "coverage50",
    "coverage90",
)

Method = Callable[[pd.DataFrame, int], pd.DataFrame]


def plan(dates: list[dt.date], horizon: int, wanted: int) -> dict:
    """The origins (dates) and the horizon a history of ``dates`` allows, and a note
    when they are fewer or shorter than asked."""
    n = len(dates)
    longest = n - MIN_TRAIN_DAYS
    note = []
    if longest < 7:
        return {
            "origins": [],
            "horizon": 0,
            "note": f"{n} days of history: a backtest needs at least {MIN_TRAIN_DAYS + 7} "
            f"({MIN_TRAIN_DAYS} to learn from, a week to check)",
        }
    if horizon > longest:
        note.append(f"horizon shortened from {horizon} to {longest} days")
        horizon = longest
    first, last = MIN_TRAIN_DAYS - 1, n - horizon - 1
    count = min(wanted, 1 + (last - first) // SPACING_DAYS)
    index = (
        sorted({int(round(v)) for v in np.linspace(last, first, count)}) if count > 1 else [last]
    )
    if len(index) < MIN_ORIGINS:
        note.append(
            f"only {len(index)} origin(s) fit in {n} days for a {horizon}-day horizon (at "
            f"least {MIN_ORIGINS} wanted: give a longer history)"
        )
    return {"origins": [dates[i] for i in index], "horizon": horizon, "note": "; ".join(note)}


def truth_frame(history: pd.DataFrame, dates: list[dt.date]) -> pd.DataFrame:
    """Observed daily sums per commune and ``all`` over ``dates`` (index: date, commune)."""
    part = history[history["date"].isin(dates)]
    columns = list(SERIES.values())
    per = part.groupby(["date", "commune"])[columns].sum()
    total = part.groupby("date")[columns].sum()
    total["commune"] = "all"
    total = total.reset_index().set_index(["date", "commune"])
    return pd.concat([per, total])


def residuals(
    history: pd.DataFrame, methods: Mapping[str, Method], origins: list[dt.date], horizon: int
) -> pd.DataFrame:
    """One row per origin x method x series x commune x horizon: truth, median, the
    commune's scale and the scaled residual."""
    parts = []
    for origin in origins:
        train = history[history["date"] <= origin].reset_index(drop=True)
        dates = [origin + dt.timedelta(days=k + 1) for k in range(horizon)]
        truth = truth_frame(history, dates).add_prefix("seen_").reset_index()
        truth["date"] = [d.isoformat() for d in truth["date"]]
        for name, method in methods.items():
            point = method(train, horizon).merge(truth, on=["date", "commune"])
            horizons = [(dt.date.fromisoformat(d) - origin).days for d in point["date"]]
            for series, column in SERIES.items():
                scale = scales(train, column)
                s = point["commune"].map(scale).to_numpy(dtype=float)
                y = point[f"seen_{column}"].to_numpy(dtype=float)
                yhat = point[series].to_numpy(dtype=float)
                parts.append(
                    pd.DataFrame(
                        {
                            "origin": origin.isoformat(),
                            "method": name,
                            "series": series,
                            "commune": point["commune"],
                            "horizon": horizons,
                            "y": y,
                            "yhat": yhat,
                            "scale": s,
                            "scaled": (y - yhat) / s,
                        }
                    )  # fmt: skip
                )
    return pd.concat(parts, ignore_index=True)


def scored(frame: pd.DataFrame, horizon: int) -> pd.DataFrame:
    """Each method's backlog residuals with leave-one-origin-out band coverage."""
    parts = []
    backlog = frame[frame["series"] == "backlog"]
    for _, mine in backlog.groupby("method", sort=False):
        parts.append(coverage(mine.reset_index(drop=True), horizon))
    return pd.concat(parts, ignore_index=True)


def table(frame: pd.DataFrame, horizon: int) -> pd.DataFrame:
    """``backtest.csv``: BACKTEST_COLUMNS, one row per origin x method x commune (its
    communes, ``all`` their total, and ``overall`` the communes pooled)."""
    rows = []
    checked = scored(frame, horizon)
    pooled = checked[checked["commune"] != "all"].assign(commune="overall")
    for (origin, method, commune), part in pd.concat([checked, pooled]).groupby(
        ["origin", "method", "commune"], sort=False
    ):
        rows.append(
            (origin, method, commune, horizon, float(np.mean(np.abs(part["y"] - part["yhat"]))),
             float(part["inside50"].mean()), float(part["inside90"].mean()))
        )  # fmt: skip
    return pd.DataFrame(rows, columns=list(BACKTEST_COLUMNS))


def summary(rows: pd.DataFrame) -> dict[str, dict]:
    """Per method and commune (and ``all``, ``overall``): the mean over origins of the
    mean absolute error of the median backlog and of the band coverages."""
    return {
        method: {commune: _scores(mine) for commune, mine in part.groupby("commune", sort=False)}
        for method, part in rows.groupby("method", sort=False)
    }


def _scores(part: pd.DataFrame) -> dict:
    return {
        "mae_backlog": float(part["mae_backlog"].mean()),
        "coverage50": float(part["coverage50"].mean()),
        "coverage90": float(part["coverage90"].mean()),
    }
