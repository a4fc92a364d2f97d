"""Baselines a planner's analyst would build in a spreadsheet, always computed.

Each takes the history up to a forecast origin (the complete table of
sim/spec/observed.py ``read_history``) and returns the median path per date x commune
(and ``all``): a ``point frame`` with columns ``POINT_COLUMNS``.

- ``persistence``: nothing changes; the last day's backlog and overdue stay.
- ``last_week``: each date repeats the last observed day of the same weekday.
- ``flow``: per commune x field, a queue fed by the history's own receipts and drained
  by its own pace. Receipts are bootstrapped from the same weekday of the last
  ``weeks`` weeks (so the weekly pattern and the spread are the data's). A day is
  *busy* when the queue at its start exceeds the most the cell resolved on any day of
  the window: then its clerks could not run out of work, and what they resolved
  measures their capacity. On other days they resolve a share of what is there (the
  queue's pace, also bootstrapped by weekday). Resolved = min(capacity draw, pace x
  (queue + receipts)); the backlog carries forward from the last observed day, so the
  first forecast day moves by one day's flows at most. Overdue follows the backlog in
  the last week's proportion.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

POINT_COLUMNS = ("date", "commune", "backlog", "overdue", "resolved", "received")
FLOW_PATHS = 400  # assumption: bootstrap paths per cell; the median's Monte Carlo error
# is then a few percent of a day's flows
FLOW_TREND_WEEKS = 6  # assumption: whole weeks a receipts trend needs (four let a
# short burst pass the |t| > 3 rule and double a four-week forecast)
FLOW_TREND_T = 2.0  # assumption: |slope / SE| above which the flow model keeps a trend
# (the backtest, not the threshold, judges whether following it pays)
TREND_CAP = 2.0  # assumption: a trend multiplies receipts by at most this over a forecast
MIN_DAYS_PER_WEEKDAY = 2  # assumption: busy or quiet days of a weekday needed to use them


def future_dates(history: pd.DataFrame, days: int) -> list[dt.date]:
    last = max(history["date"])
    return [last + dt.timedelta(days=k + 1) for k in range(days)]


def _frame(rows: list[tuple]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=list(POINT_COLUMNS))
    total = frame.groupby("date", sort=False)[list(POINT_COLUMNS[2:])].sum().reset_index()
    total["commune"] = "all"
    return pd.concat([frame, total[frame.columns]], ignore_index=True)


def _commune_days(history: pd.DataFrame) -> pd.DataFrame:
    return history.groupby(["commune", "date"], sort=True)[
        ["received", "resolved", "open_end", "overdue_end"]
    ].sum()


def persistence(history: pd.DataFrame, days: int, seed: int = 0, weeks: int = 8) -> pd.DataFrame:
    """The last day's stocks, unchanged; flows as the same weekday last week."""
    point = last_week(history, days, seed, weeks)
    last = _commune_days(history).xs(max(history["date"]), level="date")
    ends = last.reindex(point["commune"].where(point["commune"] != "all"))
    point["backlog"] = ends["open_end"].to_numpy(dtype=float)
    point["overdue"] = ends["overdue_end"].to_numpy(dtype=float)
    point["resolved"] = point["received"]
    total = point[point["commune"] != "all"].groupby("date")[["backlog", "overdue"]].sum()
    mask = point["commune"] == "all"
    point.loc[mask, "backlog"] = total["backlog"].reindex(point.loc[mask, "date"]).to_numpy()
    point.loc[mask, "overdue"] = total["overdue"].reindex(point.loc[mask, "date"]).to_numpy()
    return point


def last_week(history: pd.DataFrame, days: int, seed: int = 0, weeks: int = 8) -> pd.DataFrame:
    """Each date: the last observed day of its weekday (stocks and flows)."""
    last = max(history["date"])
    rows = []
    for commune, frame in _commune_days(history).groupby(level="commune", sort=False):
        frame = frame.droplevel("commune")
        for date in future_dates(history, days):
            weeks_back = -(-(date - last).days // 7)  # the last observed same weekday
            back = date - dt.timedelta(days=7 * weeks_back)
            while back < min(frame.index):
                back += dt.timedelta(days=7)
            row = frame.loc[min(back, last)]
            rows.append(
                (date.isoformat(), commune, float(row["open_end"]), float(row["overdue_end"]),
                 float(row["resolved"]), float(row["received"]))
            )  # fmt: skip
    return _frame(rows)


def _window(history: pd.DataFrame, weeks: int) -> pd.DataFrame:
    last = max(history["date"])
    span = max(7, 7 * min(weeks, max(1, len(set(history["date"])) // 7)))
    return history[history["date"] > last - dt.timedelta(days=span)]


def _by_weekday(dates: list[dt.date], values: np.ndarray) -> dict[int, np.ndarray]:
    result: dict[int, list[float]] = {}
    for date, value in zip(dates, values, strict=True):
        result.setdefault(date.weekday(), []).append(float(value))
    return {w: np.asarray(v) for w, v in result.items()}


def cell_flows(cell: pd.DataFrame) -> dict:
    """One cell's (date-sorted) window: receipts, capacity and pace by weekday, and
    which days were busy (see the module's docstring)."""
    dates = list(cell["date"])
    received = cell["received"].to_numpy(dtype=float)
    resolved = cell["resolved"].to_numpy(dtype=float)
    backlog = cell["open_end"].to_numpy(dtype=float)
    start = np.concatenate([[backlog[0] + resolved[0] - received[0]], backlog[:-1]])
    most = float(resolved.max()) if len(resolved) else 0.0
    busy = (start > most) & (resolved > 0)
    there = start + received
    quiet = ~busy & (there > 0)
    pace = np.divide(resolved, there, out=np.ones_like(there), where=there > 0)
    busy_dates = [d for d, b in zip(dates, busy, strict=True) if b]
    quiet_dates = [d for d, q in zip(dates, quiet, strict=True) if q]
    return {
        "received": _by_weekday(dates, received),
        "capacity": _by_weekday(busy_dates, resolved[busy]),
        "capacity_all": resolved[busy],
        "pace": _by_weekday(quiet_dates, np.clip(pace[quiet], 0.0, 1.0)),
        "works": _by_weekday(dates, resolved > 0),
        "busy_days": int(busy.sum()),
        "trend": receipts_trend(received),
        "span": len(dates),
        "backlog": float(backlog[-1]),
        "overdue_share": float(
            cell["overdue_end"].tail(7).sum() / max(1.0, cell["open_end"].tail(7).sum())
        ),
    }


def receipts_trend(received: np.ndarray) -> float:
    """Log-linear trend per day of the weekly totals of ``received`` (whole weeks from
    the end), kept only where |slope / SE| > FLOW_TREND_T over at least
    FLOW_TREND_WEEKS weeks; else 0."""
    weeks = len(received) // 7
    if weeks < FLOW_TREND_WEEKS:
        return 0.0
    weekly = received[len(received) - 7 * weeks :].reshape(weeks, 7).sum(axis=1)
    x = np.arange(weeks, dtype=float)
    y = np.log(weekly + 0.5)
    slope, intercept = np.polyfit(x, y, 1)
    residual = y - (intercept + slope * x)
    se = float(np.sqrt(residual @ residual / (weeks - 2) / ((x - x.mean()) ** 2).sum()))
    return float(slope / 7.0) if se > 0 and abs(slope / se) > FLOW_TREND_T else 0.0


def _draw(rng: np.random.Generator, values: np.ndarray | None, size: int, default: float):
    if values is None or len(values) < MIN_DAYS_PER_WEEKDAY:
        return np.full(size, default)
    return values[rng.integers(len(values), size=size)]


def flow_paths(
    history: pd.DataFrame, days: int, seed: int = 0, weeks: int = 8, paths: int = FLOW_PATHS
) -> dict[tuple[str, str], dict[str, np.ndarray]]:
    """Per cell (commune, field): paths x days arrays of backlog, overdue, resolved and
    received from the flow model (see the module's docstring)."""
    window = _window(history, weeks)
    dates = future_dates(history, days)
    rng = np.random.default_rng(seed)
    result = {}
    for (commune, field), cell in window.groupby(["commune", "field"], sort=True):
        flows = cell_flows(cell.sort_values("date"))
        queue = np.full(paths, flows["backlog"])
        series = {
            k: np.zeros((paths, days)) for k in ("backlog", "overdue", "resolved", "received")
        }
        for k, date in enumerate(dates):
            w = date.weekday()
            works = flows["works"].get(w)
            working = works is not None and works.mean() > 0.5
            received = _draw(rng, flows["received"].get(w), paths, 0.0)
            if flows["received"].get(w) is not None and len(flows["received"][w]) == 1:
                received = np.full(paths, flows["received"][w][0])
            if flows["trend"]:  # carried on from the window's middle
                growth = np.exp(flows["trend"] * (k + 1 + flows["span"] / 2))
                received = received * min(max(growth, 1.0 / TREND_CAP), TREND_CAP)
            pace = _draw(rng, flows["pace"].get(w), paths, 1.0)
            capacity = flows["capacity"].get(w)
            if capacity is None or len(capacity) < MIN_DAYS_PER_WEEKDAY:
                capacity = flows["capacity_all"]
            limit = _draw(rng, capacity, paths, np.inf) if len(capacity) else np.inf
            done = np.minimum(limit, np.round(pace * (queue + received))) if working else 0.0
            done = np.minimum(done, queue + received)
            queue = queue + received - done
            series["backlog"][:, k] = queue
            series["overdue"][:, k] = queue * flows["overdue_share"]
            series["resolved"][:, k] = done
            series["received"][:, k] = received
        result[(commune, field)] = series
    return result


def _medians(paths: dict[tuple[str, str], dict[str, np.ndarray]], dates: list[dt.date]):
    communes = sorted({c for c, _ in paths})
    rows = []
    for commune in [*communes, "all"]:
        mine = [v for (c, _), v in paths.items() if commune in ("all", c)]
        sums = {k: np.sum([m[k] for m in mine], axis=0) for k in POINT_COLUMNS[2:]}
        med = {k: np.median(v, axis=0) for k, v in sums.items()}
        for k, date in enumerate(dates):
            rows.append((date.isoformat(), commune, *(float(med[s][k]) for s in POINT_COLUMNS[2:])))
    return pd.DataFrame(rows, columns=list(POINT_COLUMNS))


def flow(history: pd.DataFrame, days: int, seed: int = 0, weeks: int = 8) -> pd.DataFrame:
    """The flow model's median path per commune (and ``all``)."""
    return _medians(flow_paths(history, days, seed, weeks), future_dates(history, days))


def receipts_flows(
    history: pd.DataFrame, days: int, seed: int = 0, weeks: int = 8
) -> dict[tuple[str, str], float]:
    """The receipts model's median received per commune (and ``all``) and date: what
    ``received_p50`` reports whatever method is published."""
    frame = flow(history, days, seed, weeks)
    return {
        (c, d): r
        for c, d, r in zip(frame["commune"], frame["date"], frame["received"], strict=True)
    }


BASELINES = {"persistence": persistence, "last_week": last_week, "flow": flow}
