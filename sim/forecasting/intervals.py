"""Bands calibrated on the rolling backtest: split conformal per horizon.

A method's residuals (truth minus its median) at every origin, commune and horizon are
divided by the commune's scale at that origin (the mean absolute day-to-day change of
the series over the four weeks before it: big and small communes pool alike). Per
horizon h the residuals of nearby horizons (|h' - h| <= max(2, h / 4): errors grow with
the horizon, and a few origins give few residuals per day) give the band's edges as
the conformal quantiles (the k-th smallest of n with k = ceil((n + 1) q), Vovk et al.
2005; Lei et al. 2018): band = median + quantile x scale. The communes pool together;
the ``all`` total has its own residuals. Backtest coverage is measured leaving each
origin out of the residuals its band is made from, so it is what a new origin gets.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

LEVELS = {"p05": 0.05, "p25": 0.25, "p75": 0.75, "p95": 0.95}
SCALE_DAYS = 28  # assumption: days before the origin whose changes give the scale


def scales(history: pd.DataFrame, column: str) -> dict[str, float]:
    """Per commune (and ``all``): the mean absolute day-to-day change of ``column``
    over the last SCALE_DAYS days, at least 1."""
    daily = history.groupby(["commune", "date"])[column].sum().unstack("commune").sort_index()
    daily["all"] = daily.sum(axis=1)
    recent = daily.tail(SCALE_DAYS + 1)
    changes = recent.diff().abs().mean()
    return {c: max(1.0, float(v) if np.isfinite(v) else 1.0) for c, v in changes.items()}


def _conformal(values: np.ndarray, level: float) -> float:
    values = np.sort(values)
    n = len(values)
    if not n:
        return 0.0
    if level >= 0.5:
        k = math.ceil((n + 1) * level)
    else:
        k = math.floor((n + 1) * level)
    return float(values[min(max(k, 1), n) - 1])


def quantiles(residuals: pd.DataFrame, horizon: int) -> dict[str, np.ndarray]:
    """Per level: the scaled residuals' conformal quantile for horizons 1..horizon
    (``residuals``: columns horizon and ``scaled``)."""
    h_all = residuals["horizon"].to_numpy()
    r_all = residuals["scaled"].to_numpy()
    result = {name: np.zeros(horizon) for name in LEVELS}
    longest = int(h_all.max()) if len(h_all) else 1
    for h in range(1, horizon + 1):
        seen = min(h, longest)  # beyond the backtest's horizon: its longest
        near = r_all[np.abs(h_all - seen) <= max(2, seen // 4)]
        for name, level in LEVELS.items():
            result[name][h - 1] = _conformal(near, level)
    return result


def group_of(commune: str) -> str:
    return "all" if commune == "all" else "communes"


def band(median: np.ndarray, q: dict[str, np.ndarray], scale: float) -> dict[str, np.ndarray]:
    """The band's edges around ``median`` (days), never below zero and always holding
    the median."""
    out = {"p50": median}
    for name in LEVELS:
        edge = median + q[name][: len(median)] * scale
        edge = np.minimum(edge, median) if name < "p50" else np.maximum(edge, median)
        out[name] = np.maximum(0.0, edge)
    return out


def coverage(residuals: pd.DataFrame, horizon: int) -> pd.DataFrame:
    """Leaving each origin out: per row of ``residuals`` (one method, one series),
    whether the truth fell in the 50% and 90% bands built from the other origins."""
    rows = []
    for origin in sorted(set(residuals["origin"])):
        mine = residuals[residuals["origin"] == origin]
        others = residuals[residuals["origin"] != origin]
        for group in set(map(group_of, mine["commune"])):
            part = mine[[group_of(c) == group for c in mine["commune"]]]
            pool = others[[group_of(c) == group for c in others["commune"]]]
            if pool.empty:
                continue
            q = quantiles(pool, horizon)
            h = part["horizon"].to_numpy() - 1
            r = part["scaled"].to_numpy()
            inside50 = (r >= q["p25"][h] - 1e-9) & (r <= q["p75"][h] + 1e-9)
            inside90 = (r >= q["p05"][h] - 1e-9) & (r <= q["p95"][h] + 1e-9)
            rows.append(part.assign(inside50=inside50, inside90=inside90))
    columns = [*residuals.columns, "inside50", "inside90"]
    return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=columns)
