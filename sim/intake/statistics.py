"""What the dossiers add up to: the daily history, the dossiers open at the end, the
procedure table and the arrival profile.

The history is ``history.csv`` as ``sim.forecast`` reads it (sim/spec/observed.py):
per date x commune x field, ``received`` by the date of ``received_at``, ``resolved``
by the date of the result, ``resolved_on_time`` those whose result date is not after
the deadline's date, ``open_end`` the dossiers received and not yet closed (resolved,
withdrawn or refused) at the day's end, ``overdue_end`` those of them whose deadline's
date is before the day. Deadlines count in whole days, as the system's "hạn xử lý"
date. The counts are differences of cumulative sums over a day grid (vectorised: a
province-year is a few hundred thousand dossiers).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
import pandas as pd

from sim.spec.observed import HISTORY_COLUMNS

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _day(values: pd.Series) -> np.ndarray:
    """Dates as whole days since the epoch (int64; NaT as a huge number)."""
    days = values.to_numpy(dtype="datetime64[D]").astype("int64")
    return np.where(values.isna().to_numpy(), np.iinfo(np.int64).max, days)


def last_date(dossiers: pd.DataFrame) -> dt.date:
    """The log's last date: the latest receipt, result or return it holds."""
    columns = ["received_at", "closed_at", "returned_at"]
    return max(dossiers[c].max() for c in columns if dossiers[c].notna().any()).date()


def history(
    dossiers: pd.DataFrame, communes: Sequence[str], fields: Sequence[str], last: dt.date
) -> pd.DataFrame:
    """Every date from the first receipt to ``last`` x ``communes`` x ``fields``, zeros
    included; ``date`` a ``datetime.date``, sorted by date, commune, field."""
    first = dossiers["received_at"].min().date()
    n_days = (last - first).days + 1
    base = np.datetime64(first, "D").astype("int64")
    cells = {(c, f): k for k, (c, f) in enumerate((c, f) for c in communes for f in fields)}
    cell = np.array(
        [cells.get(pair, -1) for pair in zip(dossiers["commune"], dossiers["field"], strict=True)],
        dtype=np.int64,
    )
    shape = (n_days + 1, len(cells))  # one spare day: "after the end"

    def count(day: np.ndarray, mask: np.ndarray) -> np.ndarray:
        index = np.clip(day - base, 0, n_days)
        grid = np.zeros(shape, dtype=np.int64)
        keep = mask & (cell >= 0)
        np.add.at(grid, (index[keep], cell[keep]), 1)
        return grid[:n_days]

    received = _day(dossiers["received_at"])
    closed = _day(dossiers["closed_at"])
    due = _day(dossiers["due_at"])
    resolved_mask = (dossiers["outcome"] == "resolved").to_numpy()
    every = np.ones(len(dossiers), dtype=bool)
    flows = {
        "received": count(received, every),
        "resolved": count(closed, resolved_mask),
        "resolved_on_time": count(closed, resolved_mask & (closed <= due)),
    }
    opened = np.cumsum(flows["received"], axis=0)
    flows["open_end"] = opened - np.cumsum(count(closed, closed < np.iinfo(np.int64).max), axis=0)
    # overdue from the day after the deadline (not before receipt) until closed
    start = np.maximum(due + 1, received)
    overdue = start < closed
    flows["overdue_end"] = np.cumsum(count(start, overdue), axis=0) - np.cumsum(
        count(closed, overdue & (closed < np.iinfo(np.int64).max)), axis=0
    )
    dates = [first + dt.timedelta(days=k) for k in range(n_days)]
    index = pd.MultiIndex.from_product([dates, range(len(cells))], names=["date", "cell"])
    frame = pd.DataFrame({k: v.reshape(-1) for k, v in flows.items()}, index=index).reset_index()
    pairs = list(cells)
    codes = frame["cell"].to_numpy()
    frame.insert(1, "commune", [pairs[c][0] for c in codes])
    frame.insert(2, "field", [pairs[c][1] for c in codes])
    return frame[list(HISTORY_COLUMNS)]


def open_at(dossiers: pd.DataFrame, day: dt.date) -> pd.DataFrame:
    """The dossiers open at the end of ``day``: ``commune, field, received_date,
    deadline_date`` (ISO dates), as ``open_dossiers.csv``."""
    end = pd.Timestamp(day) + pd.Timedelta(days=1)
    mine = dossiers[
        (dossiers["received_at"] < end)
        & (dossiers["closed_at"].isna() | (dossiers["closed_at"] >= end))
    ]
    mine = mine.sort_values(["commune", "field", "received_at"], kind="stable")
    return pd.DataFrame(
        {
            "commune": mine["commune"].to_numpy(),
            "field": mine["field"].to_numpy(),
            "received_date": mine["received_at"].dt.strftime("%Y-%m-%d").to_numpy(),
            "deadline_date": mine["due_at"].dt.strftime("%Y-%m-%d").to_numpy(),
        }
    )


def working_days(start: pd.Series, end: pd.Series) -> np.ndarray:
    """Working days (Monday to Friday) after the day of ``start`` up to and including
    the day of ``end``: 0 for the same day, 1 for the next working day."""
    a = start.to_numpy(dtype="datetime64[D]") + np.timedelta64(1, "D")
    b = end.to_numpy(dtype="datetime64[D]") + np.timedelta64(1, "D")
    return np.busday_count(a, np.maximum(a, b)).astype(float)


def procedures(dossiers: pd.DataFrame) -> pd.DataFrame:
    """``procedures.csv``: per procedure and field, the count, share of all dossiers,
    online share, the statutory deadline seen (median working days from receipt to the
    deadline), working days to the result (p50, p90) and the on-time rate of results."""
    frame = pd.DataFrame(
        {
            "procedure": dossiers["procedure"].replace("", "(not given)"),
            "field": dossiers["field"],
            "online": (dossiers["channel"] == "online").astype(float),
            "deadline_days": working_days(dossiers["received_at"], dossiers["due_at"]),
            "result_days": np.where(
                dossiers["outcome"] == "resolved",
                working_days(
                    dossiers["received_at"], dossiers["closed_at"].fillna(dossiers["received_at"])
                ),
                np.nan,
            ),
        }
    )
    resolved = frame["result_days"].notna()
    frame["on_time"] = np.where(
        resolved, (dossiers["closed_at"].dt.normalize() <= dossiers["due_at"]).astype(float), np.nan
    )
    groups = frame.groupby(["procedure", "field"], sort=True)
    table = pd.DataFrame(
        {
            "count": groups.size(),
            "online_share": groups["online"].mean(),
            "deadline_working_days": groups["deadline_days"].median(),
            "result_working_days_p50": groups["result_days"].quantile(0.5),
            "result_working_days_p90": groups["result_days"].quantile(0.9),
            "on_time_rate": groups["on_time"].mean(),
            "resolved": groups["result_days"].count(),
        }
    ).reset_index()
    table.insert(3, "share", table["count"] / max(1, len(dossiers)))
    return table.sort_values(["count", "procedure"], ascending=[False, True]).reset_index(drop=True)


def arrivals(dossiers: pd.DataFrame) -> pd.DataFrame:
    """``arrivals.csv``: receipts by weekday and hour of day, per field and channel
    (``hour`` empty for receipts written without a time), with each row's share of its
    field and channel."""
    received = dossiers["received_at"]
    frame = pd.DataFrame(
        {
            "field": dossiers["field"],
            "channel": dossiers["channel"],
            "weekday": pd.Categorical.from_codes(received.dt.weekday, categories=list(WEEKDAYS)),
            "hour": received.dt.hour.where(dossiers["timed"].astype(bool)).astype("Int64"),
        }
    )
    table = (
        frame.groupby(
            ["field", "channel", "weekday", "hour"], sort=True, observed=True, dropna=False
        )
        .size()
        .rename("received")
        .reset_index()
    )
    table = table[table["received"] > 0]
    totals = table.groupby(["field", "channel"])["received"].transform("sum")
    table["share"] = table["received"] / totals
    return table.reset_index(drop=True)
