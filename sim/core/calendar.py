"""Working calendars: when the PASC is open, and what "N working days" means.

Simulation time is a float number of hours since midnight of the start date. A
calendar knows the days (working or not, holidays, open periods) and keeps them as the
arrays the compiled loop reads; every question of arithmetic on them (finishing
times, deadlines, open hours between two instants) is answered by sim/core/hours.py,
the one copy of those rules, for day-level Python and for the compiled loop alike.
The arrays grow on demand: an answer past their last day makes them grow and the
question is asked again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import holidays as holidays_lib
import numpy as np

from sim.core import hours
from sim.core.hours import HOURS_PER_DAY

GROWTH_DAYS = 366  # calendar days added at a time
LONGEST_SPAN_DAYS = 40_000  # about a century: an answer further away is a nonsense input


class CalendarSpanError(ValueError):
    """A question whose answer lies more than ``LONGEST_SPAN_DAYS`` days ahead."""


class _Calendar:
    """Days and their open periods as arrays; arithmetic by sim/core/hours.py."""

    always_open: bool

    def __init__(self, start_date: dt.date, opening_hours: Sequence[Sequence[float]]) -> None:
        self.start_date = start_date
        self.opening_hours = [(float(a), float(b)) for a, b in opening_hours]
        self.opening = np.array(self.opening_hours, dtype=float).reshape(-1, 2)
        self._daily_open_hours = sum(b - a for a, b in self.opening_hours)
        self.working = np.zeros(0, dtype=bool)
        self.before = np.zeros(0, dtype=np.int64)  # working days before each day
        self.starts = np.zeros(0, dtype=float)
        self.ends = np.zeros(0, dtype=float)
        self._extend(GROWTH_DAYS)

    def _is_working_date(self, date: dt.date) -> bool:
        raise NotImplementedError

    # -- the arrays ------------------------------------------------------------------
    @property
    def days(self) -> int:
        """Calendar days the arrays cover, from the start date."""
        return len(self.working)

    def _extend(self, days: int) -> None:
        """Add ``days`` calendar days to the arrays."""
        first = self.days
        if first + days > LONGEST_SPAN_DAYS:
            raise CalendarSpanError(
                f"the calendar would need more than {LONGEST_SPAN_DAYS} days from "
                f"{self.start_date}: a deadline or a job that long is not plausible"
            )
        working = np.array(
            [self._is_working_date(self.start_date + dt.timedelta(days=d))
             for d in range(first, first + days)],
            dtype=bool,
        )  # fmt: skip
        previous = int(self.before[-1] + self.working[-1]) if first else 0
        before = previous + np.concatenate(([0], np.cumsum(working[:-1], dtype=np.int64)))
        open_days = (first + np.flatnonzero(working)) * HOURS_PER_DAY
        starts = (open_days[:, None] + self.opening[:, 0]).ravel()
        ends = (open_days[:, None] + self.opening[:, 1]).ravel()
        self.working = np.concatenate((self.working, working))
        self.before = np.concatenate((self.before, before.astype(np.int64)))
        self.starts = np.concatenate((self.starts, starts))
        self.ends = np.concatenate((self.ends, ends))

    def cover(self, day: int, working_days_ahead: int = 0) -> None:
        """Grow until ``day`` is covered with ``working_days_ahead`` working days after it."""
        while self.days <= day or int(self.before[-1] - self.before[day]) < working_days_ahead:
            self._extend(max(GROWTH_DAYS, self.days))

    @property
    def flag(self) -> float:
        """``always_open`` as the compiled functions take it (the state's parameter)."""
        return float(self.always_open)

    def _ask(self, question, arguments_of) -> float:
        """A question to sim/core/hours.py, asked again on grown arrays while past them."""
        while True:
            value = question(*arguments_of(self))
            if not np.isnan(value):
                return float(value)
            self._extend(max(GROWTH_DAYS, self.days))

    # -- days ------------------------------------------------------------------------
    @property
    def open_hours_of_a_day(self) -> float:
        """Open hours of a working day."""
        return self._daily_open_hours

    def date_of(self, t: float) -> dt.date:
        return self.start_date + dt.timedelta(days=int(t // HOURS_PER_DAY))

    def is_working_day(self, day: int) -> bool:
        self.cover(day)
        return bool(self.working[day])

    def is_holiday(self, day: int) -> bool:
        return False

    def open_intervals(self, day: int) -> list[tuple[float, float]]:
        if not self.is_working_day(day):
            return []
        base = day * HOURS_PER_DAY
        return [(base + a, base + b) for a, b in self.opening_hours]

    def open_hours(self, day: int) -> float:
        return self._daily_open_hours if self.is_working_day(day) else 0.0

    # -- arithmetic (sim/core/hours.py) -----------------------------------------------
    def next_open(self, t: float) -> float:
        """The first instant at or after ``t`` when the office is open."""
        return self._ask(hours.span_next_open, lambda c: (c.flag, c.starts, c.ends, float(t)))

    def finish_time(self, start: float, work_hours: float) -> float:
        """When ``work_hours`` of work begun at ``start`` end, pausing while closed."""
        return self._ask(
            hours.span_finish,
            lambda c: (c.flag, c.starts, c.ends, float(start), float(work_hours)),
        )

    def open_hours_before(self, t: float) -> float:
        """Open hours from hour 0 to ``t``."""
        return self._ask(
            hours.span_hours_before,
            lambda c: (c.working, c.before, c.opening, c._daily_open_hours, float(t)),
        )

    def working_days_between(self, start: float, end: float) -> float:
        """Working days from ``start`` to ``end``: open hours between them / hours of a day.

        How the province counts time to result against deadlines set in working days.
        """
        return self._ask(
            hours.span_working_days_between,
            lambda c: (c.flag, c.working, c.before, c.opening, c._daily_open_hours,
                       float(start), float(end)),
        )  # fmt: skip

    def working_hours_between(self, start: float, end: float) -> float:
        """Open hours in [start, end)."""
        return self._ask(
            hours.span_hours_between,
            lambda c: (c.flag, c.starts, c.ends, c.working, float(start), float(end)),
        )

    def deadline(self, submitted: float, working_days: float, cutoff: float = 0.0) -> float:
        """Close of business on the N-th working day after the day of receipt.

        A dossier received on a closed day, or after closing, counts as received on the
        next working day. ``working_days=0`` means the day of receipt ("on the spot"),
        and then one received at or after the hour ``cutoff`` (when > 0) is due the
        next working day.
        """
        return self._ask(
            hours.span_deadline,
            lambda c: (c.flag, c.working, c.before, c.opening, float(submitted),
                       float(working_days), float(cutoff)),
        )  # fmt: skip

    def deadline_date(self, submitted_date: dt.date, working_days: int) -> dt.date:
        """Calendar date of the deadline for a dossier received on ``submitted_date``."""
        day = (submitted_date - self.start_date).days
        return self.date_of(self.deadline(day * HOURS_PER_DAY + self.opening_hours[0][0],
                                          working_days))  # fmt: skip


class AlwaysOpenCalendar(_Calendar):
    """A 24/7 calendar for validation scenarios: every hour is a working hour; deadlines
    and days to a result are counted in 24-hour days."""

    always_open = True

    def __init__(self, start_date: dt.date) -> None:
        super().__init__(start_date, [(0.0, HOURS_PER_DAY)])

    def _is_working_date(self, date: dt.date) -> bool:
        return True


class WorkingCalendar(_Calendar):
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
        self.working_weekdays = frozenset(int(d) for d in working_weekdays)
        self._holidays = holidays_lib.country_holidays(country) if country else {}
        self._extra_closed = {dt.date.fromisoformat(str(d)) for d in extra_closed_dates}
        super().__init__(start_date, opening_hours)

    def _is_working_date(self, date: dt.date) -> bool:
        return (
            date.isoweekday() in self.working_weekdays
            and date not in self._holidays
            and date not in self._extra_closed
        )

    def is_holiday(self, day: int) -> bool:
        date = self.start_date + dt.timedelta(days=day)
        return date in self._holidays or date in self._extra_closed


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


__all__ = ["HOURS_PER_DAY", "AlwaysOpenCalendar", "WorkingCalendar", "make_calendar"]
