"""The engine of one model: its arrays sized for the scenario, and the day's arrivals.

Offices are numbered as the compiled loop expects (sim/core/routing.py): commune ``m``'s
back office is office ``m``, the reception desks follow, the provincial departments
(each its own office) come last. The
scenario's rules the loop reads go into its parameter vector (``PARAMS``).
"""

from __future__ import annotations

import numpy as np

from sim.core.calendar import HOURS_PER_DAY
from sim.core.engine import Engine
from sim.core.events import EV_CARRY, EV_RECEIVE
from sim.spec.scenario import ScenarioSpec


def build_engine(spec: ScenarioSpec, calendar, warmup_hours: float, key_root: int):
    """The engine, each desk's office number by commune, and each provincial
    department's office number by name."""
    n_communes = len(spec.communes)
    desks = [i for i, c in enumerate(spec.communes) if c.reception_counters]
    desk_index = {m: n_communes + k for k, m in enumerate(desks)}
    first = n_communes + len(desks)
    department_office = {name: first + k for k, name in enumerate(spec.departments)}
    engine = Engine(
        spec.fields, n_communes, first + max(1, len(department_office)),
        n_communes * len(spec.fields), calendar, _params(spec, calendar, warmup_hours),
        clerks=_staff(spec),
    )  # fmt: skip
    syncs = engine.column("field_syncs")
    for field in spec.equipment.sync_fields:
        syncs[engine.field_index[field]] = True
    engine.column("key_root")[0] = key_root
    return engine, desk_index, department_office


def _staff(spec: ScenarioSpec) -> int:
    """The scenario's clerks, reception counters and department staff: the clerk table's
    first size (each growth rebuilds the state the compiled code takes)."""
    communes = sum(g.count for c in spec.communes for g in c.clerks)
    counters = sum(c.reception_counters for c in spec.communes)
    return communes + counters + sum(d.staff for d in spec.departments.values())


def merged_arrivals(arrivals: list[tuple[np.ndarray, np.ndarray]], carried: np.ndarray):
    """The day's arrivals as (times, kinds, rows) sorted by time: dossiers open before
    the run first (at hour 0), then each kind's needs, ties in that order."""
    times = [np.zeros(len(carried))] + [t for t, _ in arrivals]
    kinds = [np.full(len(carried), EV_CARRY)] + [np.full(len(r), EV_RECEIVE) for _, r in arrivals]
    rows = [carried] + [r for _, r in arrivals]
    times, kinds, rows = np.concatenate(times), np.concatenate(kinds), np.concatenate(rows)
    order = np.argsort(times, kind="stable")
    return times[order], kinds[order].astype(np.int32), rows[order].astype(np.int64)


def _params(spec: ScenarioSpec, calendar, warmup_hours: float) -> dict:
    """The scenario's rules the compiled loop reads (``PARAMS``, sim/core/state.py)."""
    premises, equipment = spec.premises, spec.equipment
    limit = premises.balk_queue_per_counter
    return {
        "always_open": float(calendar.always_open),
        "warmup_hours": warmup_hours,
        "rework_fraction": spec.rework_fraction,
        "error_unskilled": spec.staff.error_probability_unskilled,
        "sync_rework_fraction": equipment.sync_rework_fraction,
        "sync_retry_hours": equipment.sync_retry_hours,
        "province_handoff_hours": spec.handoff_hours,
        "balk_limit": -1.0 if limit is None else float(limit),
        "balk_online": premises.balk_online_probability,
        "between_sites_km": spec.citizen.between_sites_km if spec.citizen is not None else 0.0,
        "same_day_cutoff": spec.same_day_cutoff_hour,
        "daily_open_hours": HOURS_PER_DAY if calendar.always_open else calendar.open_hours_of_a_day,
    }
