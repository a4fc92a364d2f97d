"""The communes' start of a day, for all of them at once.

Each commune keeps its own state (its staff conditions, sim/abm/agents/staff_conditions.py,
and its chair); the day's values are computed over the clerk arrays of every commune's
roster in one pass: outage days, fatigue, absences, speeds and seats, competing duties
and the hours at work. Their effects reach the event heap in the communes' order (each
commune's opening and closing, then its clerks' return from duties, then its absent
clerks' return), so the numbers are those of one commune at a time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.abm.agents.staff_conditions import END_OF_DAY, set_speeds
from sim.core.calendar import HOURS_PER_DAY
from sim.core.events import EV_DUTY_DONE, EV_ON_DUTY
from sim.core.keyed import ABSENCE, RESIGNATION
from sim.spec.mechanisms import MAX_DUTY_SHARE

if TYPE_CHECKING:
    import datetime as dt

    from sim.abm.agents.commune import Commune
    from sim.abm.world import World
    from sim.core.office import Office


class Rosters:
    """The rows of every commune's roster, in commune then roster order."""

    def __init__(self, communes: list[Commune]) -> None:
        parts = [c.office.rows() for c in communes]
        self.rows = np.concatenate(parts) if parts else np.empty(0, dtype=np.int64)
        self.commune = np.repeat(np.arange(len(communes)), [len(p) for p in parts])

    def where(self, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The rows where ``mask`` holds, and their communes."""
        return self.rows[mask], self.commune[mask]


class CommunesDay:
    """What every commune does at the start of a day, before the demand arrives."""

    def __init__(self, communes: list[Commune], world: World) -> None:
        self.communes = communes
        self.world = world
        self.engine = world.engine
        self.calendar = world.calendar
        self._duty_bits: dict[tuple, list[tuple[int, float, np.ndarray]]] = {}
        self._rosters: Rosters | None = None  # today's, once hires and resignations are done

    def start(self, day: int, date: dt.date) -> None:
        communes, world = self.communes, self.world
        scenario = world.scenario
        # one draw per commune-day whatever happens, so other draws stay aligned
        u_outage = world.streams.infrastructure.random(len(communes))
        working = self.calendar.is_working_day(day)
        for commune in communes:
            commune.staffing.begin_day(date, working)
        if working:
            self._staff_day(day, date, u_outage)
        else:
            self.engine.schedule_many(self._openings(day))
        for commune in communes:
            commune.chair.start_day(day, date)
        sync = scenario.equipment.sync_factor(date, scenario.staff.learning_start)
        for commune in communes:
            commune.start_month(date, sync)
        if working:
            self._count_day(day)
        for commune in communes:
            commune.hear_from_neighbours()

    # -- a working day ---------------------------------------------------------------
    def _staff_day(self, day: int, date: dt.date, u_outage: np.ndarray) -> None:
        communes, engine = self.communes, self.engine
        rules = self.world.scenario.staff
        keyed = self.world.streams.keyed
        column = engine.column
        for commune in communes:
            if commune.staffing.vacancies:
                commune.staffing.hire(day)
        if rules.fatigue_slowdown or rules.resignation_hazard_per_day:
            self._tire(rules, day)
        rosters = self._rosters = Rosters(communes)
        off_today = [[] for _ in communes]
        if rules.absence_probability:
            rows, where = rosters.where(column("c_on_duty")[rosters.rows])
            absent = keyed.uniforms(ABSENCE, rows, day) < rules.absence_probability
            for index, j in zip(rows[absent].tolist(), where[absent].tolist(), strict=True):
                engine.set_on_duty(index, False)
                off_today[j].append(index)
        outage = u_outage < np.array([c.network_outage_probability for c in communes])
        for commune, off, out in zip(communes, off_today, outage.tolist(), strict=True):
            commune.staffing.note_day(len(off), out)
        no_seat = self._speeds(rosters, outage, date)
        duty_events = self._duties(day, date, rosters) if rules.duties else None
        intervals = self.calendar.open_intervals(day)
        back = (day + 1) * HOURS_PER_DAY - END_OF_DAY
        events = []
        for j, commune in enumerate(communes):
            events += self._openings_of(commune, day, intervals)
            if duty_events is not None:
                events += duty_events[j]
            returning = off_today[j] + no_seat[j]
            commune.staffing.no_seat = no_seat[j]
            events += [(back, EV_ON_DUTY, index) for index in returning]
        engine.schedule_many(events)

    def _tire(self, rules, day: int) -> None:
        """Fatigue follows sustained overload; worn-out clerks may resign."""
        communes, engine = self.communes, self.engine
        column = engine.column
        rosters = Rosters(communes)
        on_duty = np.bincount(
            rosters.commune[column("c_on_duty")[rosters.rows]], minlength=len(communes)
        )
        queued = column("o_queued")[[c.office.index for c in communes]].sum(axis=1)
        overloaded = rules.overloaded(queued, on_duty).astype(np.float64)
        fatigue = column("c_fatigue")
        rows = rosters.rows
        fatigue[rows] = rules.fatigue_after(fatigue[rows], overloaded[rosters.commune])
        hazard = rules.resignation_hazard_per_day
        if not hazard:
            return
        u = self.world.streams.keyed.uniforms(RESIGNATION, rows, day)
        leaving = u < hazard * fatigue[rows]
        for index, j in zip(rows[leaving].tolist(), rosters.commune[leaving].tolist(), strict=True):
            communes[j].staffing.resign(index, day, rules)

    def _speeds(self, rosters: Rosters, outage: np.ndarray, date: dt.date) -> list[list[int]]:
        """Every present clerk's speed and seat; the rows left without a seat, by commune."""
        communes = self.communes
        spec = self.world.scenario
        column = self.engine.column
        network = np.array([c.network_speed for c in communes])
        base = np.where(outage, spec.equipment.outage_speed, network) * (
            spec.staff.learning_efficiency(date)
        )
        seats = np.array([np.inf if c.workstations is None else c.workstations for c in communes])
        present, where = rosters.where(
            column("c_on_duty")[rosters.rows] | column("c_at_duty")[rosters.rows]
        )
        off = set_speeds(self.engine, spec, present, where, base, seats)
        no_seat = [[] for _ in communes]
        if len(off):
            for index, j in zip(off.tolist(), where[np.isin(present, off)].tolist(), strict=True):
                no_seat[j].append(index)
        return no_seat

    def _duties(self, day: int, date: dt.date, rosters: Rosters) -> list[list[tuple]] | None:
        """Clerks at work today spend their duties' hours first, then turn to dossiers:
        each commune's events of their return to dossiers, in roster order."""
        communes, engine = self.communes, self.engine
        rules = self.world.scenario.staff
        column = engine.column
        active = tuple(d for d in rules.duties if d.start <= date <= d.end)
        events: list[list[tuple]] = [[] for _ in communes]
        if not active:
            return events
        rows, where = rosters.where(column("c_on_duty")[rosters.rows])
        own = column("c_own_fields")[rows]
        hours = np.zeros(len(rows))
        for bits, duty_hours, applies in self._bits(active):  # in the duties' order
            hours += np.where((own & bits != 0) & applies[where], duty_hours, 0.0)
        overtime = self._overtime(day)
        usual = self._usual_office(overtime)
        caps = self._open_hours(day, overtime, usual)
        hours = np.minimum(MAX_DUTY_SHARE * caps[where], hours)
        doing = hours > 0
        rows, where, hours = rows[doing], where[doing], hours[doing]
        if not len(rows):
            return events
        done = self._finish_times(day, where, hours, overtime, usual)
        column("c_at_duty")[rows] = True
        engine.set_off_duty(rows)
        bounds = np.searchsorted(where, np.arange(len(communes) + 1)).tolist()
        rows_list, done_list = rows.tolist(), done.tolist()
        for j, commune in enumerate(communes):
            a, b = bounds[j], bounds[j + 1]
            if a < b:
                commune.staffing.duty_rows, commune.staffing.duty_hours = rows[a:b], hours[a:b]
                events[j] = [(done_list[i], EV_DUTY_DONE, rows_list[i]) for i in range(a, b)]
        return events

    def _bits(self, active: tuple) -> list[tuple[int, float, np.ndarray]]:
        """Each active duty's fields as bits of ``c_own_fields``, its hours and the
        communes it applies to."""
        bits = self._duty_bits.get(active)
        if bits is None:
            index = self.engine.field_index
            bits = self._duty_bits[active] = [
                (
                    sum(1 << index[f] for f in d.fields),
                    d.hours_per_clerk_per_day,
                    np.array([not d.communes or c.name in d.communes for c in self.communes]),
                )
                for d in active
            ]
        return bits

    def _overtime(self, day: int) -> np.ndarray:
        """Which communes' offices stay open longer today."""
        offices = [c.office.index for c in self.communes]
        return self.engine.column("o_extra_day")[offices] == day

    def _usual_office(self, overtime: np.ndarray) -> Office | None:
        """A commune office without overtime today (those share the calendar's hours)."""
        free = np.flatnonzero(~overtime)
        return self.communes[free[0]].office if len(free) else None

    def _open_hours(self, day: int, overtime: np.ndarray, usual: Office | None) -> np.ndarray:
        """Each commune office's open hours today (overtime included)."""
        usual_hours = usual.open_hours(day) if usual is not None else 0.0
        return np.array(
            [
                c.office.open_hours(day) if o else usual_hours
                for c, o in zip(self.communes, overtime.tolist(), strict=True)
            ]
        )

    def _finish_times(
        self, day: int, where: np.ndarray, hours: np.ndarray, overtime: np.ndarray, usual
    ) -> np.ndarray:
        """When each duty's hours are done (offices without overtime share a calendar)."""
        communes = self.communes
        start = self.calendar.open_intervals(day)[0][0]
        office_of = np.where(overtime, np.arange(len(communes)), -1)[where]
        done_at: dict[tuple[int, float], float] = {}
        done = np.empty(len(hours))
        for i, (j, h) in enumerate(zip(office_of.tolist(), hours.tolist(), strict=True)):
            if (j, h) not in done_at:
                office = usual if j < 0 else communes[j].office
                done_at[(j, h)] = office.finish_time(start, h)
            done[i] = done_at[(j, h)]
        return done

    # -- opening hours -----------------------------------------------------------------
    def _openings(self, day: int) -> list[tuple]:
        intervals = self.calendar.open_intervals(day)
        events = []
        for commune in self.communes:
            events += self._openings_of(commune, day, intervals)
        return events

    def _openings_of(self, commune: Commune, day: int, intervals: list) -> list[tuple]:
        """The commune's back office's, then its desk's, openings and closings today."""
        events = commune.office.day_events(day, intervals)
        if commune.desk is not None:
            events += commune.desk.day_events(day, intervals)
        return events

    # -- the day's hours -----------------------------------------------------------------
    def _count_day(self, day: int) -> None:
        """Note a working day at work for every clerk present (on duty or on a duty): the
        hours its competing duties take, and (after the warm-up) the hours left for
        dossiers at today's speed.

        A clerk on a duty is off duty until the duty's hours are done, so those hours are
        not counted as present; they are added to its hours at work in the figures
        (``Clerk.hours_until``).
        """
        column = self.engine.column
        rows = self._rosters.rows  # today's rosters (the chairs move no one between them)
        at_duty = column("c_at_duty")[rows]
        here = column("c_on_duty")[rows] | at_duty
        present = rows[here]
        duty = np.zeros(len(present))
        if at_duty.any():
            duty[at_duty[here]] = np.concatenate(
                [c.staffing.duty_hours for c in self.communes]
            )  # both in commune then roster order
        column("c_duty_hours")[present] += duty
        if day * HOURS_PER_DAY >= self.world.metrics.warmup_hours:
            open_hours = self.calendar.open_hours(day)
            column("c_window_hours")[present] += (open_hours - duty) * column("c_speed")[present]
