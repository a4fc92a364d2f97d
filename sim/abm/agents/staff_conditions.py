"""A commune's staff conditions each working day: who is present and how fast they work.

Speed multiplies a clerk's proficiency (sim/abm/agents/clerk.py): network (congestion, or an
outage day), the learning curve since the reform, fatigue and a missing workstation.
Competing duties (campaigns, planning rounds, programme deadlines) take a clerk's first
hours of the working day: it is off dossier work until they are done. Policies change
the commune's conditions (``commune.workstations``, ``commune.network_speed``,
``commune.network_outage_probability``, ...) rather than a clerk's conditions, which
this module sets afresh every working day (``Clerk.set_conditions``); a clerk's base
proficiency is never touched here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from sim.abm.agents.clerk import Clerk
from sim.core.calendar import HOURS_PER_DAY
from sim.core.events import EV_DUTY_DONE, EV_ON_DUTY
from sim.core.keyed import ABSENCE, RESIGNATION
from sim.spec.mechanisms import MAX_DUTY_SHARE

if TYPE_CHECKING:
    import datetime as dt

    import mesa

    from sim.abm.world import World
    from sim.core.office import Office


class Workplace(Protocol):
    """What staff conditions read and change of a commune."""

    name: str
    model: mesa.Model
    calendar: object
    office: Office
    workstations: int | None
    network_speed: float
    network_outage_probability: float


_END_OF_DAY = 1e-6  # off-duty clerks come back just before midnight


class StaffConditions:
    """Absence, workstations, speed, fatigue and resignation of one commune's clerks."""

    def __init__(self, commune: Workplace, world: World) -> None:
        self.commune = commune
        self.world = world
        self.off_today: list[Clerk] = []
        self.resignations = 0
        self.outage_days = 0
        self.absences = 0
        self.hires = 0
        self._vacancies: list[tuple[int, Clerk]] = []  # (day the successor starts, leaver)
        self._no_seat: list[Clerk] = []  # off duty today for want of a workstation
        self.outage_today = False
        self.date = world.start_date
        self.duty_today: dict[Clerk, float] = {}  # hours of duties each clerk does today
        self._at_duty: set[Clerk] = set()  # off dossier work until its duty hours are done

    def start_day(self, day: int, date: dt.date) -> None:
        commune = self.commune
        world = self.world
        # one draw per commune-day whatever happens, so other draws stay aligned
        u_outage = world.streams.infrastructure.random()
        self.duty_today = {}
        if not commune.calendar.is_working_day(day):
            return
        rules = world.scenario.staff
        office = commune.office
        if self._vacancies:
            self._hire(day)
        if rules.fatigue_slowdown or rules.resignation_hazard_per_day:
            self._tire(rules, day)
        if rules.absence_probability:
            clerks = office.on_duty_clerks()
            u = world.streams.keyed.uniforms(ABSENCE, [c.index for c in clerks], day)
            for clerk, ui in zip(clerks, u.tolist(), strict=True):
                if ui < rules.absence_probability:
                    self._off_for_the_day(clerk)
                    self.absences += 1
        self.outage_today = u_outage < commune.network_outage_probability
        self.outage_days += self.outage_today
        self.date = date
        self.refresh()
        if rules.duties:
            self._send_to_duties(day, rules)
        back = (day + 1) * HOURS_PER_DAY - _END_OF_DAY
        for clerk in self.off_today + self._no_seat:  # back just before midnight
            world.engine.schedule(back, EV_ON_DUTY, clerk.index)

    def end_day(self) -> None:
        """Everyone off today is back (the loop put them on duty before midnight)."""
        no_seat = self.world.engine.column("c_no_seat")
        for clerk in self._no_seat:
            no_seat[clerk.index] = False
        self.off_today = []
        self._no_seat = []
        self._at_duty = set()

    def refresh(self) -> None:
        """Every present clerk's speed (and seat) from today's conditions.

        Called each working day, and by policies that change a commune's conditions
        during a day (``commune.refresh_speed()``).
        """
        commune = self.commune
        office = commune.office
        spec = self.world.scenario
        rules, equipment = spec.staff, spec.equipment
        no_seat = self.world.engine.column("c_no_seat")
        for clerk in self._no_seat:  # seats are handed out afresh
            no_seat[clerk.index] = False
            if clerk in office.clerks:
                office.set_on_duty(clerk, True)
        self._no_seat = []
        base = (equipment.outage_speed if self.outage_today else commune.network_speed) * (
            rules.learning_efficiency(self.date)
        )
        seats = commune.workstations
        on_duty = set(office.on_duty_clerks())
        present = [c for c in office.clerks if c in on_duty or c in self._at_duty]
        for i, clerk in enumerate(present):
            speed = base * (1.0 - rules.fatigue_slowdown * clerk.fatigue)
            if seats is not None and i >= seats:
                if equipment.no_workstation_speed == 0.0:
                    office.set_on_duty(clerk, False)
                    self._no_seat.append(clerk)
                    no_seat[clerk.index] = True
                    continue
                speed *= equipment.no_workstation_speed
            clerk.set_conditions(speed)

    def _send_to_duties(self, day: int, rules) -> None:
        """Clerks at work today spend their duties' hours first, then turn to dossiers."""
        commune = self.commune
        office = commune.office
        intervals = office.open_intervals(day)
        cap = MAX_DUTY_SHARE * office.open_hours(day)
        hours_by_skills: dict[tuple, tuple] = {}  # same fields: same duties, same hours
        leaving = []
        for clerk in office.on_duty_clerks():
            skills = clerk.own_skills
            key = tuple(skills)
            if key not in hours_by_skills:
                hours = min(cap, rules.duty_hours(self.date, commune.name, skills))
                done = office.finish_time(intervals[0][0], hours) if hours > 0 else 0.0
                hours_by_skills[key] = (hours, done)
            hours, done = hours_by_skills[key]
            if hours <= 0:
                continue
            self.duty_today[clerk] = hours
            self._at_duty.add(clerk)
            leaving.append(clerk)
            self.world.engine.schedule(done, EV_DUTY_DONE, clerk.index)
        office.set_off_duty(leaving)

    @property
    def duty_hours_today(self) -> float:
        return sum(self.duty_today.values())

    def _tire(self, rules, day: int) -> None:
        """Fatigue follows sustained overload; worn-out clerks may resign."""
        office = self.commune.office
        on_duty = len(office.on_duty_clerks())
        overloaded = office.queued() > rules.overload_queue_per_clerk * max(1, on_duty)
        memory = rules.fatigue_memory_days
        rested = not overloaded and not any(c.fatigue for c in office.clerks)
        if rested:  # nothing to recover from, and no hazard without fatigue
            return
        for clerk in office.clerks:
            clerk.fatigue += (float(overloaded) - clerk.fatigue) / memory
        hazard = rules.resignation_hazard_per_day
        if hazard:
            clerks = list(office.clerks)
            u = self.world.streams.keyed.uniforms(RESIGNATION, [c.index for c in clerks], day)
            for clerk, ui in zip(clerks, u.tolist(), strict=True):
                if ui < hazard * clerk.fatigue and len(office.clerks) > 1:
                    office.set_on_duty(clerk, False)
                    office.remove_clerk(clerk)
                    self.resignations += 1
                    if rules.replacement_days is not None:
                        self._vacancies.append((day + rules.replacement_days, clerk))

    def _hire(self, day: int) -> None:
        """A recruit with the leaver's skills fills each vacancy that is due."""
        due = [v for v in self._vacancies if v[0] <= day]
        self._vacancies = [v for v in self._vacancies if v[0] > day]
        for _, leaver in due:
            recruit = Clerk(self.commune.model, leaver.skills, leaver.switch_hours, leaver.kind)
            recruit.unit = leaver.unit
            self.commune.office.add_clerk(recruit)
            self.hires += 1

    def _off_for_the_day(self, clerk: Clerk) -> None:
        self.commune.office.set_on_duty(clerk, False)
        self.off_today.append(clerk)
