"""Warm start: the dossiers open at the start of a run, and daily series per cell.

A run that continues a planner's history (sim.forecast) starts with the dossiers open
at the end of the history in their communes' back-office queues, their receipt and
deadline dates kept: a dossier received ``k`` days before the run's first day was
submitted at hour ``-24k + 12`` (midday), and one due on date ``D`` is overdue from the
end of ``D`` (its deadline is the end of that day, as ``overdue_end`` counts it). What
the history cannot say (procedure, work, whether it still goes to the province) is
drawn from the scenario's procedures of that field, on a stream of its own
("carried"), so the demand stream and common random numbers are untouched. The carried
dossiers are not counted as received on the first day;
the in-person needs of the closed days just before the run (a weekend before a Monday
start), which come to the PASC on its first working day, are drawn on the first day
too (``closed_days_before``); they are created, resolved or
left open like any other, so the model's audit balances.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np

from sim.core.calendar import HOURS_PER_DAY
from sim.core.dossier import ONLINE

GovernanceModel = object  # sim.abm.model.GovernanceModel (not imported: no import cycle)

CARRIED_HOUR = 12.0  # assumption: a carried dossier's receipt hour on its receipt date


def carried_arrivals(model: GovernanceModel, open_dossiers: Sequence) -> np.ndarray:
    """Rows of the open dossiers, made now; they join their back offices at hour 0.

    ``open_dossiers``: items with ``commune``, ``field``, ``received_date`` and
    ``deadline_date`` (dates or ISO strings), or tuples in that order.
    """
    if not open_dossiers:
        return np.empty(0, dtype=np.int64)
    communes = {c.name: c for c in model.communes}
    rng = model.streams.carried
    start = model.start_date
    rows = []
    for item in open_dossiers:
        commune_name, field, received, deadline = _fields(item)
        commune = communes.get(commune_name)
        if commune is None:
            raise ValueError(
                f"open dossier of commune {commune_name!r}: not in the scenario; "
                f"communes: {', '.join(communes)}"
            )
        kind, catalogue, index = _procedure(model, field, rng)
        u = rng.random(5)
        work = float(catalogue.sample_work(np.array([index]), u[:1])[0])
        speed = dict(commune.spec.capacity_factors).get(field, 1.0)
        population = commune.populations[kind]
        agent = int(model.applicants.pick(np.array([population.index]), u[1:2])[0])
        distance = commune.spec.distance_km_mean
        if population.distance is not None:
            distance = float(population.distance[agent])
        row = model.demand.new_dossiers(
            commune=commune.index,
            field=model.engine.field_index[field],
            procedure=(catalogue, np.array([index])),
            pop=population.index,
            agent=agent,
            channel=ONLINE,  # no trip to count: the applicant came before the run
            submitted=(received - start).days * HOURS_PER_DAY + CARRIED_HOUR,
            work=work / speed,
            needs_supplement=False,  # assumption: a file still open is complete
            u_fault=1.0,
            u_sync=1.0,
            complains=False,
            distance=np.array([distance]),
            has_signal=np.array([bool(population.has_signal[agent])]),
            behaviour=population.behaviour,
            counted=False,  # before the run: not in the time statistics
        )
        model.engine.column("d_deadline")[row] = ((deadline - start).days + 1) * HOURS_PER_DAY
        rows.append(row)
    return np.concatenate(rows).astype(np.int64)


def closed_days_before(scenario, start: dt.date) -> list[dt.date]:
    """The closed days (weekends, holidays) just before ``start``, latest last: their
    in-person needs arrive on the run's first working day, after a warm start."""
    from sim.core.calendar import make_calendar

    back = 14
    calendar = make_calendar(scenario.calendar, start - dt.timedelta(days=back))
    if calendar.always_open:
        return []
    days = []
    for k in range(back - 1, -1, -1):
        if calendar.is_working_day(k):
            break
        days.append(start - dt.timedelta(days=back - k))
    return sorted(days)


def _fields(item) -> tuple[str, str, dt.date, dt.date]:
    if isinstance(item, tuple | list):
        commune, field, received, deadline = item
    else:
        commune, field = item.commune, item.field
        received, deadline = item.received_date, item.deadline_date
    as_date = dt.date.fromisoformat
    received = as_date(received) if isinstance(received, str) else received
    deadline = as_date(deadline) if isinstance(deadline, str) else deadline
    return str(commune), str(field), received, deadline


def _procedure(model: GovernanceModel, field: str, rng: np.random.Generator):
    """A procedure of ``field`` (applicant kind, catalogue, index), drawn in proportion
    to the procedures' shares (equal chances when they are all zero)."""
    choices = [
        (kind, catalogue, i, p.share)
        for kind, catalogue in model.catalogue.items()
        for i, p in enumerate(catalogue.procedures)
        if p.field == field
    ]
    if not choices:
        raise ValueError(f"open dossier of field {field!r}: no procedure of the scenario has it")
    weights = np.array([c[3] for c in choices], dtype=float)
    if weights.sum() <= 0:
        weights = np.ones(len(choices))
    kind, catalogue, index, _ = choices[int(rng.choice(len(choices), p=weights / weights.sum()))]
    return kind, catalogue, index


class CellSeries:
    """Per commune x field, per day: received, resolved, resolved on time (of the
    dossiers received during the run), backlog and overdue at the day's end."""

    def __init__(self, model: GovernanceModel) -> None:
        self.model = model
        self.cells = [(c.name, f) for c in model.communes for f in model.scenario_spec.fields]
        self.dates: list[str] = []
        self.series = {cell: {k: [] for k in _KEYS} for cell in self.cells}
        self._last = {cell: (0, 0, 0) for cell in self.cells}  # created, resolved, on time
        self.carried: dict[tuple[str, str], int] = {}

    def collect(self) -> None:
        model = self.model
        grid = model.metrics.overdue_grid(model.engine.now)
        fields = model.engine.field_index
        communes = {c.name: c.index for c in model.communes}
        overdue = {(c, f): int(grid[communes[c], fields[f]]) for c, f in self.cells}
        self.dates.append(model.date.isoformat())
        for cell in self.cells:
            tally = model.metrics.tally_for(*cell)
            created, resolved, on_time = self._last[cell]
            received = tally.created - created - self.carried.pop(cell, 0)
            row = self.series[cell]
            row["received"].append(received)
            row["resolved"].append(tally.resolved - resolved)
            row["resolved_on_time"].append(int(tally.on_time - on_time))
            row["backlog"].append(tally.open)
            row["overdue"].append(overdue[cell])
            self._last[cell] = (tally.created, tally.resolved, tally.on_time)

    def as_dict(self) -> dict:
        """``{"dates": [...], "cells": {"commune|field": {key: [per day]}}}`` (JSON)."""
        return {
            "dates": list(self.dates),
            "cells": {f"{c}|{f}": values for (c, f), values in self.series.items()},
        }


_KEYS = ("received", "resolved", "resolved_on_time", "backlog", "overdue")
