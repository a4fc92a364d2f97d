"""The engine: the model's arrays and the compiled loop that runs each day on them.

Python decides at day level (policies, absences, duties, the day's new dossiers) and
writes into the arrays (sim/core/state.py); ``run_until`` then runs the day's events in
compiled code (sim/core/kernel.py). Before each call the engine makes room: the event
heap, the log of online results and the calendar's horizon are sized so the compiled
loop never runs out of them.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from sim.core import hours, kernel
from sim.core.arrays import Arrays
from sim.core.calendar import HOURS_PER_DAY, CalendarSpanError
from sim.core.dossier import PENDING
from sim.core.state import FILL, LAYOUT, C, P

RECEPTION = "reception"  # the desk's single queue: the column after the scenario's fields
HORIZON_DAYS = 800  # calendar days kept ahead of the clock (finishing times, returns)
DEADLINE_MARGIN_DAYS = 2  # working days beyond the longest deadline (receipt after hours)
DOSSIER_COLUMNS = [name for name, table, *_ in LAYOUT if table == "dossier"]


class Engine:
    """The arrays of one model and the calls that run and change them.

    Args:
        fields: the scenario's fields (queue columns; the desk's comes after them).
        n_communes: communes (back office ``m`` is office ``m``).
        n_offices: all offices (back offices, desks, the province).
        n_cells: commune x field tally rows (two equity group rows follow).
        calendar: the working calendar (sim/core/calendar.py).
        params: the scenario's rules, by ``PARAMS`` name.
        clerks: the staff expected (the clerk table's first size; it grows as needed).
    """

    def __init__(
        self,
        fields: Sequence[str],
        n_communes: int,
        n_offices: int,
        n_cells: int,
        calendar,
        params: dict[str, float],
        clerks: int = 0,
    ) -> None:
        self.fields = tuple(fields)
        self.field_index = {f: i for i, f in enumerate(self.fields)}
        self.field_index[RECEPTION] = len(self.fields)
        self.arrays = Arrays(len(self.fields), n_communes, n_offices, n_cells + 2, clerks)
        self.calendar = calendar
        self.n_clerks = 0
        self.events_processed = 0
        self.moves: dict[int, tuple] = {}  # clerk row -> (clerk, office it joins when free)
        self._scheduled: list[tuple[float, int, int]] = []
        self.set_params(params)
        self._horizon = -1
        self._longest_deadline = 0.0  # working days: the longest any dossier was given
        self._ensure_horizon(0)

    @property
    def s(self):
        """The tuple of arrays the compiled functions take."""
        return self.arrays.state

    @property
    def now(self) -> float:
        return float(self.arrays.arrays["clock"][0])

    def set_params(self, params: dict[str, float]) -> None:
        values = self.arrays.arrays["params"]
        for name, value in params.items():
            values[P[name]] = value

    # -- the calendar ------------------------------------------------------------------
    def _ensure_horizon(self, day: int) -> None:
        """Calendar arrays far enough ahead of ``day`` for every answer the loop may need:
        ``HORIZON_DAYS`` calendar days for finishing times and returns, and the longest
        deadline any dossier row holds, in working days, counted from then."""
        longest = int(np.ceil(self._longest_deadline)) + DEADLINE_MARGIN_DAYS
        target = day + HORIZON_DAYS // 2
        calendar = self.calendar
        if self._horizon >= target and self._covered_working_days(target) >= longest:
            return
        calendar.cover(day + HORIZON_DAYS, working_days_ahead=0)
        calendar.cover(target, working_days_ahead=longest)
        self.arrays.replace(
            cal_starts=calendar.starts, cal_ends=calendar.ends, cal_working=calendar.working,
            cal_before=calendar.before, cal_opening=calendar.opening,
        )  # fmt: skip
        self._horizon = calendar.days - 1

    def set_deadlines(self, rows: np.ndarray, days: np.ndarray) -> None:
        """Give the dossiers at ``rows`` their deadlines in working days (the calendar is
        kept far enough ahead of the longest)."""
        self.arrays.arrays["d_deadline_days"][rows] = days
        if len(days):
            self._longest_deadline = max(self._longest_deadline, float(np.max(days)))

    def cover_calendar(self, t: float) -> None:
        """The state's calendar reaches ``t`` (day-level code asking the compiled rules)."""
        self._ensure_horizon(int(t // HOURS_PER_DAY))

    def working_hours_between(self, start: float, end: float) -> float:
        """Ordinary open hours in [start, end), by the state's calendar."""
        self.cover_calendar(end)
        value = hours.working_hours_between(self.s, float(start), float(end))
        self.check_calendar()
        return value

    def _covered_working_days(self, day: int) -> int:
        before = self.calendar.before
        return int(before[self._horizon] - before[day])

    def check_calendar(self) -> None:
        """An answer past the calendar's horizon is a job or a wait far too long."""
        counters = self.arrays.arrays["counters"]
        if counters[C["calendar_overflow"]]:
            counters[C["calendar_overflow"]] = 0
            raise CalendarSpanError(
                f"a finishing time, opening or deadline fell past the {self._horizon + 1} "
                f"calendar days kept from {self.calendar.start_date}: a dossier's work or "
                "a wait is implausibly long; check the scenario's work_hours and delays"
            )

    # -- rows --------------------------------------------------------------------------
    def new_dossiers(self, n: int) -> np.ndarray:
        """Rows for ``n`` new dossiers (reusing closed ones), reset and marked live."""
        arrays = self.arrays
        live = arrays.arrays["d_live"]
        free = np.flatnonzero(~live)
        if len(free) < n:
            used = len(live)
            arrays.grow("dossier", used + (n - len(free)))
            live = arrays.arrays["d_live"]
            free = np.flatnonzero(~live)
        rows = free[:n]
        for name in DOSSIER_COLUMNS:
            arrays.arrays[name][rows] = FILL.get(name, 0)
        arrays.arrays["d_live"][rows] = True
        arrays.arrays["d_status"][rows] = PENDING
        return rows

    def new_clerk(self) -> int:
        """The row of a new member of staff (off every roster until added)."""
        index = self.n_clerks
        self.arrays.grow("clerk", index + 1)
        self.n_clerks += 1
        self.arrays.arrays["c_on_duty"][index] = True
        return index

    def column(self, name: str) -> np.ndarray:
        """One array of the state (a view: writing to it changes the model)."""
        return self.arrays.arrays[name]

    def live_rows(self) -> np.ndarray:
        """Rows of the dossiers received and not yet resolved or withdrawn."""
        a = self.arrays.arrays
        return np.flatnonzero(a["d_live"] & (a["d_status"] != PENDING))

    # -- running ---------------------------------------------------------------------
    def schedule(self, time: float, kind: int, arg: int) -> None:
        """Put an event on the heap (day-level: openings, a clerk's return, ...).

        Events are pushed together, in the order they were scheduled, before the next
        compiled call that may schedule events itself (the day's run, a clerk put on
        duty or on a roster), so events at one instant run in the order they were
        scheduled, wherever that was.
        """
        self._scheduled.append((time, kind, arg))

    def schedule_many(self, events: list[tuple[float, int, int]]) -> None:
        """``schedule`` each ``(time, kind, arg)`` of ``events``, in their order."""
        self._scheduled.extend(events)

    def _push_scheduled(self) -> None:
        if not self._scheduled:
            return
        events = np.array(self._scheduled)  # one row per event: time, kind, argument
        self._scheduled = []
        self._room_for_events(len(events))
        pushed = kernel.schedule_many(
            self.s, events[:, 0].copy(), events[:, 1].astype(np.int32),
            events[:, 2].astype(np.int64),
        )  # fmt: skip
        if not pushed:
            raise RuntimeError("event heap full after growing it (a bug)")

    def _room_for_events(self, extra: int) -> None:
        a = self.arrays.arrays
        pending = int(a["counters"][0])
        need = pending + extra + 64
        if need > len(a["e_time"]):
            self.arrays.grow("event", need)

    def run_until(self, end: float, times: np.ndarray, kinds: np.ndarray, args: np.ndarray) -> None:
        """Process every event before ``end``; the arrivals are sorted by time."""
        self._ensure_horizon(int(end // HOURS_PER_DAY) + 1)
        self._push_scheduled()
        a = self.arrays.arrays
        live = int(np.count_nonzero(a["d_live"]))
        self._room_for_events(2 * live + 4 * self.n_clerks + 8 * len(a["o_kind"]))
        self.arrays.grow("log", live + len(times) + 1)
        processed = kernel.run_until(self.s, float(end), times, kinds, args)
        self.check_calendar()
        if processed < 0:
            raise RuntimeError("event heap full during a day (a bug in its sizing)")
        self.events_processed += processed
        self._note_moves()

    def _note_moves(self) -> None:
        """Clerks the loop moved to their next office join its roster list."""
        a = self.arrays.arrays
        for index, (clerk, office) in list(self.moves.items()):
            if a["c_next_office"][index] < 0 and a["c_rostered"][index]:
                office.clerks.append(clerk)
                office.roster_changed()
                clerk.office = office
                del self.moves[index]

    def take_log(self) -> tuple[np.ndarray, np.ndarray]:
        """Today's online results on time (population, agent), and clear the log."""
        a = self.arrays.arrays
        n = int(a["counters"][2])
        result = a["l_pop"][:n].copy(), a["l_agent"][:n].copy()
        a["counters"][2] = 0
        return result

    def pending(self) -> int:
        """Events scheduled and not yet run."""
        return int(self.arrays.arrays["counters"][0]) + len(self._scheduled)

    # -- day-level actions on clerks and offices -------------------------------------------
    def set_on_duty(self, clerk: int, on_duty: bool) -> None:
        if on_duty:  # may start a job: events scheduled before it come first at equal times
            self._push_scheduled()
        kernel.set_on_duty(self.s, clerk, on_duty)

    def set_off_duty(self, clerks: np.ndarray) -> None:
        kernel.set_off_duty(self.s, clerks)

    def add_clerk(self, clerk: int, office: int) -> None:
        self._push_scheduled()  # events scheduled before it come first at equal times
        self._room_for_events(8)
        kernel.add_clerk(self.s, clerk, office)

    def remove_clerk(self, clerk: int) -> None:
        kernel.remove_clerk(self.s, clerk)

    def mark_presence(self, clerk: int) -> None:
        kernel.mark_presence(self.s, clerk)

    def reorder(self, office: int, edf: bool) -> None:
        kernel.reorder(self.s, office, edf)
