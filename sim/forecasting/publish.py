"""The published forecast: the backtest's best method, its bands calibrated on the
backtest's residuals, and the model's policy effect layered on.

``evaluate`` runs the rolling backtest of every method (the baselines always, the
calibrated model unless ``backtest.model=false``) and the verdict; ``published``
turns the chosen method's median at the history's end into ``forecast.csv`` (columns
FORECAST_COLUMNS whatever the method), ``received_p50`` from the receipts model;
``with_policy`` adds a policy's paired difference (policy minus baseline in the
calibrated model, common random numbers) to the published median.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from sim.forecasting import backtest, baselines, intervals, trust
from sim.forecasting.backtest import SERIES
from sim.runs.forecasting import FORECAST_COLUMNS


def baseline_methods(seed: int, weeks: int) -> dict:
    """The baselines as methods ``(train, days) -> point frame``."""
    return {
        name: (lambda train, days, f=function: f(train, days, seed, weeks))
        for name, function in baselines.BASELINES.items()
    }


def evaluate(history: pd.DataFrame, methods: Mapping, horizon: int, wanted_origins: int) -> dict:
    """The rolling backtest of ``methods`` and the verdict: plan, residuals, the
    ``backtest.csv`` table, the summary per method and ``trust``."""
    dates = sorted(set(history["date"]))
    plan = backtest.plan(dates, horizon, wanted_origins)
    if not plan["origins"]:
        empty = pd.DataFrame(columns=list(backtest.BACKTEST_COLUMNS))
        return {"plan": plan, "residuals": None, "table": empty, "summary": {},
                "trust": trust.verdict({}, plan)}  # fmt: skip
    frame = backtest.residuals(history, methods, plan["origins"], plan["horizon"])
    table = backtest.table(frame, plan["horizon"])
    summary = backtest.summary(table)
    return {
        "plan": plan,
        "residuals": frame,
        "table": table,
        "summary": summary,
        "trust": trust.verdict(summary, plan, trust.unbalanced_share(history)),
    }


def published(
    history: pd.DataFrame, point: pd.DataFrame, residuals: pd.DataFrame | None,
    method: str, receipts: Mapping, spread: pd.DataFrame,
) -> pd.DataFrame:  # fmt: skip
    """``forecast.csv`` from the published method's ``point`` frame: per series the
    conformal band from its backtest residuals, else (no backtest) the flow model's
    own spread around the median (``spread``: the flow model's band table)."""
    days = len(set(point["date"]))
    rows = []
    for commune, part in point.groupby("commune", sort=False):
        part = part.sort_values("date")
        row = {"date": part["date"].tolist(), "commune": [commune] * len(part)}
        for series, column in SERIES.items():
            median = part[series].to_numpy(dtype=float)
            if residuals is not None:
                mine = residuals[(residuals["method"] == method) & (residuals["series"] == series)]
                group = mine[[intervals.group_of(c) == intervals.group_of(commune)
                              for c in mine["commune"]]]  # fmt: skip
                q = intervals.quantiles(group, days)
                scale = intervals.scales(history, column)[commune]
                edges = intervals.band(median, q, scale)
            else:
                own = spread[spread["commune"] == commune].sort_values("date")
                edges = {
                    "p05": np.maximum(0.0, median + own[f"{series}_p05"].to_numpy()
                                      - own[f"{series}_p50"].to_numpy()),
                    "p95": median + own[f"{series}_p95"].to_numpy()
                    - own[f"{series}_p50"].to_numpy(),
                }  # fmt: skip
            row[f"{series}_p05"] = edges["p05"]
            row[f"{series}_p50"] = median
            row[f"{series}_p95"] = edges["p95"]
        row["received_p50"] = [receipts[(commune, d)] for d in part["date"]]
        rows.append(pd.DataFrame(row))
    return pd.concat(rows, ignore_index=True)[list(FORECAST_COLUMNS)]


def flow_spread(history: pd.DataFrame, days: int, seed: int, weeks: int) -> pd.DataFrame:
    """The flow model's own 5-50-95% band per series (the band when no backtest is
    possible)."""
    paths = baselines.flow_paths(history, days, seed, weeks)
    dates = baselines.future_dates(history, days)
    communes = sorted({c for c, _ in paths})
    rows = []
    for commune in [*communes, "all"]:
        mine = [v for (c, _), v in paths.items() if commune in ("all", c)]
        row = {"date": [d.isoformat() for d in dates], "commune": [commune] * days}
        for series in SERIES:
            total = np.sum([m[series] for m in mine], axis=0)
            for name, level in (("p05", 0.05), ("p50", 0.5), ("p95", 0.95)):
                row[f"{series}_{name}"] = np.quantile(total, level, axis=0)
        rows.append(pd.DataFrame(row))
    return pd.concat(rows, ignore_index=True)


def with_policy(table: pd.DataFrame, difference: pd.DataFrame) -> pd.DataFrame:
    """The published forecast with a policy's paired mean difference added to the
    backlog and overdue (its own interval stays in ``difference.csv``)."""
    merged = table.merge(difference, on=["date", "commune"], how="left")
    out = table.copy()
    for series in ("backlog", "overdue"):
        shift = merged[f"{series}_diff_mean"].fillna(0.0).to_numpy()
        for q in ("p05", "p50", "p95"):
            out[f"{series}_{q}"] = np.maximum(0.0, table[f"{series}_{q}"].to_numpy() + shift)
    return out
