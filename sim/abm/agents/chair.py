"""The commune chair's weekly review: "arranging cadres to suit capacity".

Reports describe chairs moving staff to where work piles up (docs/SOURCES.md). Each
week, on its first working day, the chair takes back last week's moves, then moves
clerks who had spare hours last week to the field with the most overdue dossiers at the
commune stage (rules and defaults: ``sim.spec.mechanisms.Reassignment``).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from sim.abm.agents.clerk import Clerk
    from sim.abm.world import World
    from sim.core.office import Office


class Staffed(Protocol):
    """What the chair reads of its commune."""

    calendar: object
    office: Office


class Chair:
    """One commune's weekly reassignment of its clerks."""

    def __init__(self, commune: Staffed, world: World) -> None:
        self.commune = commune
        self.world = world
        self.rules = world.scenario.staff.reassignment
        self.moves = 0  # clerk-weeks spent in another field
        self._moved: list[Clerk] = []
        self._week: tuple[int, int] | None = None
        self._last: dict[Clerk, tuple[float, float]] = {}  # busy, dossier hours at review

    def start_day(self, day: int, date: dt.date) -> None:
        """Review once a week, on its first working day, before the office opens."""
        if not self.rules.enabled or not self.commune.calendar.is_working_day(day):
            return
        week = tuple(date.isocalendar())[:2]
        if week == self._week:
            return
        self._week = week
        self._review()

    def _review(self) -> None:
        for clerk in self._moved:
            clerk.come_back()
        self._moved = []
        office = self.commune.office
        spare = self._spare_clerks(office.clerks)
        overdue = self._overdue_by_field()
        if not overdue:
            return
        field, count = max(overdue.items(), key=lambda item: (item[1], item[0]))
        if count < self.rules.min_overdue:
            return
        staffed: dict[str, int] = {}
        for clerk in office.clerks:
            for f in clerk.skills:
                staffed[f] = staffed.get(f, 0) + 1
        candidates = [
            clerk
            for utilization, clerk in sorted(spare, key=lambda pair: pair[0])
            if field not in clerk.skills or len(clerk.skills) > 1
            if not any(overdue.get(f, 0) for f in clerk.skills if f != field)
            if all(staffed[f] > 1 for f in clerk.skills if f != field)  # no field left bare
        ]
        for clerk in candidates[: self.rules.max_clerks]:
            proficiency = clerk.skills.get(field, self.rules.untrained_proficiency)
            clerk.move_to(field, proficiency, self.rules.switch_hours)
            self._moved.append(clerk)
            self.moves += 1

    def _spare_clerks(self, clerks: list[Clerk]) -> list[tuple[float, Clerk]]:
        """Clerks whose dossier utilisation since the last review was below the threshold."""
        spare = []
        last, self._last = self._last, {}
        now = self.world.engine.now
        for clerk in clerks:
            busy_now, _, at_work = clerk.hours_until(now)
            hours = at_work - clerk.other_duty_hours
            self._last[clerk] = (busy_now, hours)
            if clerk not in last or clerk.kind == "department":
                continue
            busy = busy_now - last[clerk][0]
            available = hours - last[clerk][1]
            if available > 0 and busy / available < self.rules.spare_utilization:
                spare.append((busy / available, clerk))
        return spare

    def _overdue_by_field(self) -> dict[str, int]:
        return self.world.metrics.overdue_by_field(self.world.engine.now, self.commune.index)
