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

from typing import TYPE_CHECKING

import numpy as np

from sim.core.dossier import IN_PERSON, ONLINE, Dossier
from sim.core.metrics import FAR_KM

if TYPE_CHECKING:
    from sim.abm.model import GovernanceModel

N_UNIFORMS = 8
N_EXTRA = 3


def day_arrivals(model: GovernanceModel, day: int, season: float) -> list[tuple]:
    """Today's needs of every commune as ``(time, handler, dossier)`` arrivals."""
    arrivals: list[tuple] = []
    for kind, catalogue in model.catalogue.items():
        communes = [c for c in model.communes if kind in c.populations]
        if not communes:
            continue
        rates = np.array([c.needs_per_day[kind] for c in communes]) * season
        counts = model.streams.demand.poisson(rates)
        n = int(counts.sum())
        if n:
            u = model.streams.demand.random((n, N_UNIFORMS))
            extra = model.streams.dossier.random((n, N_EXTRA))
            arrivals.extend(_dossiers(model, kind, catalogue, communes, counts, day, u, extra))
    return arrivals


def _dossiers(model, kind, catalogue, communes, counts, day, u, extra) -> list[tuple]:
    procedure_index = catalogue.pick(u[:, 0])
    eligible = catalogue.online_eligible[procedure_index]
    agent_index = np.empty(len(u), dtype=np.int64)
    online = np.empty(len(u), dtype=bool)
    no_signal = np.zeros(len(u), dtype=bool)
    far = np.zeros(len(u), dtype=bool)
    bounds = np.concatenate(([0], np.cumsum(counts))).tolist()
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
    times = model.arrival_times(day, u[:, 3], online)
    work = catalogue.sample_work(procedure_index, u[:, 4])
    escalate = u[:, 5] < catalogue.escalation[procedure_index]
    supplement = u[:, 6] < catalogue.supplement[procedure_index]
    province_work = model.province.sample_work(catalogue, procedure_index, u[:, 7])
    complains = extra[:, 2] < model.scenario_spec.behaviour[kind].complaint_probability
    new_uid = model.next_uid
    warmup = model.metrics.warmup_hours
    procedures = catalogue.procedures
    where = np.repeat(np.arange(len(communes)), counts).tolist()
    receivers = [c.receive for c in communes]
    tallies = [c.tallies for c in communes]
    agents = [c.populations[kind].agents for c in communes]
    result = []
    append = result.append
    # plain Python lists: indexing numpy arrays element by element is slow
    group_sets = model.metrics.group_sets
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
