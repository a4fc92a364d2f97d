"""Working-hours arithmetic: finishing times, deadlines, open hours. The only copy.

A calendar is five arrays (sim/core/calendar.py builds them): ``starts``/``ends`` the
open intervals in order (hours since midnight of the start date), ``working`` and
``before`` per calendar day whether it is a working day and how many came before it,
and ``opening`` a working day's open periods. The ``span_*`` functions read only
those arrays and answer NaN when an answer lies past the arrays' last day, so that the
day-level calendar extends itself and asks again, and the compiled loop (the ``s``
functions below them) counts an overflow that the engine turns into an error. Nothing
here reads past an array.

An office that stays open longer today (overtime) extends its last interval for the
clerks who stay, for jobs started today only; its overtime lives in the office arrays
``o_extra_day``/``o_extra_hours``/``o_all_stay`` and nowhere else.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from sim.core.state import C, P

HOURS_PER_DAY = 24.0
ALWAYS_OPEN = P["always_open"]
DAILY_OPEN_HOURS = P["daily_open_hours"]
SAME_DAY_CUTOFF = P["same_day_cutoff"]
OVERFLOW = C["calendar_overflow"]
NEVER = 1.0e18  # what the compiled loop uses for an answer past the calendar's horizon
LONGEST_DEADLINE_WORKING_DAYS = 1000  # about four years: the longest deadline a config may set


# -- on the calendar's arrays (day-level Python calls these too) ----------------------------
@njit(cache=True)
def span_finish(always_open, starts, ends, start, hours):
    """When ``hours`` of work begun at ``start`` end, pausing while closed."""
    if always_open:
        return start + hours
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
    return np.nan


@njit(cache=True)
def span_finish_extended(always_open, starts, ends, working, opening, start, hours, extra):
    """``span_finish`` on a day whose last open period runs ``extra`` hours longer."""
    day = int(start // HOURS_PER_DAY)
    if extra <= 0.0 or always_open or day >= len(working) or not working[day]:
        return span_finish(always_open, starts, ends, start, hours)
    current, remaining = start, hours
    base = day * HOURS_PER_DAY
    n = opening.shape[0]
    for k in range(n):
        a = base + opening[k, 0]
        b = base + opening[k, 1]
        if k == n - 1:
            b = min(b + extra, base + HOURS_PER_DAY)
        if b <= current:
            continue
        current = max(current, a)
        if remaining <= b - current:
            return current + remaining
        remaining -= b - current
        current = b
    return span_finish(always_open, starts, ends, base + HOURS_PER_DAY, remaining)


@njit(cache=True)
def span_next_open(always_open, starts, ends, t):
    """The first instant at or after ``t`` when offices are open."""
    if always_open:
        return t
    i = np.searchsorted(ends, t, side="right")
    if i >= len(starts):
        return np.nan
    return max(t, starts[i])


@njit(cache=True)
def span_hours_between(always_open, starts, ends, working, start, end):
    """Ordinary open hours in [start, end)."""
    if end <= start:
        return 0.0
    if always_open:
        return end - start
    if end > len(working) * HOURS_PER_DAY:
        return np.nan
    i = np.searchsorted(ends, start, side="right")
    total = 0.0
    while i < len(starts) and starts[i] < end:
        total += min(end, ends[i]) - max(start, starts[i])
        i += 1
    return total


@njit(cache=True)
def span_hours_before(working, before, opening, daily_open_hours, t):
    """Open hours from hour 0 to ``t``."""
    day = int(t // HOURS_PER_DAY)
    if day >= len(working):
        return np.nan
    hours = before[day] * daily_open_hours
    if working[day]:
        into_day = t - day * HOURS_PER_DAY
        for k in range(opening.shape[0]):
            a, b = opening[k, 0], opening[k, 1]
            if into_day > a:
                hours += min(into_day, b) - a
    return hours


@njit(cache=True)
def span_working_days_between(always_open, working, before, opening, daily, start, end):
    """Working days from ``start`` to ``end`` (open hours / hours of a working day)."""
    if end <= start:
        return 0.0
    if always_open:
        return (end - start) / HOURS_PER_DAY
    later = span_hours_before(working, before, opening, daily, end)
    return (later - span_hours_before(working, before, opening, daily, start)) / daily


@njit(cache=True)
def span_deadline(always_open, working, before, opening, submitted, working_days, cutoff):
    """Close of business on the N-th working day after the day of receipt (a dossier
    received on a closed day or after closing counts from the next working day;
    ``working_days=0`` is the day of receipt, "on the spot", and then one received at
    or after the hour ``cutoff`` (when > 0) is due the next working day)."""
    if always_open:
        return submitted + working_days * HOURS_PER_DAY
    closing = opening[opening.shape[0] - 1, 1]
    if working_days == 0.0 and cutoff > 0.0:
        closing_for_receipt = min(closing, cutoff)
    else:
        closing_for_receipt = closing
    n = len(working)
    day = int(submitted // HOURS_PER_DAY)
    if submitted >= day * HOURS_PER_DAY + closing_for_receipt:
        day += 1
    while day < n and not working[day]:
        day += 1
    if day >= n:
        return np.nan
    target = before[day] + int(np.round(working_days))
    day = max(day, np.searchsorted(before, target, side="left"))
    while day < n and not working[day]:
        day += 1
    if day >= n:
        return np.nan
    return day * HOURS_PER_DAY + closing


# -- inside the compiled loop: the state's calendar, overflow counted ----------------------
@njit(cache=True)
def _checked(s, value):
    if np.isnan(value):
        s.counters[OVERFLOW] += 1
        return NEVER
    return value


@njit(cache=True)
def base_finish_time(s, start, hours):
    """When ``hours`` of work begun at ``start`` end, pausing while closed."""
    return _checked(s, span_finish(s.params[ALWAYS_OPEN], s.cal_starts, s.cal_ends, start, hours))


@njit(cache=True)
def office_finish_time(s, start, hours, office, stays):
    """``base_finish_time`` with the office's overtime today, for a clerk who ``stays``."""
    day = int(start // HOURS_PER_DAY)
    extra = s.o_extra_hours[office] if s.o_extra_day[office] == day and stays else 0.0
    value = span_finish_extended(
        s.params[ALWAYS_OPEN], s.cal_starts, s.cal_ends, s.cal_working, s.cal_opening,
        start, hours, extra,
    )  # fmt: skip
    return _checked(s, value)


@njit(cache=True)
def finish_time(s, start, hours, office, clerk):
    """``office_finish_time`` for ``clerk``: overtime only when the clerk stays for it."""
    stays = s.o_all_stay[office] or s.c_overtime[clerk]
    return office_finish_time(s, start, hours, office, stays)


@njit(cache=True)
def next_open(s, t):
    """The first instant at or after ``t`` when offices are open."""
    return _checked(s, span_next_open(s.params[ALWAYS_OPEN], s.cal_starts, s.cal_ends, t))


@njit(cache=True)
def working_hours_between(s, start, end):
    """Ordinary open hours in [start, end)."""
    value = span_hours_between(
        s.params[ALWAYS_OPEN], s.cal_starts, s.cal_ends, s.cal_working, start, end
    )
    return _checked(s, value)


@njit(cache=True)
def working_days_between(s, start, end):
    """Working days from ``start`` to ``end`` (open hours / hours of a working day)."""
    value = span_working_days_between(
        s.params[ALWAYS_OPEN], s.cal_working, s.cal_before, s.cal_opening,
        s.params[DAILY_OPEN_HOURS], start, end,
    )  # fmt: skip
    return _checked(s, value)


@njit(cache=True)
def deadline(s, submitted, working_days):
    """Close of business on the N-th working day after the day of receipt."""
    value = span_deadline(
        s.params[ALWAYS_OPEN], s.cal_working, s.cal_before, s.cal_opening, submitted,
        working_days, s.params[SAME_DAY_CUTOFF],
    )  # fmt: skip
    return _checked(s, value)


@njit(cache=True)
def procedure_deadline(s, row, now):
    """A dossier's deadline counted from ``now`` by its procedure's rule."""
    hours = s.d_deadline_hours[row]
    if hours >= 0.0:
        return now + hours
    return deadline(s, now, s.d_deadline_days[row])


@njit(cache=True)
def after_working_days(s, now, working_days):
    """The instant ``working_days`` of open hours after ``now`` (a wait's end)."""
    if s.params[ALWAYS_OPEN]:
        return now + working_days * HOURS_PER_DAY
    return base_finish_time(s, now, working_days * s.params[DAILY_OPEN_HOURS])


@njit(cache=True)
def extend_deadline(s, row, working_days):
    """A wait that stops the statutory clock moves the deadline on by its working days."""
    s.d_deadline[row] = after_working_days(s, s.d_deadline[row], working_days)
