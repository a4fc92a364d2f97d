"""A brute-force working calendar, for tests only: the rules written the slow, plain way.

It walks the dates one by one (weekday, ``holidays`` table, closing dates) and sums
open periods interval by interval, with no precomputed arrays, so that the model's one
implementation (sim/core/hours.py over sim/core/calendar.py's arrays) is checked
against rules it does not share code with.
"""

from __future__ import annotations

import datetime as dt

import holidays as holidays_lib

DAY = 24.0


class ReferenceCalendar:
    def __init__(
        self,
        start: dt.date,
        opening=((7.5, 11.5), (13.5, 17.0)),
        weekdays=(1, 2, 3, 4, 5),
        country: str | None = "VN",
        always_open: bool = False,
    ) -> None:
        self.start = start
        self.opening = [(float(a), float(b)) for a, b in opening]
        self.weekdays = set(weekdays)
        self.holidays = holidays_lib.country_holidays(country) if country else {}
        self.always_open = always_open
        self.extra: dict[int, float] = {}  # day -> overtime hours

    def working(self, day: int) -> bool:
        if self.always_open:
            return True
        date = self.start + dt.timedelta(days=day)
        return date.isoweekday() in self.weekdays and date not in self.holidays

    def intervals(self, day: int, overtime: bool = False) -> list[tuple[float, float]]:
        if self.always_open:
            return [(day * DAY, (day + 1) * DAY)]
        if not self.working(day):
            return []
        periods = [(day * DAY + a, day * DAY + b) for a, b in self.opening]
        extra = self.extra.get(day, 0.0) if overtime else 0.0
        if extra:
            a, b = periods[-1]
            periods[-1] = (a, min(b + extra, (day + 1) * DAY))
        return periods

    def finish_time(self, start: float, hours: float) -> float:
        """Overtime (``extra``) counts on the day the work starts only."""
        first = day = int(start // DAY)
        current, remaining = start, hours
        while True:
            for a, b in self.intervals(day, overtime=day == first):
                if b <= current:
                    continue
                current = max(current, a)
                if remaining <= b - current:
                    return current + remaining
                remaining -= b - current
                current = b
            day += 1

    def next_open(self, t: float) -> float:
        day = int(t // DAY)
        while True:
            for a, b in self.intervals(day):
                if t < b:
                    return max(t, a)
            day += 1

    def working_hours_between(self, start: float, end: float) -> float:
        total = 0.0
        for day in range(int(start // DAY), int(end // DAY) + 1):
            for a, b in self.intervals(day):
                total += max(0.0, min(end, b) - max(start, a))
        return total

    def working_days_between(self, start: float, end: float) -> float:
        if end <= start:
            return 0.0
        if self.always_open:
            return (end - start) / DAY
        daily = sum(b - a for a, b in self.opening)
        return self.working_hours_between(start, end) / daily

    def deadline(self, submitted: float, working_days: int, cutoff: float = 0.0) -> float:
        if self.always_open:
            return submitted + working_days * DAY
        closing = self.opening[-1][1]
        if working_days == 0 and cutoff > 0:
            closing = min(closing, cutoff)
        day = int(submitted // DAY)
        if submitted >= day * DAY + closing:
            day += 1
        while not self.working(day):
            day += 1
        closing = self.opening[-1][1]
        counted = 0
        while counted < working_days:
            day += 1
            counted += self.working(day)
        return day * DAY + closing
