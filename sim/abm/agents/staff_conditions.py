"""A commune's staff conditions each working day: who is present and how fast they work.

Speed multiplies a clerk's proficiency (sim/abm/agents/clerk.py): network (congestion, or an
outage day), the learning curve since the reform, fatigue and a missing workstation.
Competing duties (campaigns, planning rounds, programme deadlines) take a clerk's first
hours of the working day: it is off dossier work until they are done. Policies change
the commune's conditions (``commune.workstations``, ``commune.network_speed``,
``commune.network_outage_probability``, ...) rather than a clerk's conditions, which
this module sets afresh every working day (``c_conditions``); a clerk's base
proficiency is never touched here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

import numpy as np

from sim.abm.agents.clerk import Clerk, update_speeds

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


END_OF_DAY = 1e-6  # off-duty clerks come back just before midnight
_NONE = np.empty(0, dtype=np.int64)
_NO_HOURS = np.empty(0)


def set_speeds(
    engine, spec, present: np.ndarray, where: np.ndarray, base: np.ndarray, seats: np.ndarray
) -> np.ndarray:
    """Today's speed of the clerks present (rows ``present`` of communes ``where``, in
    commune then roster order): ``base[commune]`` (network or outage, learning curve)
    times ``1 - fatigue slowdown x fatigue``; a clerk beyond its commune's ``seats``
    (workstations) works at ``no_workstation_speed``, or is off duty when that is 0.
    Returns the rows sent off duty for want of a seat."""
    rules, equipment = spec.staff, spec.equipment
    column = engine.column
    speed = base[where] * (1.0 - rules.fatigue_slowdown * column("c_fatigue")[present])
    rank = np.arange(len(present)) - np.searchsorted(where, where)  # place in its commune
    over = rank >= seats[where]
    off = present[:0]
    if over.any():
        if equipment.no_workstation_speed == 0.0:
            off = present[over]
            for index in off.tolist():
                engine.set_on_duty(index, False)
            column("c_no_seat")[off] = True
            present, speed = present[~over], speed[~over]
        else:
            speed[over] *= equipment.no_workstation_speed
    column("c_conditions")[present] = speed
    update_speeds(engine, present)
    return off


class StaffConditions:
    """Absence, workstations, speed, fatigue and resignation of one commune's clerks:
    what the commune keeps of them. The start of a working day is done for every
    commune at once (sim/abm/communes_day.py) on the clerk arrays (``c_conditions``,
    ``c_fatigue``, ``c_own_fields``, ... in sim/core/state.py); the clerks are views
    over their rows.
    """

    def __init__(self, commune: Workplace, world: World) -> None:
        self.commune = commune
        self.world = world
        self.engine = world.engine
        self.resignations = 0
        self.outage_days = 0
        self.absences = 0
        self.hires = 0
        self.vacancies: list[tuple[int, Clerk]] = []  # (day the successor starts, leaver)
        self.no_seat: list[int] = []  # rows off duty today for want of a workstation
        self.outage_today = False
        self.date = world.start_date
        self.duty_rows = _NONE  # rows of the clerks doing duties today, in roster order
        self.duty_hours = _NO_HOURS  # and the hours each does

    def begin_day(self, date: dt.date, working: bool) -> None:
        """Forget yesterday's duties; on a working day, today's date for the conditions."""
        self.duty_rows, self.duty_hours = _NONE, _NO_HOURS
        if working:
            self.date = date

    def note_day(self, absent: int, outage: bool) -> None:
        """How many clerks are absent today, and whether the network is down."""
        self.absences += absent
        self.outage_today = outage
        self.outage_days += outage

    def end_day(self) -> None:
        """Everyone off today is back (the loop put them on duty before midnight)."""
        column = self.engine.column
        column("c_no_seat")[self.no_seat] = False
        column("c_at_duty")[self.duty_rows] = False
        self.no_seat = []

    def refresh(self) -> None:
        """Every present clerk's speed (and seat) from the conditions now: a policy that
        changes a commune's conditions during a day calls it (``commune.refresh_speed()``).
        """
        commune = self.commune
        engine = self.engine
        spec = self.world.scenario
        column = engine.column
        rows = commune.office.rows()
        if self.no_seat:  # seats are handed out afresh
            column("c_no_seat")[self.no_seat] = False
            rostered = set(rows.tolist())
            for index in self.no_seat:
                if index in rostered:
                    engine.set_on_duty(index, True)
            self.no_seat = []
        network = spec.equipment.outage_speed if self.outage_today else commune.network_speed
        base = np.array([network * spec.staff.learning_efficiency(self.date)])
        seats = np.array([np.inf if commune.workstations is None else commune.workstations])
        present = rows[column("c_on_duty")[rows] | column("c_at_duty")[rows]]
        where = np.zeros(len(present), dtype=np.int64)
        self.no_seat = set_speeds(engine, spec, present, where, base, seats).tolist()

    @property
    def duty_hours_today(self) -> float:
        return sum(self.duty_hours.tolist())

    def resign(self, index: int, day: int, rules) -> None:
        """The clerk at row ``index`` leaves (unless it is the commune's last); its post
        is filled ``replacement_days`` later."""
        office = self.commune.office
        if len(office.clerks) <= 1:
            return
        clerk = next(c for c in office.clerks if c.index == index)
        office.set_on_duty(clerk, False)
        office.remove_clerk(clerk)
        self.resignations += 1
        if rules.replacement_days is not None:
            self.vacancies.append((day + rules.replacement_days, clerk))

    def hire(self, day: int) -> None:
        """A recruit with the leaver's skills fills each vacancy that is due."""
        due = [v for v in self.vacancies if v[0] <= day]
        self.vacancies = [v for v in self.vacancies if v[0] > day]
        for _, leaver in due:
            recruit = Clerk(self.commune.model, leaver.skills, leaver.switch_hours, leaver.kind)
            recruit.unit = leaver.unit
            self.commune.office.add_clerk(recruit)
            self.hires += 1
