"""A tiny scenario and an independent queue simulator that writes a planner's history.

The simulator below is not the model: each commune x field is a queue of ``servers``
clerks working ``HOURS`` hours on working days (Monday to Friday), serving dossiers
first come first served with exponential work; dossiers arrive as a Poisson number per
day (in proportion to the scenario's rate, times a known change), each with a deadline
in working days. It writes ``history.csv`` with the issue's columns and the dossiers
still open at the end, so tests check calibration, forecasts and backtests against a
truth the model did not produce.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import numpy as np

HOURS = 8.0
FIELDS = ("certification", "land")
DEADLINE_DAYS = {"certification": 2, "land": 5}
WORK_RATE = {"certification": 2.0, "land": 1.0}  # dossiers per clerk-hour
SHARE = {"certification": 0.7, "land": 0.3}
ARRIVALS = {"a": 0.5, "b": 0.3}  # per hour, every hour of every day (24 x 7)
CLERKS = {"certification": 2, "land": 1}


def tiny_scenario(arrivals: dict[str, float] | None = None) -> dict:
    """Two communes (or ``arrivals``' communes), two fields, their clerks: a scenario
    block (plain dict)."""
    arrivals = arrivals or ARRIVALS
    return {
        "name": "tiny",
        "calendar": {
            "kind": "working",
            "opening_hours": [[8, 12], [13, 17]],
            "working_weekdays": [1, 2, 3, 4, 5],
            "holidays_country": None,
        },
        "dispatch": "fifo",
        "equipment": {"sync_fields": []},
        "premises": {"off_site_fields": []},
        "fields": list(FIELDS),
        "procedures": {
            name: {
                "field": name,
                "share": SHARE[name],
                "work_hours": {"dist": "exponential", "rate_per_hour": WORK_RATE[name]},
                "deadline_working_days": DEADLINE_DAYS[name],
                "online_eligible": False,
            }
            for name in FIELDS
        },
        "applicants": {"citizen": {"units_per_agent": 1, "digital_propensity_mean": 0.0}},
        "communes": [
            {
                "name": name,
                "arrivals_per_hour": rate,
                "clerks": [{"count": CLERKS[f], "skills": {f: 1.0}} for f in FIELDS],
            }
            for name, rate in arrivals.items()
        ],
    }


def _add_working_days(date: dt.date, days: int) -> dt.date:
    while days > 0 or date.weekday() >= 5:
        date += dt.timedelta(days=1)
        if date.weekday() < 5:
            days -= 1
    return date


def queue_history(
    start: dt.date,
    days: int,
    seed: int,
    demand: dict[tuple[str, str], float] | None = None,
    capacity: dict[str, float] | None = None,
    open_at: int | None = None,
    absent: dict[tuple[str, str], tuple[int, int]] | None = None,
    growth: dict[tuple[str, str], float] | None = None,
    clerks: dict[tuple[str, str], int] | None = None,
) -> tuple[list[dict], list[dict]]:
    """Daily rows of history.csv and the open dossiers at the end of day ``open_at``
    (counted from 1; default the last day).

    ``demand[(commune, field)]``: factor on that cell's arrivals; ``capacity[field]``:
    factor on the clerks' speed in that field (both 1 when not given);
    ``absent[(commune, field)] = (first, last)``: that cell's clerks do no work from day
    ``first`` to day ``last`` (counted from 0, inclusive), e.g. on leave;
    ``growth[(commune, field)]``: that cell's arrivals grow by this share a day;
    ``clerks[(commune, field)]``: its clerks, when not the scenario's.
    """
    growth, clerks = growth or {}, clerks or {}
    absent = absent or {}
    open_at = days if open_at is None else open_at
    rng = np.random.default_rng(seed)
    demand, capacity = demand or {}, capacity or {}
    rows: list[dict] = []
    open_end: list[dict] = []
    for commune, rate in ARRIVALS.items():
        for field in FIELDS:
            mean = 24 * rate * SHARE[field] * demand.get((commune, field), 1.0)
            speed = WORK_RATE[field] * capacity.get(field, 1.0)
            queue: list[tuple[dt.date, dt.date, float]] = []  # received, deadline, work
            for k in range(days):
                date = start + dt.timedelta(days=k)
                arrivals = rng.poisson(mean * (1.0 + growth.get((commune, field), 0.0)) ** k)
                # needs of a closed day arrive on the next working day (in person)
                for _ in range(arrivals):
                    on = _add_working_days(date, 0)
                    due = _add_working_days(on, DEADLINE_DAYS[field])
                    queue.append((on, due, rng.exponential(1.0 / speed)))
                received = [q for q in queue if q[0] == date]
                resolved = on_time = 0
                away = absent.get((commune, field))
                if date.weekday() < 5 and not (away and away[0] <= k <= away[1]):
                    hours = HOURS * clerks.get((commune, field), CLERKS[field])
                    while queue and queue[0][0] <= date and hours >= queue[0][2]:
                        got, due, work = queue.pop(0)
                        hours -= work
                        resolved += 1
                        on_time += date <= due
                    if queue and queue[0][0] <= date and hours > 0:
                        got, due, work = queue[0]
                        queue[0] = (got, due, work - hours)
                waiting = [q for q in queue if q[0] <= date]
                if k == open_at - 1:
                    open_end += [
                        {
                            "commune": commune,
                            "field": field,
                            "received_date": got.isoformat(),
                            "deadline_date": due.isoformat(),
                        }
                        for got, due, _ in waiting
                    ]
                rows.append(
                    {
                        "date": date.isoformat(),
                        "commune": commune,
                        "field": field,
                        "received": len(received),
                        "resolved": resolved,
                        "resolved_on_time": on_time,
                        "open_end": len(waiting),
                        "overdue_end": sum(1 for q in waiting if q[1] < date),
                    }
                )
    rows.sort(key=lambda r: (r["date"], r["commune"], r["field"]))
    return rows, open_end


def write_csv(path: Path, rows: list[dict], sep: str = ",") -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), delimiter=sep)
        writer.writeheader()
        writer.writerows(rows)
    return path


def flat_history(start: dt.date, days: int, seed: int, levels: dict[str, float]) -> list[dict]:
    """A new user's hand-made history: per commune one field (``certification``) whose
    backlog stays near ``levels[commune]`` for the whole period (receipts Poisson of
    about a fifth of the level a working day, none at the weekend; results pulling the
    backlog back to its level), every row balanced (open_end = the previous day's +
    received - resolved), a tenth of it overdue."""
    rng = np.random.default_rng(seed)
    rows = []
    for commune, level in levels.items():
        backlog = int(level)
        daily = level / 5.0
        for k in range(days):
            date = start + dt.timedelta(days=k)
            working = date.weekday() < 5
            received = int(rng.poisson(daily)) if working else 0
            pull = 0.3 * (backlog - level)
            resolved = max(0, int(round(rng.normal(daily + pull, 0.15 * daily)))) if working else 0
            resolved = min(resolved, backlog + received)
            backlog += received - resolved
            for field in FIELDS:
                mine = field == "certification"
                rows.append(
                    {
                        "date": date.isoformat(),
                        "commune": commune,
                        "field": field,
                        "received": received if mine else 0,
                        "resolved": resolved if mine else 0,
                        "resolved_on_time": resolved if mine else 0,
                        "open_end": backlog if mine else 0,
                        "overdue_end": backlog // 10 if mine else 0,
                    }
                )
    rows.sort(key=lambda r: (r["date"], r["commune"], r["field"]))
    return rows
