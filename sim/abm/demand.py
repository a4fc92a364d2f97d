"""A day's needs in every commune become dossiers, drawn in one vectorised pass per kind.

Each need takes ``N_UNIFORMS`` uniforms from the demand stream (procedure, applicant,
channel, time, work, escalation, supplement, provincial work) and ``N_EXTRA`` from the
dossier stream (faulty work, sync failure, complaint). Drawing them for all communes at
once, rather than commune by commune, keeps the number of numpy calls per day near
constant, so a province-day costs in proportion to its dossiers, not to its communes.
Only the choice of applicant and channel is per commune (each commune's households).
The demand stream serves nothing else, so two policies under one seed still see the
same needs (common random numbers).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np

from sim.core.calendar import HOURS_PER_DAY
from sim.core.dossier import IN_PERSON, ONLINE, Dossier
from sim.core.metrics import FAR_KM

if TYPE_CHECKING:
    from sim.abm.agents.commune import Commune
    from sim.abm.world import World
    from sim.spec.procedures import Catalogue

N_UNIFORMS = 8
N_EXTRA = 3


class Demand:
    """Each day's needs of every commune, as dossiers arriving at their PASC.

    Args:
        world: the model's shared context (streams, calendar, scenario, metrics).
        catalogue: procedures by applicant kind.
        communes: the communes, in scenario order.
        province_work: ``province_work(catalogue, procedure_index, u)``: the work content
            each need would have at the province, were it escalated.
        next_uid: a fresh dossier number.
    """

    def __init__(
        self,
        world: World,
        catalogue: Mapping[str, Catalogue],
        communes: Sequence[Commune],
        province_work: Callable[[Catalogue, np.ndarray, np.ndarray], np.ndarray],
        next_uid: Callable[[], int],
    ) -> None:
        self.world = world
        self.catalogue = catalogue
        self.communes = communes
        self.province_work = province_work
        self.next_uid = next_uid
        self._calibrated = {kind: _calibration(cat, communes) for kind, cat in catalogue.items()}

    def day(self, day: int, season: float) -> list[tuple]:
        """Today's needs of every commune as ``(time, handler, dossier)`` arrivals."""
        streams = self.world.streams
        self._in_person_slots = self._open_slots(day)
        arrivals: list[tuple] = []
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
                arrivals.extend(self._dossiers(kind, catalogue, communes, counts, day, u, extra))
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

    def _dossiers(self, kind, catalogue, communes, counts, day, u, extra) -> list[tuple]:
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
        agent_index = np.empty(len(u), dtype=np.int64)
        online = np.empty(len(u), dtype=bool)
        no_signal = np.zeros(len(u), dtype=bool)
        far = np.zeros(len(u), dtype=bool)
        for j, commune in enumerate(communes):
            a, b = bounds[j], bounds[j + 1]
            if a < b:
                population = commune.populations[kind]
                picked = population.pick(u[a:b, 1])
                agent_index[a:b] = picked
                online[a:b] = population.goes_online(picked, u[a:b, 2], eligible[a:b])
                no_signal[a:b] = ~population.has_signal[picked]
                if population.distance is not None:
                    far[a:b] = population.distance[picked] > FAR_KM
        times = self.arrival_times(day, u[:, 3], online)
        work = catalogue.sample_work(procedure_index, u[:, 4])
        if calibrated is not None:  # effective capacity: faster or slower clerks
            speed = np.array([calibrated[3][c.name] for c in communes])
            work = work / speed[np.repeat(np.arange(len(communes)), counts), procedure_index]
        escalate = u[:, 5] < catalogue.escalation[procedure_index]
        supplement = u[:, 6] < catalogue.supplement[procedure_index]
        province_work = self.province_work(catalogue, procedure_index, u[:, 7])
        complains = extra[:, 2] < self.world.scenario.behaviour[kind].complaint_probability
        new_uid = self.next_uid
        warmup = self.world.metrics.warmup_hours
        procedures = catalogue.procedures
        where = np.repeat(np.arange(len(communes)), counts).tolist()
        receivers = [c.receive for c in communes]
        tallies = [c.tallies for c in communes]
        agents = [c.populations[kind].agents for c in communes]
        result = []
        append = result.append
        # plain Python lists: indexing numpy arrays element by element is slow
        group_sets = self.world.metrics.group_sets
        groups = [group_sets[key] for key in zip(no_signal.tolist(), far.tolist(), strict=True)]
        for j, p, agent, channel, t, w, esc, sup, pw, u_fault, u_sync, comp, g in zip(
            where, procedure_index.tolist(), agent_index.tolist(),
            np.where(online, ONLINE, IN_PERSON).tolist(), times.tolist(), work.tolist(),
            escalate.tolist(), supplement.tolist(), province_work.tolist(),
            extra[:, 0].tolist(), extra[:, 1].tolist(), complains.tolist(), groups, strict=True,
        ):  # fmt: skip
            procedure = procedures[p]
            dossier = Dossier(
                new_uid(), communes[j], procedure, channel, agents[j][agent], t, 0.0, w,
                t >= warmup, tallies[j][procedure.field], esc, sup, pw, u_fault, u_sync, comp, g,
            )  # fmt: skip
            append((t, receivers[j], dossier))
        return result


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
