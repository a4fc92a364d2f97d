"""A service office: queues per field served by clerks with skills.

The commune's back office and each provincial department pool are offices. Dossiers
wait in one queue per field; a free clerk takes the most urgent head among the fields
it is skilled in (the queue discipline decides what "urgent" means). Clerks serve only
while the office is open; work in progress pauses at closing and resumes at the next
open hour.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Protocol

from sim.core.calendar import ExtendedHours
from sim.core.dossier import IN_SERVICE, QUEUED, Dossier
from sim.core.engine import EventEngine
from sim.core.queues import DISCIPLINES


class Clerk(Protocol):
    """What an office needs of a member of staff (sim/abm/agents/clerk.py has the agent)."""

    skills: dict[str, float]  # proficiency per field it serves
    on_duty: bool
    leaving: bool  # leaves the office once the job in hand is done
    current: Dossier | None
    office: Office | None
    rostered: bool  # on an office's roster
    job_end: float  # when the job in hand ends

    def service_hours(self, dossier: Dossier) -> float: ...

    def mark_presence(self, now: float) -> None: ...

    def departed(self) -> None: ...


class Office:
    """Queues and clerks of one office.

    Args:
        name: label used in outputs.
        fields: the fields this office keeps a queue for.
        calendar: its working calendar.
        engine: the model's event engine.
        discipline: ``"fifo"`` or ``"edf"``.
        on_served: called as ``on_served(dossier)`` when a clerk finishes a dossier.
        on_first_service: called when a dossier is first taken up by any clerk.
    """

    def __init__(
        self,
        name: str,
        fields: Iterable[str],
        calendar,
        engine: EventEngine,
        discipline: str,
        on_served: Callable[[Dossier], None],
        on_first_service: Callable[[Dossier], None],
    ) -> None:
        self.name = name
        self.calendar = calendar
        self.engine = engine
        self.discipline = discipline
        self.queues = {field: DISCIPLINES[discipline]() for field in fields}
        self.clerks: list[Clerk] = []
        self.idle: list[Clerk] = []
        self.is_open = calendar.always_open
        self.n_busy = 0
        self.on_served = on_served
        self.on_first_service = on_first_service

    # -- staff -----------------------------------------------------------------------
    def add_clerk(self, clerk: Clerk) -> None:
        self.clerks.append(clerk)
        clerk.office = self
        clerk.rostered = True
        clerk.mark_presence(self.engine.now)
        for field in clerk.skills:
            self.queues.setdefault(field, DISCIPLINES[self.discipline]())
        if clerk.on_duty:
            self._pull(clerk)

    def remove_clerk(self, clerk: Clerk) -> None:
        """Take a clerk off this office's roster (after the job in hand, if any)."""
        self.clerks.remove(clerk)
        if clerk in self.idle:
            self.idle.remove(clerk)
        clerk.leaving = clerk.current is not None
        clerk.rostered = False
        clerk.mark_presence(self.engine.now)

    def set_on_duty(self, clerk: Clerk, on_duty: bool) -> None:
        """Start or stop a clerk's availability for new work (absence, training...)."""
        if clerk.on_duty == on_duty:
            return
        clerk.on_duty = on_duty
        clerk.mark_presence(self.engine.now)
        if on_duty:
            if clerk.current is None:
                self._pull(clerk)
        elif clerk in self.idle:
            self.idle.remove(clerk)

    def set_discipline(self, discipline: str) -> None:
        """Re-order every queue under another discipline."""
        if discipline == self.discipline:
            return
        self.discipline = discipline
        for field, old in list(self.queues.items()):
            new = DISCIPLINES[discipline]()
            for dossier in old:
                new.push(dossier, self.engine.now)
            self.queues[field] = new

    # -- opening hours -----------------------------------------------------------------
    def extend_hours(self, day: int, hours: float) -> None:
        """Stay open ``hours`` longer at the end of ``day`` (overtime; decided that morning)."""
        if self.calendar.always_open:
            raise ValueError(f"{self.name}: an office open 24/7 cannot stay open longer")
        if not isinstance(self.calendar, ExtendedHours):
            self.calendar = ExtendedHours(self.calendar)
        self.calendar.extend(day, hours)

    def open_hours(self, day: int) -> float:
        """Hours this office is open on ``day``, overtime included."""
        return self.calendar.open_hours(day)

    def open(self, _: object = None) -> None:
        self.is_open = True
        if not any(self.queues.values()):  # nothing waiting: idle clerks stay idle, in order
            return
        waiting, self.idle = self.idle, []
        for clerk in waiting:
            self._pull(clerk)

    def close(self, _: object = None) -> None:
        self.is_open = False

    def schedule_day(self, day: int) -> None:
        """Put today's opening and closing on the event engine."""
        if self.calendar.always_open:
            return
        for start, end in self.calendar.open_intervals(day):
            self.engine.schedule_at_instant(start, self.open)
            self.engine.schedule_at_instant(end, self.close)

    # -- flow of dossiers --------------------------------------------------------------
    def arrive(self, dossier: Dossier) -> None:
        """A dossier reaches this office: a free clerk starts it, or it queues."""
        dossier.status = QUEUED
        if self.is_open and self.idle:
            clerk = self._best_idle_for(dossier.field)
            if clerk is not None:
                self._start(clerk, dossier)
                return
        self.queues[dossier.field].push(dossier, self.engine.now)

    def _best_idle_for(self, field: str) -> Clerk | None:
        best = None
        best_skill = 0.0
        for clerk in self.idle:
            skill = clerk.skills.get(field, 0.0)
            if skill > best_skill:
                best, best_skill = clerk, skill
        if best is not None:
            self.idle.remove(best)
        return best

    def _pull(self, clerk: Clerk) -> None:
        """A free clerk takes the most urgent waiting dossier it can handle."""
        if not (self.is_open and clerk.on_duty):
            if clerk.on_duty:
                self.idle.append(clerk)
            return
        best_queue = None
        best_key = float("inf")
        queues = self.queues
        for field in clerk.skills:
            queue = queues[field]
            if queue:
                key = queue.head_key()
                if key < best_key:
                    best_queue, best_key = queue, key
        if best_queue is None:
            self.idle.append(clerk)
        else:
            self._start(clerk, best_queue.pop())

    def _start(self, clerk: Clerk, dossier: Dossier) -> None:
        now = self.engine.now
        if dossier.first_service < 0.0:
            dossier.first_service = now
            self.on_first_service(dossier)
        dossier.status = IN_SERVICE
        hours = clerk.service_hours(dossier)
        clerk.current = dossier
        self.n_busy += 1
        clerk.job_end = self.calendar.finish_time(now, hours)
        self.engine.schedule(clerk.job_end, self._finish, clerk)

    def _finish(self, clerk: Clerk) -> None:
        dossier = clerk.current
        clerk.current = None
        self.n_busy -= 1
        if not (clerk.on_duty and clerk.rostered):  # finished a job while off duty
            clerk.mark_presence(self.engine.now)
        self.on_served(dossier)
        if clerk.leaving:
            clerk.leaving = False
            clerk.departed()
        else:
            self._pull(clerk)

    # -- audit -----------------------------------------------------------------------
    def queued(self) -> int:
        return sum(len(q) for q in self.queues.values())

    def in_service(self) -> int:
        return self.n_busy
