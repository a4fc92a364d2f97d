"""``capacity.csv``: capacity against demand for every commune x field, with a verdict.

The model measures demand and capacity in clerk-hours per working day
(``sim.abm.capacity``); this module turns the replication means into the table a planner
reads: the load (demand / capacity), a plain verdict, and how many working days the
backlog at the end takes to clear where the cell is stable. A ``growing`` cell's queue
grows without bound, so its figures depend on how long the run is.
"""

from __future__ import annotations

import math

import pandas as pd

STABLE_BELOW = 0.9  # load under this: stable
GROWING_FROM = 1.0  # load at or above this: the backlog grows for as long as the run lasts
COLUMNS = (
    "commune",
    "field",
    "demand_hours_per_day",
    "capacity_hours_per_day",
    "load",
    "verdict",
    "days_to_clear",
    "busiest_month",
    "busiest_month_demand_hours_per_day",
    "busiest_month_load",
)


def verdict(load: float) -> str:
    """``stable`` below 0.9, ``tight`` from 0.9 to 1, ``growing`` at 1 or more."""
    if math.isnan(load):
        return "no data"
    if load >= GROWING_FROM:
        return "growing"
    return "tight" if load >= STABLE_BELOW else "stable"


def _ratio(a: float, b: float) -> float:
    if b > 0:
        return a / b
    return math.inf if a > 0 else math.nan


def capacity_table(capacity: dict) -> pd.DataFrame:
    """One row per commune x field from the (replication-mean) ``capacity`` figures."""
    rows = []
    for name, cell in capacity.items():
        if name == "ci95":
            continue
        commune, field = cell["commune"], cell["field"]
        demand = float(cell["demand_hours_per_day"] or 0.0)
        supply = float(cell["capacity_hours_per_day"] or 0.0)
        load = _ratio(demand, supply)
        kind = verdict(load)
        spare = supply - demand
        clear = float(cell["backlog_work_hours"] or 0.0) / spare if kind == "stable" else math.nan
        monthly = {
            m: v["demand_hours_per_day"]
            for m, v in (cell.get("by_month") or {}).items()
            if m != "ci95" and v.get("demand_hours_per_day") is not None
        }
        busiest = max(monthly, key=lambda m: (monthly[m], m)) if monthly else ""
        peak = monthly.get(busiest, math.nan)
        rows.append(
            (commune, field, demand, supply, load, kind, clear, busiest, peak,
             _ratio(peak, supply) if busiest else math.nan)
        )  # fmt: skip
    return pd.DataFrame(rows, columns=list(COLUMNS))


def growing_cells(table: pd.DataFrame) -> pd.DataFrame:
    """The rows whose backlog grows for as long as the run lasts, worst first."""
    return table[table["verdict"] == "growing"].sort_values("load", ascending=False)
