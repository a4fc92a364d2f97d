"""Capacity against demand per commune and field: the figures behind ``capacity.csv``.

Demand is the work of the dossiers received after the warm-up, in clerk-hours at
proficiency 1, per working day. Capacity is what the commune's clerks could give the
field in the same days: each clerk's hours at work less its competing duties, times the
day's working conditions (network, workstations, learning, fatigue), times its
proficiency in the field, counted for each field by the share of its dossier time the
field took. Both are also kept per month, for the busiest month. The verdict and the
days to clear the backlog are made from these (``sim.runs.capacity``), after the
replications are averaged.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np

from sim.abm.agents.clerk import Clerk
from sim.abm.agents.commune import Commune
from sim.core.metrics import Metrics
from sim.spec.scenario import ScenarioSpec


def capacity_figures(
    communes: list[Commune],
    clerks: Iterable[Clerk],
    scenario: ScenarioSpec,
    working_days: Mapping[str, int],
    metrics: Metrics,
) -> dict[str, dict]:
    """Per ``commune/field`` cell: demand and capacity in clerk-hours per working day.

    ``working_days``: working days after the warm-up, by month ("YYYY-MM"). Also the
    open work at the commune stage (``backlog_work_hours``) and the demand of each month
    (``by_month``, months with at least 10 working days).
    """
    days = sum(working_days.values())
    full_months = {m: n for m, n in working_days.items() if n >= 10}
    untrained = scenario.staff.reassignment.untrained_proficiency
    names = {c.name for c in communes}
    capacity: dict[tuple[str, str], float] = {}
    for clerk in clerks:
        if clerk.unit not in names or not clerk.window_dossier_hours:
            continue
        for field, share in clerk.field_shares().items():
            proficiency = clerk.own_skills.get(field) or clerk.skills.get(field) or untrained
            key = (clerk.unit, field)
            capacity[key] = capacity.get(key, 0.0) + (
                clerk.window_dossier_hours * share * proficiency
            )
    demand: dict[tuple[str, str], float] = {}
    monthly: dict[tuple[str, str], dict[str, float]] = {}
    for commune in communes:
        for (month, field), hours in commune.work_received.items():
            key = (commune.name, field)
            demand[key] = demand.get(key, 0.0) + hours
            if month in full_months:
                monthly.setdefault(key, {})[month] = hours / full_months[month]
    backlog: dict[tuple[str, str], float] = {}
    engine = metrics.engine
    rows = metrics.open_rows()
    rows = rows[engine.column("d_stage")[rows] == 0]
    cells = engine.column("d_row")[rows]
    work = np.bincount(
        cells, weights=engine.column("d_work")[rows], minlength=len(metrics.cell_rows)
    )
    present = np.bincount(cells, minlength=len(metrics.cell_rows)) > 0
    for cell, i in metrics.cell_rows.items():
        if present[i]:
            backlog[cell] = float(work[i])
    result: dict[str, dict] = {}
    for commune in communes:
        for field in scenario.fields:
            key = (commune.name, field)
            if key not in demand and key not in capacity:
                continue
            result[f"{commune.name}/{field}"] = {
                "commune": commune.name,
                "field": field,
                "demand_hours_per_day": demand.get(key, 0.0) / days if days else float("nan"),
                "capacity_hours_per_day": capacity.get(key, 0.0) / days if days else float("nan"),
                "backlog_work_hours": backlog.get(key, 0.0),
                "by_month": {
                    m: {"demand_hours_per_day": monthly.get(key, {}).get(m, 0.0)}
                    for m in sorted(full_months)
                },
            }
    return result
