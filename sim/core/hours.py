"""Working hours inside the compiled loop: finishing times, deadlines, hours open.

The same rules as sim/core/calendar.py (which builds the arrays these read:
``cal_starts``/``cal_ends`` are the open intervals in order, ``cal_working`` and
``cal_before`` say per day whether it is a working day and how many came before it).
An office that stays open longer today (overtime) extends its last interval for the
clerks who stay, for jobs started today only.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from sim.core.calendar import HOURS_PER_DAY
from sim.core.state import P

ALWAYS_OPEN = P["always_open"]
DAILY_OPEN_HOURS = P["daily_open_hours"]


@njit(cache=True)
def base_finish_time(s, start, hours):
    """When ``hours`` of work begun at ``start`` end, pausing while closed."""
    if s.params[ALWAYS_OPEN]:
        return start + hours
    starts, ends = s.cal_starts, s.cal_ends
    i = np.searchsorted(ends, start, side="right")
    current = start
    remaining = hours
    while i < len(starts):
        if current < starts[i]:
            current = starts[i]
        available = ends[i] - current
        if remaining <= available:
            return current + remaining
        remaining -= available
        i += 1
    return current + remaining  # past the horizon: counted as open (never reached)


@njit(cache=True)
def finish_time(s, start, hours, office, clerk):
    """``base_finish_time``, with today's overtime for a clerk who stays for it."""
    day = int(start // HOURS_PER_DAY)
    extra = s.o_extra_hours[office]
    if s.o_extra_day[office] != day or extra <= 0.0 or s.params[ALWAYS_OPEN]:
        return base_finish_time(s, start, hours)
    if not (s.o_all_stay[office] or s.c_overtime[clerk]):
        return base_finish_time(s, start, hours)
    if not s.cal_working[day]:
        return base_finish_time(s, start, hours)
    current, remaining = start, hours
    base = day * HOURS_PER_DAY
    n = s.cal_opening.shape[0]
    for k in range(n):
        a = base + s.cal_opening[k, 0]
        b = base + s.cal_opening[k, 1]
        if k == n - 1:
            b = min(b + extra, base + HOURS_PER_DAY)
        if b <= current:
            continue
        current = max(current, a)
        if remaining <= b - current:
            return current + remaining
        remaining -= b - current
        current = b
    return base_finish_time(s, base + HOURS_PER_DAY, remaining)


@njit(cache=True)
def next_open(s, t):
    """The first instant at or after ``t`` when offices are open."""
    if s.params[ALWAYS_OPEN]:
        return t
    i = np.searchsorted(s.cal_ends, t, side="right")
    if i >= len(s.cal_starts):
        return t
    return max(t, s.cal_starts[i])


@njit(cache=True)
def working_hours_between(s, start, end):
    """Ordinary open hours in [start, end)."""
    if end <= start:
        return 0.0
    if s.params[ALWAYS_OPEN]:
        return end - start
    starts, ends = s.cal_starts, s.cal_ends
    i = np.searchsorted(ends, start, side="right")
    total = 0.0
    while i < len(starts) and starts[i] < end:
        total += min(end, ends[i]) - max(start, starts[i])
        i += 1
    return total


@njit(cache=True)
def open_hours_before(s, t):
    """Open hours from hour 0 to ``t``."""
    day = int(t // HOURS_PER_DAY)
    hours = s.cal_before[day] * s.params[DAILY_OPEN_HOURS]
    if s.cal_working[day]:
        into_day = t - day * HOURS_PER_DAY
        for k in range(s.cal_opening.shape[0]):
            a, b = s.cal_opening[k, 0], s.cal_opening[k, 1]
            if into_day > a:
                hours += min(into_day, b) - a
    return hours


@njit(cache=True)
def working_days_between(s, start, end):
    """Working days from ``start`` to ``end`` (open hours / hours of a working day)."""
    if end <= start:
        return 0.0
    if s.params[ALWAYS_OPEN]:
        return (end - start) / HOURS_PER_DAY
    return (open_hours_before(s, end) - open_hours_before(s, start)) / s.params[DAILY_OPEN_HOURS]


@njit(cache=True)
def deadline(s, submitted, working_days):
    """Close of business on the N-th working day after the day of receipt (a dossier
    received on a closed day or after closing counts from the next working day)."""
    if s.params[ALWAYS_OPEN]:
        return submitted + working_days * HOURS_PER_DAY
    closing = s.cal_opening[s.cal_opening.shape[0] - 1, 1]
    day = int(submitted // HOURS_PER_DAY)
    if submitted >= day * HOURS_PER_DAY + closing:
        day += 1
    while not s.cal_working[day]:
        day += 1
    target = s.cal_before[day] + int(np.round(working_days))
    day = max(day, np.searchsorted(s.cal_before, target, side="left"))
    while not s.cal_working[day]:
        day += 1
    return day * HOURS_PER_DAY + closing


@njit(cache=True)
def procedure_deadline(s, row, now):
    """A dossier's deadline counted from ``now`` by its procedure's rule."""
    hours = s.d_deadline_hours[row]
    if hours >= 0.0:
        return now + hours
    return deadline(s, now, s.d_deadline_days[row])
