"""A service office as the agents see it: its roster, opening hours and queues.

The commune's back office, its reception desk and the provincial departments are
offices. Their state (queues, idle clerks, who is busy) lives in the engine's arrays
and changes inside the compiled loop (sim/core/service.py); this class is the
day-level handle policies and agents use: roster changes, duty, the queue discipline,
overtime, and the day's openings and closings put on the event heap.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

from sim.core import hours
from sim.core.calendar import HOURS_PER_DAY
from sim.core.engine import Engine
from sim.core.events import EV_BACK_FROM_HOME, EV_CLOSE, EV_OPEN, EV_SEND_HOME
from sim.core.queues import DISCIPLINES, EDF
from sim.core.state import BACK_OFFICE, DESK, PROVINCE


class Clerk(Protocol):
    """What an office needs of a member of staff (sim/abm/agents/clerk.py has the agent)."""

    index: int  # its row in the engine's clerk arrays
    on_duty: bool


class Office:
    """One office's handle.

    Args:
        name: label used in outputs.
        index: its row in the engine's office arrays.
        kind: ``BACK_OFFICE``, ``DESK`` or ``PROVINCE``.
        calendar: its working calendar.
        engine: the model's engine.
        discipline: ``"fifo"`` or ``"edf"``.
        commune: its commune's index (-1 for the province).
    """

    def __init__(
        self, name: str, index: int, kind: int, calendar, engine: Engine, discipline: str,
        commune: int = -1,
    ) -> None:  # fmt: skip
        if discipline not in DISCIPLINES:
            raise ValueError(f"dispatch: unknown discipline {discipline!r}; allowed: fifo, edf")
        self.name = name
        self.index = index
        self.kind = kind
        self.calendar = calendar
        self.engine = engine
        self.discipline = discipline
        self.clerks: list = []
        engine.column("o_kind")[index] = kind
        engine.column("o_commune")[index] = commune
        engine.column("o_edf")[index] = discipline == EDF
        engine.column("o_open")[index] = calendar.always_open
        self._staying: tuple[int, set] | None = None  # (day, clerks on overtime)
        self._rows: np.ndarray | None = None  # the roster's rows in the clerk arrays

    @property
    def is_open(self) -> bool:
        return bool(self.engine.column("o_open")[self.index])

    # -- staff -----------------------------------------------------------------------
    def add_clerk(self, clerk) -> None:
        self.engine.moves.pop(clerk.index, None)  # joins here, not where it was going
        self.clerks.append(clerk)
        self.roster_changed()
        clerk.office = self
        self.engine.add_clerk(clerk.index, self.index)

    def remove_clerk(self, clerk) -> None:
        """Take a clerk off this office's roster (after the job in hand, if any)."""
        self.clerks.remove(clerk)
        self.roster_changed()
        self.engine.remove_clerk(clerk.index)

    def roster_changed(self) -> None:
        """Forget the roster's rows (call after changing ``clerks``)."""
        self._rows = None

    def rows(self) -> np.ndarray:
        """The roster's rows in the clerk arrays, in roster order."""
        if self._rows is None:
            self._rows = np.array([c.index for c in self.clerks], dtype=np.int64)
        return self._rows

    def on_duty_rows(self) -> np.ndarray:
        """The rows of the roster's clerks on duty now, in roster order."""
        rows = self.rows()
        return rows[self.engine.column("c_on_duty")[rows]]

    def on_duty_clerks(self) -> list:
        """The clerks of the roster on duty now, in roster order."""
        rows = self.rows()
        on_duty = self.engine.column("c_on_duty")[rows]
        return [self.clerks[i] for i in np.flatnonzero(on_duty).tolist()]

    def set_on_duty(self, clerk, on_duty: bool) -> None:
        """Start or stop a clerk's availability for new work (absence, training...)."""
        self.engine.set_on_duty(clerk.index, bool(on_duty))

    def set_off_duty(self, clerks: list) -> None:
        """``set_on_duty(clerk, False)`` for each of ``clerks``, in one call."""
        if clerks:
            self.engine.set_off_duty(np.array([c.index for c in clerks], dtype=np.int64))

    def set_discipline(self, discipline: str) -> None:
        """Re-order every queue under another discipline."""
        if discipline == self.discipline or self.kind == DESK:  # the desk keeps its order
            return
        self.discipline = discipline
        self.engine.reorder(self.index, discipline == EDF)

    # -- opening hours -----------------------------------------------------------------
    def extend_hours(self, day: int, hours: float, staying: list | None = None) -> None:
        """Stay open ``hours`` longer at the end of ``day`` (overtime; decided that morning).

        Only the clerks ``staying`` (default: all) work the extra hours; the others stop
        at the ordinary closing (work in hand pauses there) and are back the next day.
        """
        if self.calendar.always_open:
            raise ValueError(f"{self.name}: an office open 24/7 cannot stay open longer")
        engine, i = self.engine, self.index
        engine.column("o_extra_day")[i] = day
        engine.column("o_extra_hours")[i] = hours
        engine.column("o_all_stay")[i] = staying is None
        overtime = engine.column("c_overtime")
        for clerk in self.clerks:
            overtime[clerk.index] = staying is not None and clerk in staying
        if staying is None:
            return
        self._staying = (day, set(staying))
        intervals = self.calendar.open_intervals(day)
        if intervals:
            ordinary, extended = intervals[-1][1], self.open_intervals(day)[-1][1]
            engine.schedule(ordinary, EV_SEND_HOME, i)
            engine.schedule(extended + 1e-6, EV_BACK_FROM_HOME, i)

    def extra_hours(self, day: int) -> float:
        """Hours kept open after closing on ``day`` (overtime; 0 when none was decided)."""
        column = self.engine.column
        return float(column("o_extra_hours")[self.index]) if (
            column("o_extra_day")[self.index] == day) else 0.0  # fmt: skip

    def open_intervals(self, day: int) -> list[tuple[float, float]]:
        """The calendar's open periods on ``day``, the last one longer by its overtime."""
        intervals = self.calendar.open_intervals(day)
        extra = self.extra_hours(day)
        if extra and intervals:
            a, b = intervals[-1]
            intervals[-1] = (a, min(b + extra, (day + 1) * HOURS_PER_DAY))
        return intervals

    def finish_time(self, start: float, work_hours: float) -> float:
        """When work begun at ``start`` ends for a clerk who works today's overtime."""
        engine = self.engine
        engine.cover_calendar(start)
        value = hours.office_finish_time(engine.s, start, work_hours, self.index, True)
        engine.check_calendar()
        return value

    def overtime_staff(self, day: int) -> set:
        """The clerks working overtime on ``day`` (empty when none was decided for it)."""
        if self._staying is None or self._staying[0] != day:
            return set()
        return set(self._staying[1])

    def open_hours(self, day: int) -> float:
        """Hours this office is open on ``day``, overtime included."""
        return sum(b - a for a, b in self.open_intervals(day))

    def day_events(self, day: int, usual: list | None = None) -> list[tuple[float, int, int]]:
        """Today's openings and closings as events; ``usual``: the calendar's open
        intervals today when the caller has them (an office's own overtime still counts)."""
        if self.calendar.always_open:
            return []
        intervals = self.open_intervals(day) if usual is None or self.extra_hours(day) else usual
        events = []
        for start, end in intervals:
            events += [(start, EV_OPEN, self.index), (end, EV_CLOSE, self.index)]
        return events

    def schedule_day(self, day: int) -> None:
        """Put today's opening and closing on the event heap."""
        self.engine.schedule_many(self.day_events(day))

    # -- what it holds -------------------------------------------------------------------
    def queue_lengths(self) -> dict[str, int]:
        """Dossiers waiting per field (every scenario field; the desk's under "reception")."""
        counts = self.engine.column("o_queued")[self.index].tolist()
        names = (*self.engine.fields, "reception")
        lengths = dict(zip(names, counts, strict=True))
        if not lengths["reception"]:
            del lengths["reception"]
        return lengths

    def busy_by_field(self, clerks=None) -> dict[str, int]:
        """Clerks with a job in hand (of ``clerks``; default the roster), per its field."""
        current = self.engine.column("c_current")
        fields = self.engine.column("d_field")
        result: dict[str, int] = {}
        for clerk in self.clerks if clerks is None else clerks:
            row = current[clerk.index]
            if row >= 0:
                name = self.engine.fields[fields[row]]
                result[name] = result.get(name, 0) + 1
        return result

    def queued(self) -> int:
        return int(self.engine.column("o_queued")[self.index].sum())

    def in_service(self) -> int:
        return int(self.engine.column("o_busy")[self.index])


__all__ = ["BACK_OFFICE", "DESK", "PROVINCE", "HOURS_PER_DAY", "Office"]
