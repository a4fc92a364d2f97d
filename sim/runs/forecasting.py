"""From forecast runs to tables: bands per date x commune, paired policy differences,
threshold crossings, and the two naive forecasts a backtest compares against.

Each run is a ``daily_cells`` block (sim/abm/warm_start.py); a commune's series is the
sum of its fields, ``all`` the sum of every cell. The band's quantiles are taken over
every run (ensemble members x replications), so they hold both the parameters'
uncertainty and the randomness; ``widen`` stretches them around the median.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
import pandas as pd

FORECAST_COLUMNS = (
    "date",
    "commune",
    "backlog_p05",
    "backlog_p50",
    "backlog_p95",
    "overdue_p05",
    "overdue_p50",
    "overdue_p95",
    "resolved_p05",
    "resolved_p50",
    "resolved_p95",
    "received_p50",
)
SERIES = ("backlog", "overdue", "resolved", "received")


def commune_series(runs: Sequence[dict]) -> tuple[list[str], dict[str, np.ndarray]]:
    """Dates and, per commune (and ``all``), an array runs x series x days."""
    dates = runs[0]["dates"]
    cells = list(runs[0]["cells"])
    communes = list(dict.fromkeys(c.split("|")[0] for c in cells))
    result = {}
    for commune in communes + ["all"]:
        mine = [c for c in cells if commune == "all" or c.split("|")[0] == commune]
        result[commune] = np.array(
            [
                [np.sum([run["cells"][c][key] for c in mine], axis=0) for key in SERIES]
                for run in runs
            ],
            dtype=float,
        )
    return dates, result


WIDEN_GRID = np.round(np.arange(1.0, 4.01, 0.1), 2)
WIDEN_MAX = float(WIDEN_GRID[-1])  # assumption: a band is stretched at most four-fold
OBSERVED = {"backlog": "open_end", "overdue": "overdue_end", "resolved": "resolved"}


def _factor(widen, commune: str, key: str) -> float:
    if isinstance(widen, int | float):
        return float(widen)
    return float((widen.get(commune) or {}).get(key, 1.0))


def bands(runs: Sequence[dict], widen: float | dict = 1.0) -> pd.DataFrame:
    """``forecast.csv``: one row per date x commune (and ``all``), FORECAST_COLUMNS.

    ``widen``: a factor on every band's half-widths, or ``{commune: {series: factor}}``
    (from a backtest, ``widen_factors``; 1 where not given)."""
    dates, series = commune_series(runs)
    rows = []
    for commune, values in series.items():
        q = np.quantile(values, [0.05, 0.5, 0.95], axis=0)  # 3 x series x days
        for k, date in enumerate(dates):
            row = {"date": date, "commune": commune}
            for s, key in enumerate(SERIES[:3]):
                low, mid, high = q[0, s, k], q[1, s, k], q[2, s, k]
                factor = _factor(widen, commune, key)
                row[f"{key}_p05"] = max(0.0, mid - factor * (mid - low))
                row[f"{key}_p50"] = mid
                row[f"{key}_p95"] = mid + factor * (high - mid)
            row["received_p50"] = q[1, 3, k]
            rows.append(row)
    return pd.DataFrame(rows, columns=list(FORECAST_COLUMNS))


def widen_factors(table: pd.DataFrame, truth: pd.DataFrame) -> dict[str, dict[str, float]]:
    """Per commune (and ``all``) and series: the smallest factor on the band's
    half-widths (0.1 steps, at most WIDEN_MAX) that covers 90% of the held-out days
    (``truth``: daily sums per commune with the history's columns, ISO dates)."""
    result: dict[str, dict[str, float]] = {}
    for commune in dict.fromkeys(table["commune"]):
        band = table[table["commune"] == commune].sort_values("date")
        seen = truth[truth["commune"] == commune].set_index("date").reindex(band["date"])
        result[commune] = {}
        for key, column in OBSERVED.items():
            y = seen[column].fillna(0).to_numpy(dtype=float)
            mid = band[f"{key}_p50"].to_numpy()
            low, high = band[f"{key}_p05"].to_numpy(), band[f"{key}_p95"].to_numpy()
            factor = WIDEN_MAX
            for candidate in WIDEN_GRID:
                inside = (y >= mid - candidate * (mid - low) - 1e-9) & (
                    y <= mid + candidate * (high - mid) + 1e-9
                )
                if inside.mean() >= 0.9:
                    factor = float(candidate)
                    break
            result[commune][key] = factor
    return result


def paired_difference(baseline: Sequence[dict], policy: Sequence[dict]) -> pd.DataFrame:
    """Policy minus baseline, run by run (common random numbers), per date x commune:
    mean and 90% interval of the paired differences of backlog and overdue."""
    dates, base = commune_series(baseline)
    _, other = commune_series(policy)
    rows = []
    for commune in base:
        diff = other[commune] - base[commune]
        for k, date in enumerate(dates):
            row = {"date": date, "commune": commune}
            for s, key in enumerate(("backlog", "overdue")):
                values = diff[:, s, k]
                row[f"{key}_diff_mean"] = float(values.mean())
                row[f"{key}_diff_p05"] = float(np.quantile(values, 0.05))
                row[f"{key}_diff_p95"] = float(np.quantile(values, 0.95))
            rows.append(row)
    return pd.DataFrame(rows)


def threshold_crossings(table: pd.DataFrame, threshold: float) -> list[dict]:
    """Per commune: the first date its median (``likely``) and its 95th percentile
    (``possible``) of overdue dossiers reach ``threshold`` (None: not in the window)."""
    result = []
    for commune, frame in table[table["commune"] != "all"].groupby("commune", sort=False):
        frame = frame.sort_values("date")
        first = {}
        for label, column in (("likely", "overdue_p50"), ("possible", "overdue_p95")):
            hit = frame[frame[column] >= threshold]
            first[label] = hit["date"].iloc[0] if len(hit) else None
        result.append({"commune": commune, **first})
    return result


def naive_forecasts(history: pd.DataFrame, dates: Sequence[str]) -> dict[str, pd.DataFrame]:
    """The two naive forecasts of backlog and overdue per commune (and ``all``):
    ``persistence`` (the last observed value) and ``weekday_mean`` (the same weekday's
    mean over the last four weeks)."""
    per = history.groupby(["date", "commune"])[["open_end", "overdue_end"]].sum().reset_index()
    total = history.groupby("date")[["open_end", "overdue_end"]].sum().reset_index()
    total["commune"] = "all"
    frame = pd.concat([per, total[per.columns]], ignore_index=True)
    last = max(frame["date"])
    recent = frame[frame["date"] > last - dt.timedelta(days=28)]
    out = {"persistence": [], "weekday_mean": []}
    for commune, cell in frame.groupby("commune", sort=False):
        end = cell[cell["date"] == last].iloc[0]
        mine = recent[recent["commune"] == commune]
        by_weekday = mine.assign(w=[d.weekday() for d in mine["date"]]).groupby("w")
        means = by_weekday[["open_end", "overdue_end"]].mean()
        for date in dates:
            weekday = dt.date.fromisoformat(date).weekday()
            out["persistence"].append(
                (date, commune, float(end["open_end"]), float(end["overdue_end"]))
            )
            row = means.loc[weekday] if weekday in means.index else means.mean()
            out["weekday_mean"].append(
                (date, commune, float(row["open_end"]), float(row["overdue_end"]))
            )
    columns = ["date", "commune", "backlog", "overdue"]
    return {name: pd.DataFrame(rows, columns=columns) for name, rows in out.items()}
