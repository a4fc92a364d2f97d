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

import numpy as np

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
_NONE = np.empty(0, dtype=np.int64)
_NO_HOURS = np.empty(0)


class StaffConditions:
    """Absence, workstations, speed, fatigue and resignation of one commune's clerks.

    The day's work is done on the clerk arrays of the commune's roster at once
    (``c_conditions``, ``c_fatigue``, ``c_own_fields``, ... in sim/core/state.py); the
    clerks are views over their rows.
    """

    def __init__(self, commune: Workplace, world: World) -> None:
        self.commune = commune
        self.world = world
        self.engine = world.engine
        self.off_today: list[int] = []  # rows of the clerks absent today
        self.resignations = 0
        self.outage_days = 0
        self.absences = 0
        self.hires = 0
        self._vacancies: list[tuple[int, Clerk]] = []  # (day the successor starts, leaver)
        self._no_seat: list[int] = []  # rows off duty today for want of a workstation
        self.outage_today = False
        self.date = world.start_date
        self.duty_rows = _NONE  # rows of the clerks doing duties today, in roster order
        self.duty_hours = _NO_HOURS  # and the hours each does
        self._duty_masks: dict[tuple, list[tuple[int, float]]] = {}  # active duties -> bits

    def start_day(self, day: int, date: dt.date) -> None:
        commune = self.commune
        world = self.world
        # one draw per commune-day whatever happens, so other draws stay aligned
        u_outage = world.streams.infrastructure.random()
        self.duty_rows, self.duty_hours = _NONE, _NO_HOURS
        if not commune.calendar.is_working_day(day):
            return
        rules = world.scenario.staff
        office = commune.office
        if self._vacancies:
            self._hire(day)
        if rules.fatigue_slowdown or rules.resignation_hazard_per_day:
            self._tire(rules, day)
        if rules.absence_probability:
            rows = office.on_duty_rows()
            u = world.streams.keyed.uniforms(ABSENCE, rows, day)
            for index in rows[u < rules.absence_probability].tolist():
                self._off_for_the_day(index)
                self.absences += 1
        self.outage_today = u_outage < commune.network_outage_probability
        self.outage_days += self.outage_today
        self.date = date
        self.refresh()
        if rules.duties:
            self._send_to_duties(day, rules)
        back = (day + 1) * HOURS_PER_DAY - _END_OF_DAY
        self.engine.schedule_many(  # back just before midnight
            [(back, EV_ON_DUTY, index) for index in self.off_today + self._no_seat]
        )

    def end_day(self) -> None:
        """Everyone off today is back (the loop put them on duty before midnight)."""
        column = self.engine.column
        column("c_no_seat")[self._no_seat] = False
        column("c_at_duty")[self.duty_rows] = False
        self.off_today = []
        self._no_seat = []

    def refresh(self) -> None:
        """Every present clerk's speed (and seat) from today's conditions.

        Called each working day, and by policies that change a commune's conditions
        during a day (``commune.refresh_speed()``).
        """
        commune = self.commune
        office = commune.office
        engine = self.engine
        spec = self.world.scenario
        rules, equipment = spec.staff, spec.equipment
        column = engine.column
        rows = office.rows()
        if self._no_seat:  # seats are handed out afresh
            column("c_no_seat")[self._no_seat] = False
            rostered = set(rows.tolist())
            for index in self._no_seat:
                if index in rostered:
                    engine.set_on_duty(index, True)
            self._no_seat = []
        base = (equipment.outage_speed if self.outage_today else commune.network_speed) * (
            rules.learning_efficiency(self.date)
        )
        present = rows[column("c_on_duty")[rows] | column("c_at_duty")[rows]]
        speed = base * (1.0 - rules.fatigue_slowdown * column("c_fatigue")[present])
        seats = commune.workstations
        if seats is not None and len(present) > seats:
            if equipment.no_workstation_speed == 0.0:
                self._no_seat = present[seats:].tolist()
                for index in self._no_seat:
                    engine.set_on_duty(index, False)
                column("c_no_seat")[self._no_seat] = True
                present, speed = present[:seats], speed[:seats]
            else:
                speed[seats:] *= equipment.no_workstation_speed
        column("c_conditions")[present] = speed
        column("c_speed")[present] = speed * column("c_modifier")[present]

    def _send_to_duties(self, day: int, rules) -> None:
        """Clerks at work today spend their duties' hours first, then turn to dossiers."""
        commune = self.commune
        active = rules.active_duties(self.date, commune.name)
        if not active:
            return
        office = commune.office
        rows = office.on_duty_rows()
        own = self.engine.column("c_own_fields")[rows]
        hours = np.zeros(len(rows))
        for mask, duty_hours in self._masks(active):  # in the duties' order
            hours += np.where(own & mask != 0, duty_hours, 0.0)
        hours = np.minimum(MAX_DUTY_SHARE * office.open_hours(day), hours)
        doing = hours > 0
        if not doing.any():
            return
        rows, hours = rows[doing], hours[doing]
        start = office.open_intervals(day)[0][0]
        done_at = {h: office.finish_time(start, h) for h in set(hours.tolist())}
        done = [done_at[h] for h in hours.tolist()]
        self.duty_rows, self.duty_hours = rows, hours
        self.engine.column("c_at_duty")[rows] = True
        self.engine.schedule_many(
            list(zip(done, [EV_DUTY_DONE] * len(rows), rows.tolist(), strict=True))
        )
        self.engine.set_off_duty(rows)

    def _masks(self, active: tuple) -> list[tuple[int, float]]:
        """Each active duty's fields as bits of ``c_own_fields``, with its hours."""
        masks = self._duty_masks.get(active)
        if masks is None:
            index = self.engine.field_index
            masks = self._duty_masks[active] = [
                (sum(1 << index[f] for f in d.fields), d.hours_per_clerk_per_day) for d in active
            ]
        return masks

    @property
    def duty_hours_today(self) -> float:
        return sum(self.duty_hours.tolist())

    def count_day(self, day: int) -> None:
        """Note a working day at work for every clerk present (on duty or on a duty): the
        hours its competing duties take, and (after the warm-up) the hours left for
        dossiers at today's speed.

        A clerk on a duty is off duty until the duty's hours are done, so those hours are
        not counted as present; they are added to its hours at work in the figures
        (``Clerk.hours_until``).
        """
        column = self.engine.column
        rows = self.commune.office.rows()
        at_duty = column("c_at_duty")[rows]
        here = column("c_on_duty")[rows] | at_duty
        present = rows[here]
        duty = np.zeros(len(present))
        duty[at_duty[here]] = self.duty_hours  # both in roster order
        column("c_duty_hours")[present] += duty
        if day * HOURS_PER_DAY >= self.world.metrics.warmup_hours:
            open_hours = self.commune.calendar.open_hours(day)
            column("c_window_hours")[present] += (open_hours - duty) * column("c_speed")[present]

    def _tire(self, rules, day: int) -> None:
        """Fatigue follows sustained overload; worn-out clerks may resign."""
        office = self.commune.office
        engine = self.engine
        fatigue = engine.column("c_fatigue")
        rows = office.rows()
        on_duty = len(office.on_duty_rows())
        overloaded = office.queued() > rules.overload_queue_per_clerk * max(1, on_duty)
        if not overloaded and not fatigue[rows].any():
            return  # nothing to recover from, and no hazard without fatigue
        fatigue[rows] += (float(overloaded) - fatigue[rows]) / rules.fatigue_memory_days
        hazard = rules.resignation_hazard_per_day
        if hazard:
            clerks = list(office.clerks)
            u = self.world.streams.keyed.uniforms(RESIGNATION, rows, day)
            for clerk, leaves in zip(clerks, (u < hazard * fatigue[rows]).tolist(), strict=True):
                if leaves and len(office.clerks) > 1:
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

    def _off_for_the_day(self, index: int) -> None:
        self.engine.set_on_duty(index, False)
        self.off_today.append(index)
