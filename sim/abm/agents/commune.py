"""Commune: its PASC receives the day's dossiers, its office serves them, and it routes
each finished dossier on (back to the applicant, up to the province, or resolved).

The path of a dossier: in-person visitors meet the reception desk first (when the
commune has counters; they may leave a long queue and come back another day, or switch
online), then the back office, after a courier hand-off when the field sits on another
headquarters site. After service it may go back to the applicant for a supplement, be
redone (a faulty result by an unskilled clerk; a civil-status record that failed to
sync), go up to the province, or be resolved.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import mesa

from sim.abm.agents.applicant import Business, Citizen, Population
from sim.abm.agents.chair import Chair
from sim.abm.agents.clerk import Clerk
from sim.abm.agents.reception import CounterClerk, ReceptionDesk
from sim.abm.agents.staff_conditions import StaffConditions
from sim.core.calendar import HOURS_PER_DAY
from sim.core.dossier import (
    IN_PERSON,
    IN_SERVICE,
    IN_TRANSIT,
    ONLINE,
    RESOLVED,
    WITH_APPLICANT,
    WITHDRAWN,
    Dossier,
)
from sim.core.keyed import BALK_ONLINE, BALK_RETURN_TIME, SUPPLEMENT_DELAY, SUPPLEMENT_GIVE_UP
from sim.core.office import Office
from sim.spec.procedures import APPLICANT_KINDS

if TYPE_CHECKING:
    import datetime as dt

    from sim.abm.world import World
    from sim.spec.scenario import CommuneSpec

AGENT_CLASSES = {"citizen": Citizen, "business": Business}


class Commune(mesa.Agent):
    """A commune (or ward) and its Public Administration Service Center.

    Conditions a policy may change during a run: ``workstations`` (None: one per clerk),
    ``network_speed`` (alias ``network_speed_factor``), ``network_outage_probability``,
    ``sync_failure_probability``, ``sites``, ``site_handoff_hours``. They take effect at
    the next working day's start, or at once after ``refresh_speed()``.

    Args:
        model: the Mesa model the commune and its agents register with.
        world: what the commune uses of its model (sim/abm/world.py).
        spec: the commune's part of the scenario.
        escalate: hands a dossier up to the province.
    """

    def __init__(
        self,
        model: mesa.Model,
        world: World,
        spec: CommuneSpec,
        escalate: Callable[[Dossier], None],
    ) -> None:
        super().__init__(model)
        self.name = spec.name
        self.spec = spec
        self.world = world
        self.escalate = escalate
        scenario = world.scenario
        self.calendar = world.calendar
        self.office = Office(
            f"commune:{spec.name}",
            scenario.fields,
            self.calendar,
            world.engine,
            scenario.dispatch,
            on_served=self.route,
            on_first_service=world.metrics.on_backoffice_start,
        )
        self.desk: ReceptionDesk | None = None
        if spec.reception_counters:
            self.desk = ReceptionDesk(
                f"reception:{spec.name}",
                self.calendar,
                world.engine,
                on_served=self._leave_desk,
                on_first_service=world.metrics.on_reception_start,
            )
            for _ in range(spec.reception_counters):
                counter = CounterClerk(model, scenario.premises.reception_hours)
                counter.unit = spec.name
                self.desk.add_clerk(counter)
        self.tallies = {f: world.metrics.tally_for(spec.name, f) for f in scenario.fields}
        self.populations = {
            kind: Population(
                model,
                AGENT_CLASSES[kind],
                self._units(kind),
                scenario.behaviour[kind],
                world.streams.population,
                signal_coverage=spec.signal_coverage,
                distance_km_mean=spec.distance_km_mean,
            )
            for kind in scenario.behaviour
        }
        self.needs_per_day = self._needs_per_day(scenario)
        for group in spec.clerks:
            for _ in range(group.count):
                self.office.add_clerk(Clerk(model, group.skills, group.switch_hours))
        for clerk in self.office.clerks:  # a warm start: the overload the history shows
            clerk.fatigue = spec.initial_fatigue
        self.workstations = spec.workstations
        self.network_speed = spec.network_speed
        self.network_outage_probability = spec.network_outage_probability
        self.sync_failure_probability = spec.sync_failure_probability
        self.sites = spec.sites
        self.site_handoff_hours = scenario.premises.site_handoff_hours
        citizen = scenario.citizen
        self._between_sites_km = citizen.between_sites_km if citizen is not None else 0.0
        self.staffing = StaffConditions(self, world)
        self.chair = Chair(self, world)
        self.month = world.start_date.strftime("%Y-%m")
        self.sync_factor = 1.0  # share of sync failures left today (software fixes)
        self.work_received: dict[tuple[str, str], float] = {}  # (month, field), after warm-up
        self._lent_workstations: set[Clerk] = set()  # clerks who brought their own
        self.counts = dict.fromkeys(
            ("balked", "switched_online", "complaints", "faulty_reworks", "sync_failures"), 0
        )
        self._received_today = 0
        self._online_today = 0

    # -- set-up --------------------------------------------------------------------
    def _units(self, kind: str) -> float:
        if self.spec.arrivals_per_hour is not None:
            return 1.0
        return self.spec.households if kind == "citizen" else self.spec.businesses

    def _needs_per_day(self, scenario) -> dict[str, float]:
        """Expected needs per calendar day, by applicant kind, before seasonality."""
        if self.spec.arrivals_per_hour is not None:
            shares = {
                k: sum(p.share for p in scenario.procedures if p.applicant == k)
                for k in APPLICANT_KINDS
            }
            total = sum(shares.values())
            return {
                k: 24.0 * self.spec.arrivals_per_hour * shares[k] / total
                for k in scenario.behaviour
            }
        return {
            kind: self._units(kind) * scenario.dossiers_per_unit_per_year[kind] / 365.0
            for kind in scenario.behaviour
        }

    @property
    def clerks(self) -> list[Clerk]:
        return self.office.clerks

    @property
    def sites(self) -> int:
        return self._sites

    @sites.setter
    def sites(self, value: int) -> None:
        """On several sites, ``premises.off_site_fields`` sit away from the PASC desk."""
        self._sites = max(1, int(value))
        premises = self.world.scenario.premises
        self._off_site = frozenset(premises.off_site_fields if self._sites > 1 else ())

    @property
    def network_speed_factor(self) -> float:
        return self.network_speed

    @network_speed_factor.setter
    def network_speed_factor(self, value: float) -> None:
        self.network_speed = value

    def refresh_speed(self) -> None:
        """Recompute every clerk's speed now, after a policy changed the conditions."""
        self.staffing.refresh()

    # -- staff who come and go (policies) ------------------------------------------------
    def assign(self, clerk: Clerk, own_workstation: bool = False) -> None:
        """Put a clerk on this commune's roster, once it has finished any job elsewhere.

        With ``own_workstation`` the clerk brings its own (a lent laptop), so a commune
        short of computers does not seat it at the expense of its own clerks; the
        workstation leaves with the clerk (``release``).
        """
        clerk.unit = self.name
        if own_workstation and self.workstations is not None:
            self.workstations += 1
            self._lent_workstations.add(clerk)
        clerk.after_current_job(lambda: self.office.add_clerk(clerk))

    def release(self, clerk: Clerk) -> None:
        """Take a clerk off this commune's roster (after the job in hand), with its seat."""
        clerk.after_current_job(lambda: None)  # cancel a pending arrival
        if clerk in self.office.clerks:
            self.office.remove_clerk(clerk)
        if clerk in self._lent_workstations:
            self._lent_workstations.discard(clerk)
            self.workstations -= 1

    # -- each day --------------------------------------------------------------------
    def start_day(self, day: int, date: dt.date) -> None:
        self.office.schedule_day(day)
        if self.desk is not None:
            self.desk.schedule_day(day)
        self.staffing.start_day(day, date)
        self.chair.start_day(day, date)
        self.month = date.strftime("%Y-%m")
        scenario = self.world.scenario
        self.sync_factor = scenario.equipment.sync_factor(date, scenario.staff.learning_start)
        if self.calendar.is_working_day(day):
            open_hours = self.calendar.open_hours(day)
            duty = self.staffing.duty_today
            counted = day * HOURS_PER_DAY >= self.world.metrics.warmup_hours
            for clerk in self.office.clerks:
                if clerk.on_duty or clerk in duty:
                    clerk.count_day(open_hours, duty.get(clerk, 0.0), counted)
        if self._received_today:
            share = self._online_today / self._received_today
            for population in self.populations.values():
                population.hear_from_neighbours(share)
        self._received_today = self._online_today = 0

    # -- flow ------------------------------------------------------------------------
    def receive(self, dossier: Dossier) -> None:
        """The PASC receives a dossier: its deadline starts, and it goes to the office."""
        world = self.world
        now = world.engine.now
        at_desk = dossier.channel == IN_PERSON and self.desk is not None
        if at_desk and self._queue_too_long():
            self._balk(dossier)
            return
        dossier.submitted = now
        dossier.deadline = dossier.procedure.deadline(self.calendar, now)
        world.metrics.on_received(dossier)
        if dossier.counted:
            key = (self.month, dossier.field)
            self.work_received[key] = self.work_received.get(key, 0.0) + dossier.work
        if dossier.channel == IN_PERSON:
            self.trip(dossier)
            if dossier.field in self._off_site:  # and on to the site that handles it
                world.metrics.on_trip(dossier, 2 * self._between_sites_km)
        self._received_today += 1
        self._online_today += dossier.channel == ONLINE
        if dossier.complains:
            world.engine.schedule_at_instant(dossier.deadline + 1e-6, self._overdue_check, dossier)
        if at_desk:
            self.desk.arrive(dossier)
        else:
            self.to_back_office(dossier)

    def carry_over(self, dossier: Dossier) -> None:
        """A dossier open before the run (a warm start) joins the back-office queue."""
        self.world.metrics.on_carried_over(dossier)
        self.office.arrive(dossier)

    def _queue_too_long(self) -> bool:
        limit = self.world.scenario.premises.balk_queue_per_counter
        return limit is not None and self.desk.waiting() >= limit * max(1, self.desk.counters())

    def _balk(self, dossier: Dossier) -> None:
        """A visitor who finds a long queue switches online or comes back another day."""
        world = self.world
        keyed, attempt = world.streams.keyed, dossier.balks
        u_online = keyed.uniform(BALK_ONLINE, dossier.uid, attempt)
        u_time = keyed.uniform(BALK_RETURN_TIME, dossier.uid, attempt)
        dossier.balks += 1
        self.counts["balked"] += 1
        self.trip(dossier)  # came, saw the queue, left
        premises = world.scenario.premises
        if (
            u_online < premises.balk_online_probability
            and dossier.procedure.online_eligible
            and dossier.applicant.has_signal
        ):
            self.counts["switched_online"] += 1
            dossier.channel = ONLINE
            self.receive(dossier)
            return
        day = int(world.engine.now // HOURS_PER_DAY) + 1
        opening = self.calendar.next_open(day * HOURS_PER_DAY)
        start, end = self.calendar.open_intervals(int(opening // HOURS_PER_DAY))[0]
        world.engine.schedule(start + u_time * (end - start), self.receive, dossier)

    def trip(self, dossier: Dossier) -> None:
        """The applicant comes to the PASC and goes home: one trip, there and back."""
        distance = dossier.applicant.population.distance
        km = self.spec.distance_km_mean if distance is None else distance[dossier.applicant.index]
        self.world.metrics.on_trip(dossier, 2.0 * float(km))

    def _leave_desk(self, dossier: Dossier) -> None:
        """A visitor done at the counter: the hours there count for the citizen figures."""
        self.world.metrics.on_counter(dossier, self.world.engine.now - dossier.entered)
        self.to_back_office(dossier)

    def to_back_office(self, dossier: Dossier) -> None:
        """Into the back office, via a courier when the field sits on another site."""
        if dossier.field in self._off_site:
            handoff = self.site_handoff_hours
            self.world.metrics.on_transit_started()
            dossier.status = IN_TRANSIT
            done = self.calendar.finish_time(self.world.engine.now, handoff)
            self.world.engine.schedule(done, self._handed_over, dossier)
        else:
            self.office.arrive(dossier)

    def _handed_over(self, dossier: Dossier) -> None:
        self.world.metrics.on_transit_ended()
        self.office.arrive(dossier)

    def route(self, dossier: Dossier) -> None:
        """Where a dossier goes when a commune clerk has finished with it."""
        scenario = self.world.scenario
        if dossier.needs_supplement and dossier.supplements == 0:
            self.request_supplement(dossier)
            return
        error = scenario.staff.error_probability_unskilled
        if error and dossier.u_fault < error * (1.0 - min(1.0, dossier.served_proficiency)):
            # a faulty result is caught and redone at once
            dossier.u_fault = 1.0
            dossier.reworks += 1
            dossier.work *= scenario.rework_fraction
            self.counts["faulty_reworks"] += 1
            self.office.arrive(dossier)
            return
        equipment = scenario.equipment
        if (
            dossier.u_sync < self.sync_failure_probability * self.sync_factor
            and dossier.field in equipment.sync_fields
        ):
            # the record failed to synchronise with the national portal: redo it later
            dossier.u_sync = 1.0
            dossier.reworks += 1
            dossier.work *= equipment.sync_rework_fraction
            self.counts["sync_failures"] += 1
            self.world.metrics.on_transit_started()
            dossier.status = IN_TRANSIT
            engine = self.world.engine
            engine.schedule(engine.now + equipment.sync_retry_hours, self._handed_over, dossier)
            return
        if dossier.escalate:
            self.escalate(dossier)
        else:
            self.world.resolve(dossier)

    def _overdue_check(self, dossier: Dossier) -> None:
        """An applicant whose dossier is overdue complains: answering it is extra work."""
        if dossier.status in (RESOLVED, WITHDRAWN):
            return
        now = self.world.engine.now
        if dossier.deadline >= now:  # the clock restarted after a supplement
            self.world.engine.schedule_at_instant(
                dossier.deadline + 1e-6, self._overdue_check, dossier
            )
            return
        self.counts["complaints"] += 1
        if dossier.status != IN_SERVICE:
            dossier.work += dossier.applicant.population.behaviour.complaint_hours

    def request_supplement(self, dossier: Dossier) -> None:
        keyed, attempt = self.world.streams.keyed, dossier.supplements
        u_give_up = keyed.uniform(SUPPLEMENT_GIVE_UP, dossier.uid, attempt)
        u_delay = keyed.uniform(SUPPLEMENT_DELAY, dossier.uid, attempt)
        delay = dossier.applicant.answer_supplement_request(u_give_up, u_delay)
        if delay is None:
            self.world.withdraw(dossier)
            return
        dossier.status = WITH_APPLICANT
        dossier.supplements += 1
        self.world.metrics.on_sent_to_applicant()
        back = self.world.engine.now + delay
        if dossier.channel == IN_PERSON:
            back = self.calendar.next_open(back)
        self.world.engine.schedule(back, self.resubmit, dossier)

    def resubmit(self, dossier: Dossier) -> None:
        """The completed dossier comes back; the statutory clock restarts."""
        self.world.metrics.on_back_from_applicant()
        if dossier.channel == IN_PERSON:
            self.trip(dossier)  # brings the missing papers
        dossier.deadline = dossier.procedure.deadline(self.calendar, self.world.engine.now)
        dossier.work *= self.world.scenario.rework_fraction
        self.office.arrive(dossier)
