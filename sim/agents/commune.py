"""Commune: its PASC receives the day's dossiers, its office serves them, and it routes
each finished dossier on (back to the applicant, up to the province, or resolved)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from sim.agents.applicant import Business, Citizen, Population
from sim.agents.clerk import Clerk
from sim.dossier import IN_PERSON, ONLINE, WITH_APPLICANT, Dossier
from sim.office import Office
from sim.procedures import APPLICANT_KINDS

if TYPE_CHECKING:
    from sim.model import GovernanceModel
    from sim.scenario import CommuneSpec

AGENT_CLASSES = {"citizen": Citizen, "business": Business}
# uniforms drawn per need: procedure, applicant, channel, time, work, escalation,
# supplement, provincial work
N_UNIFORMS = 8


class Commune(mesa.Agent):
    """A commune (or ward) and its Public Administration Service Center."""

    def __init__(self, model: GovernanceModel, spec: CommuneSpec) -> None:
        super().__init__(model)
        self.name = spec.name
        self.spec = spec
        scenario = model.scenario_spec
        self.calendar = model.calendar
        self.office = Office(
            f"commune:{spec.name}",
            scenario.fields,
            self.calendar,
            model.engine,
            scenario.dispatch,
            on_served=self.route,
            on_first_service=model.metrics.on_first_service,
        )
        self.tallies = {f: model.metrics.tallies_for(spec.name, f) for f in scenario.fields}
        self.populations = {
            kind: Population(
                model,
                AGENT_CLASSES[kind],
                self._units(kind),
                scenario.behaviour[kind],
                model.streams.population,
            )
            for kind in scenario.behaviour
        }
        self.needs_per_day = self._needs_per_day(scenario)
        for group in spec.clerks:
            for _ in range(group.count):
                self.office.add_clerk(Clerk(model, group.skills, group.switch_hours))

    # -- set-up --------------------------------------------------------------------
    def _units(self, kind: str) -> float:
        if self.spec.arrivals_per_hour is not None:
            return 1.0
        return self.spec.households if kind == "citizen" else self.spec.businesses

    def _needs_per_day(self, scenario) -> dict[str, float]:
        """Expected needs per calendar day, by applicant kind, before seasonality."""
        if self.spec.arrivals_per_hour is not None:
            shares = {k: sum(p.share for p in scenario.procedures if p.applicant == k)
                      for k in APPLICANT_KINDS}
            total = sum(shares.values())
            return {k: 24.0 * self.spec.arrivals_per_hour * shares[k] / total
                    for k in scenario.behaviour}
        return {
            kind: self._units(kind) * scenario.dossiers_per_unit_per_year[kind] / 365.0
            for kind in scenario.behaviour
        }

    @property
    def clerks(self) -> list[Clerk]:
        return self.office.clerks

    # -- each day --------------------------------------------------------------------
    def start_day(self, day: int) -> None:
        self.office.schedule_day(day)
        open_hours = self.calendar.open_hours(day)
        for clerk in self.office.clerks:
            clerk.start_day(open_hours)

    def receive_demand(self, day: int, season: float) -> list[tuple]:
        """Today's needs become dossiers arriving at the PASC (in person or online)."""
        model = self.model
        arrivals: list[tuple] = []
        for kind, population in self.populations.items():
            n = model.streams.demand.poisson(self.needs_per_day[kind] * season)
            if n:
                u = model.streams.demand.random((n, N_UNIFORMS))
                arrivals.extend(self._dossiers(kind, population, day, u))
        return arrivals

    def _dossiers(self, kind: str, population: Population, day: int, u: np.ndarray):
        catalogue = self.model.catalogue[kind]
        procedure_index = catalogue.pick(u[:, 0])
        agent_index = population.pick(u[:, 1])
        online = population.goes_online(
            agent_index, u[:, 2], catalogue.online_eligible[procedure_index]
        )
        times = self.model.arrival_times(day, u[:, 3], online)
        work = catalogue.sample_work(procedure_index, u[:, 4])
        escalate = u[:, 5] < catalogue.escalation[procedure_index]
        supplement = u[:, 6] < catalogue.supplement[procedure_index]
        province_work = self.model.province.sample_work(catalogue, procedure_index, u[:, 7])
        new_uid = self.model.next_uid
        receive = self.receive
        agents = population.agents
        procedures = catalogue.procedures
        tallies = self.tallies
        warmup = self.model.metrics.warmup_hours
        result = []
        for i, p in enumerate(procedure_index.tolist()):
            procedure = procedures[p]
            t = float(times[i])
            dossier = Dossier(
                new_uid(), self, procedure, ONLINE if online[i] else IN_PERSON,
                agents[agent_index[i]], t, 0.0, float(work[i]), t >= warmup,
                tallies[procedure.field], bool(escalate[i]), bool(supplement[i]),
                float(province_work[i]),
            )
            result.append((t, receive, dossier))
        return result

    # -- flow ------------------------------------------------------------------------
    def receive(self, dossier: Dossier) -> None:
        """The PASC receives a dossier: its deadline starts, and it goes to the office."""
        now = self.model.engine.now
        dossier.deadline = dossier.procedure.deadline(self.calendar, now)
        self.model.metrics.on_received(dossier)
        self.office.arrive(dossier)

    def route(self, dossier: Dossier) -> None:
        """Where a dossier goes when a commune clerk has finished with it."""
        if dossier.needs_supplement and dossier.supplements == 0:
            self.request_supplement(dossier)
        elif dossier.escalate:
            self.model.province.escalate(dossier)
        else:
            self.model.resolve(dossier)

    def request_supplement(self, dossier: Dossier) -> None:
        u_give_up, u_delay = self.model.streams.behaviour.random(2)
        delay = dossier.applicant.answer_supplement_request(u_give_up, u_delay)
        if delay is None:
            self.model.withdraw(dossier)
            return
        dossier.status = WITH_APPLICANT
        dossier.supplements += 1
        self.model.metrics.with_applicant += 1
        back = self.model.engine.now + delay
        if dossier.channel == IN_PERSON:
            back = self.calendar.next_open(back)
        self.model.engine.schedule(back, self.resubmit, dossier)

    def resubmit(self, dossier: Dossier) -> None:
        """The completed dossier comes back; the statutory clock restarts."""
        self.model.metrics.with_applicant -= 1
        dossier.deadline = dossier.procedure.deadline(self.calendar, self.model.engine.now)
        dossier.work *= self.model.scenario_spec.rework_fraction
        self.office.arrive(dossier)
