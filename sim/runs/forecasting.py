"""From forecast runs to tables: bands per date x commune, paired policy differences,
and threshold crossings.

Each run is a ``daily_cells`` block (sim/abm/warm_start.py); a commune's series is the
sum of its fields, ``all`` the sum of every cell. The band's quantiles are taken over
every run (ensemble members x replications), so they hold both the parameters'
uncertainty and the randomness (the published forecast's bands are calibrated on the
backtest instead: sim/forecasting/intervals.py).
"""

from __future__ import annotations

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


def bands(runs: Sequence[dict]) -> pd.DataFrame:
    """One row per date x commune (and ``all``), FORECAST_COLUMNS: the runs' 5th, 50th
    and 95th percentiles."""
    dates, series = commune_series(runs)
    rows = []
    for commune, values in series.items():
        q = np.quantile(values, [0.05, 0.5, 0.95], axis=0)  # 3 x series x days
        for k, date in enumerate(dates):
            row = {"date": date, "commune": commune}
            for s, key in enumerate(SERIES[:3]):
                row[f"{key}_p05"] = q[0, s, k]
                row[f"{key}_p50"] = q[1, s, k]
                row[f"{key}_p95"] = q[2, s, k]
            row["received_p50"] = q[1, 3, k]
            rows.append(row)
    return pd.DataFrame(rows, columns=list(FORECAST_COLUMNS))


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
