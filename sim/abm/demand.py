"""A day's needs in every commune become dossiers, drawn in one vectorised pass per kind.

Each need takes ``N_UNIFORMS`` uniforms from the demand stream (procedure, applicant,
channel, time, work, supplement) and ``N_EXTRA`` from the dossier stream (faulty work,
sync failure, complaint); its workflow's later steps (whether each applies, its work or
wait) are keyed uniforms of its dossier number. Drawing them for all communes at
once, rather than commune by commune, keeps the number of numpy calls per day near
constant, so a province-day costs in proportion to its dossiers, not to its communes:
the choice of applicant and channel is made for all communes' households at once
(``Applicants``); only a calibrated commune's own mix of procedures is drawn per commune.
The demand stream serves nothing else, so two policies under one seed still see the
same needs (common random numbers).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np

from sim.core.calendar import HOURS_PER_DAY
from sim.core.dossier import IN_PERSON, ONLINE
from sim.core.keyed import STEP_AMOUNT, STEP_NEEDED, SUPPLEMENT_DELAY, SUPPLEMENT_GIVE_UP
from sim.core.metrics import FAR_KM

if TYPE_CHECKING:
    from sim.abm.agents.applicant import Applicants
    from sim.abm.agents.commune import Commune
    from sim.abm.world import World
    from sim.spec.procedures import Catalogue

N_UNIFORMS = 6
N_EXTRA = 3


class Demand:
    """Each day's needs of every commune, as dossiers arriving at their PASC.

    Args:
        world: the model's shared context (streams, calendar, scenario, metrics).
        catalogue: procedures by applicant kind.
        communes: the communes, in scenario order.
        department_office: each provincial department's office number, by name.
        next_uid: ``next_uid(n)``: the first of ``n`` fresh dossier numbers.
        applicants: every population's applicants in one set of arrays.
    """

    def __init__(
        self,
        world: World,
        catalogue: Mapping[str, Catalogue],
        communes: Sequence[Commune],
        department_office: Mapping[str, int],
        next_uid: Callable[[int], int],
        applicants: Applicants,
    ) -> None:
        self.world = world
        self.applicants = applicants
        self.catalogue = catalogue
        self.communes = communes
        self.workflows = {
            kind: cat.steps(dict(department_office)) for kind, cat in catalogue.items()
        }
        self.remote = np.array([c.spec.remote for c in communes], dtype=bool)
        self.next_uid = next_uid
        self._calibrated = {kind: _calibration(cat, communes) for kind, cat in catalogue.items()}
        self._fields_of: dict[int, np.ndarray] = {}

    def day(self, day: int, season: float) -> list[tuple[np.ndarray, np.ndarray]]:
        """Today's needs of every commune: ``(arrival times, dossier rows)`` per kind."""
        streams = self.world.streams
        self._in_person_slots = self._open_slots(day)
        arrivals: list[tuple[np.ndarray, np.ndarray]] = []
        for kind, catalogue in self.catalogue.items():
            communes = [c for c in self.communes if kind in c.populations]
            if not communes:
                continue
            rates = np.array([c.needs_per_day[kind] for c in communes]) * season
            calibrated = self._calibrated[kind]
            if calibrated is not None:
                level, trend = calibrated[0], calibrated[1]
                rates = rates * np.array([level[c.name] for c in communes])
                rates = rates * np.exp(np.array([trend[c.name] for c in communes]) * day)
            counts = streams.demand.poisson(rates)
            n = int(counts.sum())
            if n:
                u = streams.demand.random((n, N_UNIFORMS))
                extra = streams.dossier.random((n, N_EXTRA))
                arrivals.append(self._dossiers(kind, catalogue, communes, counts, day, u, extra))
        return arrivals

    def _open_slots(self, day: int) -> tuple[np.ndarray, np.ndarray, float, np.ndarray]:
        """Open intervals when in-person visitors of today's needs come.

        On a closed day they come on the next working day.
        """
        calendar = self.world.calendar
        target = day
        while not calendar.is_working_day(target):
            target += 1
        intervals = calendar.open_intervals(target)
        starts = np.array([a for a, _ in intervals])
        lengths = np.array([b - a for a, b in intervals])
        cumulative = np.cumsum(lengths)
        return starts, cumulative, float(lengths.sum()), np.r_[0.0, cumulative[:-1]]

    def arrival_times(self, day: int, u: np.ndarray, online: np.ndarray) -> np.ndarray:
        """Online dossiers come at any hour of the day; visitors during opening hours."""
        times = day * HOURS_PER_DAY + HOURS_PER_DAY * u
        if self.world.calendar.always_open or not (~online).any():
            return times
        starts, cumulative, total, slot_begins = self._in_person_slots
        x = u * total
        slot = np.minimum(np.searchsorted(cumulative, x, side="right"), len(starts) - 1)
        in_person = starts[slot] + (x - slot_begins[slot])
        return np.where(online, times, in_person)

    def _dossiers(self, kind, catalogue, communes, counts, day, u, extra) -> tuple:
        procedure_index = catalogue.pick(u[:, 0])
        calibrated = self._calibrated[kind]
        bounds = np.concatenate(([0], np.cumsum(counts))).tolist()
        if calibrated is not None:  # each commune's own mix of fields
            cumulative = calibrated[2]
            last = len(catalogue.procedures) - 1
            for j, commune in enumerate(communes):
                a, b = bounds[j], bounds[j + 1]
                if a < b:
                    picked = np.searchsorted(cumulative[commune.name], u[a:b, 0], side="right")
                    procedure_index[a:b] = np.minimum(picked, last)
        eligible = catalogue.online_eligible[procedure_index]
        applicants = self.applicants
        where = np.repeat(np.arange(len(communes)), counts)
        population_index = np.array([c.populations[kind].index for c in communes])[where]
        agent_index = applicants.pick(population_index, u[:, 1])
        online = applicants.goes_online(population_index, agent_index, u[:, 2], eligible)
        row = applicants.start[population_index] + agent_index
        has_signal = applicants.has_signal[row]
        distance = applicants.distance[row]
        times = self.arrival_times(day, u[:, 3], online)
        work = catalogue.sample_work(procedure_index, u[:, 4])
        if calibrated is not None:  # effective capacity: faster or slower clerks
            speed = np.array([calibrated[3][c.name] for c in communes])
            work = work / speed[where, procedure_index]
        behaviour = self.world.scenario.behaviour[kind]
        rows = self.new_dossiers(
            commune=np.array([c.index for c in communes])[where],
            field=self._field_index(catalogue)[procedure_index],
            procedure=(catalogue, procedure_index),
            pop=population_index,
            agent=agent_index,
            channel=np.where(online, ONLINE, IN_PERSON),
            submitted=times,
            work=work,
            needs_supplement=u[:, 5] < catalogue.supplement[procedure_index],
            u_fault=extra[:, 0],
            u_sync=extra[:, 1],
            complains=extra[:, 2] < behaviour.complaint_probability,
            distance=distance,
            has_signal=has_signal,
            behaviour=behaviour,
        )
        return times, rows

    def _field_index(self, catalogue) -> np.ndarray:
        """Each procedure's field column (computed once per catalogue)."""
        cached = self._fields_of.get(id(catalogue))
        if cached is None:
            index = self.world.engine.field_index
            cached = np.array([index[p.field] for p in catalogue.procedures], dtype=np.int64)
            self._fields_of[id(catalogue)] = cached
        return cached

    def new_dossiers(
        self, *, commune, field, procedure, pop, agent, channel, submitted, work,
        needs_supplement, u_fault, u_sync, complains, distance, has_signal, behaviour,
        counted=None,
    ) -> np.ndarray:  # fmt: skip
        """Rows of the engine's dossier table for new dossiers (one value or array each)."""
        engine = self.world.engine
        catalogue, procedure_index = procedure
        n = len(procedure_index)
        rows = engine.new_dossiers(n)
        uids = np.arange(n, dtype=np.int64) + self.next_uid(n)
        column = engine.column
        n_fields = len(engine.fields)
        column("d_uid")[rows] = uids
        column("d_commune")[rows] = commune
        column("d_field")[rows] = field
        column("d_row")[rows] = np.asarray(commune) * n_fields + np.asarray(field)
        column("d_pop")[rows] = pop
        column("d_agent")[rows] = agent
        column("d_channel")[rows] = channel
        column("d_submitted")[rows] = submitted
        column("d_deadline_hours")[rows] = catalogue.deadline_hours[procedure_index]
        remote = self.remote[np.asarray(commune)]
        engine.set_deadlines(
            rows,
            catalogue.deadline_days[procedure_index]
            + remote * catalogue.remote_extra_days[procedure_index],
        )
        column("d_work")[rows] = work
        column("d_step")[rows] = 0
        workflows = self.workflows[catalogue.kind]
        if workflows.any:  # the steps no procedure has stay as new rows are: STEP_END
            keyed = self.world.streams.keyed
            steps = range(workflows.width)
            u_needed = np.column_stack([keyed.uniforms(STEP_NEEDED, uids, k) for k in steps])
            u_amount = np.column_stack([keyed.uniforms(STEP_AMOUNT, uids, k) for k in steps])
            at, amount, stops = workflows.draw(procedure_index, u_needed, u_amount)
            column("d_step_at")[rows, : workflows.width] = at
            column("d_step_amount")[rows, : workflows.width] = amount
            column("d_step_stops")[rows, : workflows.width] = stops
        column("d_needs_supplement")[rows] = needs_supplement
        column("d_complains")[rows] = complains
        warmup = self.world.metrics.warmup_hours
        column("d_counted")[rows] = np.asarray(submitted) >= warmup if counted is None else counted
        column("d_u_fault")[rows] = u_fault
        column("d_u_sync")[rows] = u_sync
        column("d_no_signal")[rows] = ~np.asarray(has_signal)
        column("d_far")[rows] = np.asarray(distance) > FAR_KM
        column("d_online_ok")[rows] = catalogue.online_eligible[procedure_index] & has_signal
        column("d_trip_km")[rows] = 2.0 * np.asarray(distance, dtype=float)
        column("d_complaint_hours")[rows] = behaviour.complaint_hours
        keyed = self.world.streams.keyed
        give_up = keyed.uniforms(SUPPLEMENT_GIVE_UP, uids, 0) < behaviour.give_up_probability
        travel = behaviour.travel_days_per_10km * np.asarray(distance, dtype=float) / 10
        u_delay = keyed.uniforms(SUPPLEMENT_DELAY, uids, 0)
        delay = 24.0 * (travel - behaviour.return_days_mean * np.log1p(-u_delay))
        column("d_supplement_delay")[rows] = np.where(give_up, -1.0, delay)
        return rows


def _calibration(catalogue: Catalogue, communes: Sequence[Commune]) -> tuple | None:
    """Per commune: the factor on its needs of this kind, its demand trend, its
    cumulative shares of the procedures and each procedure's capacity factor, from the
    communes' ``demand_factors``, ``demand_trend_per_day`` and ``capacity_factors``
    (sim.calibrate); None when every commune is neutral (the scenario's demand as is)."""
    specs = [c.spec for c in communes]
    if not any(s.demand_factors or s.capacity_factors or s.demand_trend_per_day for s in specs):
        return None
    fields = [p.field for p in catalogue.procedures]
    shares = np.array([p.share for p in catalogue.procedures], dtype=float)
    level, trend, cumulative, speed = {}, {}, {}, {}
    for spec in specs:
        demand = dict(spec.demand_factors)
        weights = shares * np.array([demand.get(f, 1.0) for f in fields])
        level[spec.name] = float(weights.sum() / shares.sum()) if shares.sum() else 1.0
        total = weights.sum()
        cumulative[spec.name] = np.cumsum(weights / total) if total > 0 else np.cumsum(shares)
        trend[spec.name] = spec.demand_trend_per_day
        capacity = dict(spec.capacity_factors)
        speed[spec.name] = np.array([capacity.get(f, 1.0) for f in fields])
    return level, trend, cumulative, speed
