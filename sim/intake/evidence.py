"""A commune's capacity as its dossiers show it: results per working day while a queue
stood, from the times of every dossier, not from daily counts.

A day is a *standing-queue* day of a commune x field when the office worked (the
commune had a result or refusal that day, in any field: holidays and closed days drop out without
a calendar) and at the day's end a dossier of the cell received on an earlier day was
still open: the clerks had work waiting the whole day, so what they resolved is what
they could resolve. The log knows this exactly, dossier by dossier; daily counts only
bound it (their ``open_end`` mixes the day's new receipts with old ones). The capacity
is the mean of results (refusals included: they took the clerks' time too) per
standing-queue day with its standard error; beside it, the
working days from receipt to result of the dossiers resolved on those days (how long a
dossier takes while the queue stands).
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd

from sim.intake.statistics import working_days

MIN_DAYS = 10  # assumption: standing-queue days below which a cell has no direct estimate


def _per_day(dossiers: pd.DataFrame, when: pd.Series, key: pd.MultiIndex) -> np.ndarray:
    """Dossiers per date x commune x field (``when``: each one's date), on ``key``."""
    counts = dossiers.groupby([when.dt.date.rename("date"), "commune", "field"]).size()
    return counts.reindex(key, fill_value=0).to_numpy()


def standing_days(history: pd.DataFrame, dossiers: pd.DataFrame) -> pd.DataFrame:
    """The history with ``processed`` (results and refusals: the clerks' output),
    ``standing`` (dossiers received on an earlier day and open at the day's end) and
    ``office_open`` (the commune processed something that day)."""
    frame = history.copy()
    key = pd.MultiIndex.from_frame(frame[["date", "commune", "field"]])
    closed = dossiers[dossiers["closed_at"].notna()]
    same_day = closed[closed["closed_at"].dt.normalize() == closed["received_at"].dt.normalize()]
    refused = closed[closed["outcome"] == "refused"]
    frame["processed"] = frame["resolved"] + _per_day(refused, refused["closed_at"], key)
    closed_same_day = _per_day(same_day, same_day["received_at"], key)
    frame["standing"] = frame["open_end"] - (frame["received"] - closed_same_day)
    frame["office_open"] = frame.groupby(["date", "commune"])["processed"].transform("sum") > 0
    return frame


def capacity_evidence(
    history: pd.DataFrame, dossiers: pd.DataFrame, first: dt.date | None = None
) -> dict[str, dict]:
    """Per cell ``"commune|field"`` with at least MIN_DAYS standing-queue days from
    ``first`` on: ``per_day`` (mean results and refusals per such day), ``relative_se`` (that
    mean's), ``busy_days`` and ``days_to_result_p50`` (working days from receipt of the
    dossiers resolved on those days)."""
    frame = standing_days(history, dossiers)
    if first is not None:
        frame = frame[frame["date"] >= first]
    busy = frame[frame["office_open"] & (frame["standing"] >= 1)]
    resolved = dossiers[dossiers["outcome"].isin(["resolved", "refused"])]
    result = {}
    for (commune, field), cell in busy.groupby(["commune", "field"], sort=True):
        values = cell["processed"].to_numpy(dtype=float)
        if len(values) < MIN_DAYS or values.mean() <= 0:
            continue
        mean = float(values.mean())
        se = float(values.std(ddof=1) / math.sqrt(len(values)))
        days = set(cell["date"])
        mine = resolved[(resolved["commune"] == commune) & (resolved["field"] == field)]
        mine = mine[mine["closed_at"].dt.date.isin(days)]
        taken = working_days(mine["received_at"], mine["closed_at"])
        result[f"{commune}|{field}"] = {
            "per_day": mean,
            "relative_se": max(se / mean, 1.0 / math.sqrt(values.sum())),
            "busy_days": len(values),
            "days_to_result_p50": float(np.median(taken)) if len(taken) else None,
        }
    return result
