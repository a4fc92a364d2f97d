"""Calibration to a planner's history: demand estimated from ``received``, losses of
simulated against observed stocks and flows, and the ensemble of parameter sets.

The simulation loop itself (Optuna, batch runs) is in sim/forecasting/fitting.py; this module
holds what needs no runs:

- ``estimate_demand``: per commune x field, the observed receipts per calendar day over
  the last whole weeks of the history (whole weeks, so that needs of a weekend received
  on the Monday are neither gained nor lost at the window's edges), a log-linear trend
  over weekly totals kept only where it is significant (|t| > 3 with at least four
  weeks), the relative standard error of the level (weekly totals' spread, at least
  Poisson's), a weekday pattern per field (share of a mean day), and the factor on the
  scenario's own expected needs that the model needs to receive as many.
- ``busy_throughput``: resolved per day on the days a cell's clerks could not run out
  of work (the queue at the day's start more than the cell ever resolved in a day,
  something left at its end): what its clerks can do. Observed against simulated (a probe run with
  a deep backlog in every cell, capacity factor 1), it gives each cell's capacity
  factor directly where the data show enough saturated days and the field has clerks of
  its own (``dedicated_cells``).
(``cell_losses`` and ``ensemble``: sim/forecasting/ensemble.py.)
"""

from __future__ import annotations

import copy
import datetime as dt
import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from sim.abm.model import GovernanceModel
from sim.spec.communes_file import read_communes_file
from sim.spec.config import Reader
from sim.spec.scenario import ScenarioSpec

TREND_T = 3.0  # assumption: |slope / SE| above which a trend is kept (a false trend carried
# over a forecast does more harm than a missed one)
TREND_MIN_WEEKS = 4
MIN_DEMAND_FACTOR = 1e-3  # assumption: a cell that received nothing keeps a thousandth of
# the scenario's demand (the model needs a factor > 0)
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
STOCKS = (("backlog", "open_end"), ("overdue", "overdue_end"), ("resolved", "resolved"))


def expanded_scenario(scenario: dict) -> dict:
    """The scenario block with a ``communes_file`` read into ``communes`` (so that each
    commune's entry can carry calibration factors)."""
    scenario = copy.deepcopy(scenario)
    path = scenario.get("communes_file")
    if path:
        fields = tuple(ScenarioSpec.read(scenario).fields)
        options = Reader(scenario.get("communes_file_options") or {}, "communes_file_options")
        scenario["communes"] = read_communes_file(str(path), fields, options)
        scenario["communes_file"] = None
    return scenario


def model_rates(scenario: dict, dates: Sequence[dt.date]) -> dict[tuple[str, str], float]:
    """The scenario's expected needs per calendar day by commune x field, averaged over
    ``dates`` (seasonality included), before any calibration factor."""
    spec = ScenarioSpec.read(_neutral(scenario))
    model = GovernanceModel(spec, seed=0, start_date=dates[0])
    mean_season = float(np.mean([model.season.factor(d) for d in dates]))
    rates: dict[tuple[str, str], float] = {}
    for commune in model.communes:
        for kind, catalogue in model.catalogue.items():
            if kind not in commune.needs_per_day:
                continue
            shares = np.array([p.share for p in catalogue.procedures], dtype=float)
            for p, share in zip(catalogue.procedures, shares / shares.sum(), strict=True):
                cell = (commune.name, p.field)
                value = commune.needs_per_day[kind] * share * mean_season
                rates[cell] = rates.get(cell, 0.0) + value
    return rates


def _neutral(scenario: dict) -> dict:
    data = copy.deepcopy(scenario)
    for entry in data.get("communes") or []:
        for key in (
            "demand_factors",
            "capacity_factors",
            "demand_trend_per_day",
            "initial_fatigue",
        ):
            entry.pop(key, None)
    return data


def estimate_demand(history: pd.DataFrame, scenario: dict, weeks: int = 8) -> dict:
    """Per cell ``"commune|field"``: observed level, trend, SE, model rate and factor;
    and the weekday pattern per field. See the module's docstring."""
    last = max(history["date"])
    available = (last - min(history["date"])).days + 1
    span = 7 * max(1, min(weeks, available // 7)) if available >= 7 else available
    first = last - dt.timedelta(days=span - 1)
    window = history[history["date"] >= first]
    dates = [first + dt.timedelta(days=k) for k in range(span)]
    rates = model_rates(scenario, dates)
    cells = {}
    for (commune, field), cell in window.groupby(["commune", "field"], sort=False):
        counts = cell.sort_values("date")["received"].to_numpy(dtype=float)
        cells[f"{commune}|{field}"] = _cell_demand(counts, rates.get((commune, field), 0.0))
    return {
        "window": [first.isoformat(), last.isoformat()],
        "cells": cells,
        "weekday_pattern": _weekday_pattern(window),
    }


def _cell_demand(counts: np.ndarray, model_rate: float) -> dict:
    total = float(counts.sum())
    days = len(counts)
    mean = total / days if days else 0.0
    n_weeks = days // 7
    weekly = counts[: 7 * n_weeks].reshape(n_weeks, 7).sum(axis=1) if n_weeks else counts
    rel_se = 1.0 / math.sqrt(total) if total > 0 else 1.0
    if n_weeks >= 2 and weekly.mean() > 0:
        spread = float(weekly.std(ddof=1) / math.sqrt(n_weeks) / weekly.mean())
        rel_se = max(rel_se, spread)
    trend, trend_se, end_level = 0.0, None, mean
    if n_weeks >= TREND_MIN_WEEKS and total > 0:
        x = np.arange(n_weeks, dtype=float)
        y = np.log(weekly + 0.5)
        slope, intercept = np.polyfit(x, y, 1)
        residual = y - (intercept + slope * x)
        se = math.sqrt(
            float(residual @ residual) / (n_weeks - 2) / float(((x - x.mean()) ** 2).sum())
        )
        trend_se = se / 7.0
        if se > 0 and abs(slope / se) > TREND_T:
            trend = float(slope / 7.0)
            # the level on the window's last day, from the fitted line through its mean
            end_level = mean * math.exp(trend * (days - 1) / 2.0)
    factor = end_level / model_rate if model_rate > 0 else 1.0
    factor = max(factor, MIN_DEMAND_FACTOR)
    return {
        "observed_per_day": mean,
        "level_end_per_day": end_level,
        "relative_se": rel_se,
        "trend_per_day": trend,
        "trend_se_per_day": trend_se,
        "trend_used": trend != 0.0,
        "model_per_day": float(model_rate),
        "demand_factor": factor,
        "demand_factor_low": factor * math.exp(-1.645 * rel_se),
        "demand_factor_high": factor * math.exp(1.645 * rel_se),
    }


def _weekday_pattern(window: pd.DataFrame) -> dict[str, dict[str, float]]:
    """Per field: mean receipts on each weekday relative to the mean day."""
    result = {}
    daily = window.groupby(["field", "date"], sort=True)["received"].sum().reset_index()
    for field, frame in daily.groupby("field", sort=False):
        mean = frame["received"].mean()
        weekday = frame.assign(w=[d.weekday() for d in frame["date"]]).groupby("w")["received"]
        result[field] = {
            WEEKDAYS[w]: (float(v / mean) if mean > 0 else 1.0) for w, v in weekday.mean().items()
        }
    return result


def history_fatigue(history: pd.DataFrame, spec: ScenarioSpec, before: dt.date) -> dict[str, float]:
    """Per commune: its clerks' fatigue at the start of ``before``, by the model's own
    rule (``StaffRules.overloaded`` and ``fatigue_after``) run over the history's working days
    (Monday to Friday) before it, with the commune's observed ``open_end`` of the
    previous day standing for its queue (an upper bound: it also counts dossiers in
    service, at the province or with the applicant) and its clerks less the expected
    absences for the clerks on duty."""
    rules = spec.staff
    result = {}
    if not rules.fatigue_slowdown and not rules.resignation_hazard_per_day:
        return {c.name: 0.0 for c in spec.communes}
    daily = history[history["date"] < before].groupby(["commune", "date"])["open_end"].sum()
    for commune in spec.communes:
        clerks = sum(g.count for g in commune.clerks) * (1.0 - rules.absence_probability)
        fatigue, previous = 0.0, 0
        series = daily.get(commune.name, pd.Series(dtype=float))
        for date, open_end in series.items():
            if date.weekday() < 5:
                fatigue = rules.fatigue_after(fatigue, float(rules.overloaded(previous, clerks)))
            previous = open_end
        result[commune.name] = round(float(fatigue), 4)
    return result


def with_factors(
    scenario: dict,
    demand: Mapping[str, float],
    capacity: Mapping[str, float],
    trend: Mapping[str, float] | None = None,
    days_ahead: int = 0,
    fatigue: Mapping[str, float] | None = None,
    clerks: Mapping[str, int] | None = None,
) -> dict:
    """The scenario block with calibration factors per cell ``"commune|field"``.

    ``days_ahead``: days from the demand estimate's last day to the run's first day
    (the trend carries the level on). ``clerks``: per cell, the clerks of that field's
    own groups counted again (``recounted``).
    """
    data = copy.deepcopy(scenario)
    trend = trend or {}
    for entry in data["communes"]:
        name = entry["name"]
        for cell, count in (clerks or {}).items():
            if cell.split("|")[0] == name:
                recounted(entry, cell.split("|")[1], int(count))
        demand_of = {c.split("|")[1]: v for c, v in demand.items() if c.split("|")[0] == name}
        capacity_of = {c.split("|")[1]: v for c, v in capacity.items() if c.split("|")[0] == name}
        slopes = [v for c, v in trend.items() if c.split("|")[0] == name and v]
        slope = float(np.mean(slopes)) if slopes else 0.0
        if slope:
            demand_of = {f: v * math.exp(slope * days_ahead) for f, v in demand_of.items()}
        entry["demand_factors"] = {f: float(v) for f, v in demand_of.items()}
        entry["capacity_factors"] = {f: float(v) for f, v in capacity_of.items()}
        entry["demand_trend_per_day"] = slope
        if fatigue:
            entry["initial_fatigue"] = float(fatigue.get(name, 0.0))
    return data


def dedicated_groups(entry: Mapping, field: str) -> list:
    """The clerk groups of a commune entry that serve ``field`` only."""
    return [
        g
        for g in entry.get("clerks") or []
        if [f for f, v in (g.get("skills") or {}).items() if v > 0] == [field]
    ]


def recounted(entry: dict, field: str, count: int) -> None:
    """Set the clerks of ``field``'s own groups of a commune entry to ``count`` in all
    (the first group takes what rounding leaves)."""
    groups = dedicated_groups(entry, field)
    total = sum(int(g.get("count", 1)) for g in groups)
    if not groups or total <= 0:
        return
    for g in groups:
        g["count"] = int(g.get("count", 1)) * count // total
    groups[0]["count"] += count - sum(g["count"] for g in groups)


def member_scenario(
    scenario: dict,
    calibration: dict,
    member: int,
    days_ahead: int = 1,
    fatigue: Mapping[str, float] | None = None,
) -> dict:
    """The expanded ``scenario`` with the factors of ensemble ``member`` of
    ``calibration`` (calibration.json), demand carried on by its trend to the run's first
    day, ``days_ahead`` after the history's last (1: the day after), and the clerks'
    ``fatigue`` per commune on that day: what ``python -m sim.forecast`` and
    ``optimize.start_from`` run."""
    trends = {c: d["trend_per_day"] for c, d in calibration["demand"]["cells"].items()}
    chosen = calibration["members"][member]
    return with_factors(
        scenario,
        chosen["demand"],
        chosen["capacity"],
        trends,
        days_ahead,
        fatigue,
        calibration.get("clerks"),
    )


def observed_window(history: pd.DataFrame, first: dt.date) -> dict[str, dict[str, list[int]]]:
    """Per cell ``"commune|field"``: observed series from ``first`` on, keyed like
    ``daily_cells`` (backlog, overdue, resolved, received)."""
    window = history[history["date"] >= first].sort_values("date")
    result = {}
    for (commune, field), cell in window.groupby(["commune", "field"], sort=False):
        result[f"{commune}|{field}"] = {
            "backlog": cell["open_end"].tolist(),
            "overdue": cell["overdue_end"].tolist(),
            "resolved": cell["resolved"].tolist(),
            "received": cell["received"].tolist(),
        }
    return result


BUSY_MIN_DAYS = 10  # assumption: busy days needed for a direct capacity estimate


def busy_throughput(series: Mapping[str, Sequence[int]]) -> tuple[float, int, float]:
    """Mean resolved on busy days of one cell's series, the number of such days, and
    the mean's relative standard error. A day is busy when the queue at its start
    exceeds the most the cell resolved on any day of the series: its clerks could not
    run out of work (an ordinary queue of a day or two, worked off as it comes, is not
    busy)."""
    backlog, resolved = series["backlog"], series["resolved"]
    most = max(resolved) if len(resolved) else 0
    busy = [
        resolved[k]
        for k in range(1, len(backlog))
        if resolved[k] > 0 and backlog[k - 1] > most and backlog[k] >= 1
    ]
    if len(busy) < 2:
        return (float(busy[0]) if busy else 0.0), len(busy), 1.0
    mean = float(np.mean(busy))
    return mean, len(busy), float(np.std(busy, ddof=1) / math.sqrt(len(busy)) / mean)


def direct_capacity(
    observed: Mapping[str, dict], probes: Sequence[dict]
) -> dict[str, dict[str, float]]:
    """Per cell with enough busy days, observed and simulated: the capacity factor that
    makes the model's busy throughput the observed one, and its relative SE (the
    observed mean's)."""
    result = {}
    for cell, seen in observed.items():
        rate, days, rel_se = busy_throughput(seen)
        simulated = [busy_throughput(p["cells"][cell]) for p in probes]
        model_rate = float(np.mean([r for r, _, _ in simulated]))
        if (
            days >= BUSY_MIN_DAYS
            and min(d for _, d, _ in simulated) >= BUSY_MIN_DAYS
            and model_rate
        ):
            result[cell] = {"factor": rate / model_rate, "relative_se": rel_se, "busy_days": days}
    return result


def dedicated_cells(spec: ScenarioSpec) -> set[str]:
    """Cells ``"commune|field"`` whose clerks serve that field only: there busy-day
    throughput measures the field's capacity (clerks shared between fields split their
    time differently in a probe with every field piled up than they did)."""
    result = set()
    for commune in spec.communes:
        for field in spec.fields:
            groups = [g for g in commune.clerks if g.count and g.skills.get(field, 0) > 0]
            if groups and all(len([v for v in g.skills.values() if v > 0]) == 1 for g in groups):
                result.add(f"{commune.name}|{field}")
    return result


def probe_backlog(observed: Mapping[str, dict], first: dt.date) -> tuple:
    """Open dossiers for the probe run: per cell, twice its receipts in the window and
    20 more, received the day before and due a month later (no deadline pressure)."""
    received = (first - dt.timedelta(days=1)).isoformat()
    due = (first + dt.timedelta(days=30)).isoformat()
    items = []
    for cell, seen in observed.items():
        commune, field = cell.split("|")
        items += [(commune, field, received, due)] * (2 * int(sum(seen["received"])) + 20)
    return tuple(items)
