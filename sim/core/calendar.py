"""Working calendars: when the PASC is open, and what "N working days" means.

Simulation time is a float number of hours since midnight of the start date. A
calendar turns that clock into open intervals (the hours clerks serve), working-day
deadlines and finishing times for work that pauses overnight.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Sequence

import holidays as holidays_lib

HOURS_PER_DAY = 24.0


class AlwaysOpenCalendar:
    """A 24/7 calendar for validation scenarios: every hour is a working hour."""

    always_open = True

    def __init__(self, start_date: dt.date) -> None:
        self.start_date = start_date

    def date_of(self, t: float) -> dt.date:
        return self.start_date + dt.timedelta(days=int(t // HOURS_PER_DAY))

    def is_working_day(self, day: int) -> bool:
        return True

    def is_holiday(self, day: int) -> bool:
        return False

    def open_intervals(self, day: int) -> list[tuple[float, float]]:
        return [(day * HOURS_PER_DAY, (day + 1) * HOURS_PER_DAY)]

    def open_hours(self, day: int) -> float:
        return HOURS_PER_DAY

    def next_open(self, t: float) -> float:
        return t

    def finish_time(self, start: float, work_hours: float) -> float:
        return start + work_hours

    def working_hours_between(self, start: float, end: float) -> float:
        return max(0.0, end - start)

    def deadline(self, submitted: float, working_days: float) -> float:
        """Deadline counted in whole 24-hour days (validation scenarios use hours)."""
        return submitted + working_days * HOURS_PER_DAY

    def working_days_between(self, start: float, end: float) -> float:
        """Elapsed time in (24-hour) days: every hour is a working hour."""
        return max(0.0, end - start) / HOURS_PER_DAY


class WorkingCalendar:
    """Office hours on working days, closed on weekends and Vietnamese public holidays.

    Args:
        start_date: the calendar date of simulation hour 0.
        opening_hours: open periods of a working day, as (from, to) hours of the day,
            e.g. ``[(7.5, 11.5), (13.5, 17.0)]``.
        working_weekdays: ISO weekdays that are working days (1 = Monday ... 7 = Sunday).
        country: country code for the `holidays` package; ``None`` disables holidays.
        extra_closed_dates: further closing dates (ISO strings), e.g. a local event.
    """

    always_open = False

    def __init__(
        self,
        start_date: dt.date,
        opening_hours: Sequence[Sequence[float]] = ((7.5, 11.5), (13.5, 17.0)),
        working_weekdays: Sequence[int] = (1, 2, 3, 4, 5),
        country: str | None = "VN",
        extra_closed_dates: Sequence[str] = (),
    ) -> None:
        self.start_date = start_date
        self.opening_hours = [(float(a), float(b)) for a, b in opening_hours]
        self.working_weekdays = frozenset(int(d) for d in working_weekdays)
        self._holidays = holidays_lib.country_holidays(country) if country else {}
        self._extra_closed = {dt.date.fromisoformat(str(d)) for d in extra_closed_dates}
        self._daily_open_hours = sum(b - a for a, b in self.opening_hours)
        self._working: list[bool] = []
        self._starts: list[float] = []
        self._ends: list[float] = []
        self._working_day_index: list[int] = []  # cumulative working days before day i
        self._deadlines: dict[tuple[int, float], float] = {}  # (receipt day, days) -> deadline
        self._extend(366)
        self._horizon = self._safe_until  # finish_time skips the extension check before it

    # -- lazy precomputation -------------------------------------------------------
    def _extend(self, days: int) -> None:
        """Precompute open intervals for `days` more calendar days."""
        first = len(self._working)
        for day in range(first, first + days):
            date = self.start_date + dt.timedelta(days=day)
            working = (
                date.isoweekday() in self.working_weekdays
                and date not in self._holidays
                and date not in self._extra_closed
            )
            before = self._working_day_index[-1] + self._working[-1] if day else 0
            self._working_day_index.append(before)
            self._working.append(working)
            if working:
                for a, b in self.opening_hours:
                    self._starts.append(day * HOURS_PER_DAY + a)
                    self._ends.append(day * HOURS_PER_DAY + b)

    def _ensure_day(self, day: int) -> None:
        while day + 1 >= len(self._working):
            self._extend(366)

    def _ensure_time(self, t: float) -> None:
        self._ensure_day(int(t // HOURS_PER_DAY) + 8)

    @property
    def _safe_until(self) -> float:
        """Times before this need no extension for ``finish_time``."""
        return (len(self._working) - 10) * HOURS_PER_DAY

    # -- queries -------------------------------------------------------------------
    @property
    def open_hours_of_a_day(self) -> float:
        """Open hours of a working day."""
        return self._daily_open_hours

    def date_of(self, t: float) -> dt.date:
        return self.start_date + dt.timedelta(days=int(t // HOURS_PER_DAY))

    def is_working_day(self, day: int) -> bool:
        self._ensure_day(day)
        return self._working[day]

    def is_holiday(self, day: int) -> bool:
        date = self.start_date + dt.timedelta(days=day)
        return date in self._holidays or date in self._extra_closed

    def open_intervals(self, day: int) -> list[tuple[float, float]]:
        if not self.is_working_day(day):
            return []
        base = day * HOURS_PER_DAY
        return [(base + a, base + b) for a, b in self.opening_hours]

    def open_hours(self, day: int) -> float:
        return self._daily_open_hours if self.is_working_day(day) else 0.0

    def next_open(self, t: float) -> float:
        """The first instant at or after `t` when the office is open."""
        self._ensure_time(t)
        i = bisect.bisect_right(self._ends, t)
        while i >= len(self._starts):
            self._extend(366)
        return max(t, self._starts[i])

    def finish_time(self, start: float, work_hours: float) -> float:
        """When `work_hours` of work begun at `start` ends, pausing while closed."""
        if start >= self._horizon:
            self._ensure_time(start)
            self._horizon = self._safe_until
        i = bisect.bisect_right(self._ends, start)
        starts, ends = self._starts, self._ends
        current = start
        remaining = work_hours
        while True:
            if i >= len(starts):
                self._extend(366)
                starts, ends = self._starts, self._ends
            if current < starts[i]:
                current = starts[i]
            available = ends[i] - current
            if remaining <= available:
                return current + remaining
            remaining -= available
            i += 1

    def open_hours_before(self, t: float) -> float:
        """Open hours from hour 0 to ``t`` (constant time: whole working days, then today)."""
        day = int(t // HOURS_PER_DAY)
        self._ensure_day(day)
        hours = self._working_day_index[day] * self._daily_open_hours
        if self._working[day]:
            into_day = t - day * HOURS_PER_DAY
            for a, b in self.opening_hours:
                if into_day > a:
                    hours += min(into_day, b) - a
        return hours

    def working_days_between(self, start: float, end: float) -> float:
        """Working days from ``start`` to ``end``: open hours between them / hours of a day.

        How the province counts time to result against deadlines set in working days.
        """
        if end <= start:
            return 0.0
        return (self.open_hours_before(end) - self.open_hours_before(start)) / (
            self._daily_open_hours
        )

    def working_hours_between(self, start: float, end: float) -> float:
        """Open hours in [start, end)."""
        if end <= start:
            return 0.0
        self._ensure_time(end)
        i = bisect.bisect_right(self._ends, start)
        total = 0.0
        while i < len(self._starts) and self._starts[i] < end:
            total += min(end, self._ends[i]) - max(start, self._starts[i])
            i += 1
        return total

    def deadline(self, submitted: float, working_days: float) -> float:
        """Close of business on the N-th working day after the day of receipt.

        A dossier received on a closed day, or after closing, counts as received on the
        next working day. ``working_days=0`` means the day of receipt ("on the spot").
        """
        day = int(submitted // HOURS_PER_DAY)
        if submitted >= day * HOURS_PER_DAY + self.opening_hours[-1][1]:
            day += 1
        key = (day, working_days)
        deadline = self._deadlines.get(key)  # a few keys a day: computed once each
        if deadline is None:
            deadline = self._deadlines[key] = self._deadline(day, working_days)
        return deadline

    def _deadline(self, day: int, working_days: float) -> float:
        self._ensure_day(day + int(working_days) * 3 + 30)
        while not self._working[day]:
            day += 1
        target = self._working_day_index[day] + int(round(working_days))
        day = bisect.bisect_left(self._working_day_index, target, lo=day)
        while not self._working[day]:
            day += 1
        return day * HOURS_PER_DAY + self.opening_hours[-1][1]

    def deadline_date(self, submitted_date: dt.date, working_days: int) -> dt.date:
        """Calendar date of the deadline for a dossier received on `submitted_date`."""
        day = (submitted_date - self.start_date).days
        t = self.deadline(day * HOURS_PER_DAY + self.opening_hours[0][0], working_days)
        return self.date_of(t)


class ExtendedHours:
    """An office's hours with overtime: on some days the last open interval runs longer.

    Deadlines keep using the base calendar; only when clerks work changes. Overtime is
    decided each morning for that day only, so only a job's start day can differ from
    the base calendar: work started before a day's overtime was decided pauses at the
    ordinary closing hour of that day.
    """

    always_open = False

    def __init__(self, base: WorkingCalendar) -> None:
        self.base = base
        self.extra: dict[int, float] = {}  # day -> hours kept open after closing

    def extend(self, day: int, hours: float) -> None:
        self.extra[day] = hours

    def open_intervals(self, day: int) -> list[tuple[float, float]]:
        intervals = self.base.open_intervals(day)
        extra = self.extra.get(day, 0.0)
        if extra and intervals:
            a, b = intervals[-1]
            intervals = intervals[:-1] + [(a, min(b + extra, (day + 1) * HOURS_PER_DAY))]
        return intervals

    def open_hours(self, day: int) -> float:
        return sum(b - a for a, b in self.open_intervals(day))

    def working_hours_between(self, start: float, end: float) -> float:
        """Ordinary open hours (a clerk's overtime hours are counted by the policy)."""
        return self.base.working_hours_between(start, end)

    def finish_time(self, start: float, work_hours: float) -> float:
        day = int(start // HOURS_PER_DAY)
        if not self.extra.get(day):
            return self.base.finish_time(start, work_hours)
        current, remaining = start, work_hours
        for a, b in self.open_intervals(day):
            if b <= current:
                continue
            current = max(current, a)
            if remaining <= b - current:
                return current + remaining
            remaining -= b - current
            current = b
        return self.base.finish_time((day + 1) * HOURS_PER_DAY, remaining)


def make_calendar(spec: dict, start_date: dt.date) -> AlwaysOpenCalendar | WorkingCalendar:
    """Build a calendar from a scenario's ``calendar`` block."""
    kind = spec.get("kind", "working")
    if kind == "always_open":
        return AlwaysOpenCalendar(start_date)
    if kind == "working":
        return WorkingCalendar(
            start_date,
            opening_hours=spec.get("opening_hours", ((7.5, 11.5), (13.5, 17.0))),
            working_weekdays=spec.get("working_weekdays", (1, 2, 3, 4, 5)),
            country=spec.get("holidays_country", "VN"),
            extra_closed_dates=spec.get("extra_closed_dates", ()),
        )
    raise ValueError(
        f"scenario.calendar.kind: unknown calendar {kind!r}; allowed: 'working', 'always_open'"
    )
