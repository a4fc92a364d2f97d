"""The compiled event loop that runs service inside a day, in continuous time.

``run_until`` merges the day's arrivals (sorted by time) with the pending events and
hands each to the function of its kind (``EV_*``, sim/core/events.py). Events at the
same instant as an arrival go first (a clerk who finishes at time t is free for a
dossier arriving at t). Everything it touches is in the state's arrays
(sim/core/state.py); the random numbers it needs were drawn before (a row of uniforms
per dossier) or are keyed uniforms, so it draws from no stream. Compiled once per
machine (``cache=True``), without ``fastmath`` or ``parallel``: results do not depend
on the machine's floating-point shortcuts or thread count.
"""

from __future__ import annotations

from numba import njit

from sim.core import events, routing, service
from sim.core.events import (
    EV_BACK_FROM_HOME,
    EV_CARRY,
    EV_CLOSE,
    EV_DUTY_DONE,
    EV_FINISH,
    EV_HANDED_OVER,
    EV_ON_DUTY,
    EV_OPEN,
    EV_OVERDUE_CHECK,
    EV_PROVINCE,
    EV_RECEIVE,
    EV_RESUBMIT,
    EV_SEND_HOME,
    EV_WAITED,
)
from sim.core.state import BACK_OFFICE, DESK

HEAP_FULL = -1


@njit(cache=True)
def finish_job(s, clerk, now):
    """A clerk finishes: the dossier moves on (routing by the kind of office), then the
    clerk takes the next one or leaves."""
    office = s.c_office[clerk]
    row = service.finish(s, clerk, now)
    kind = s.o_kind[office]
    if kind == BACK_OFFICE:
        routing.route(s, row, now)
    elif kind == DESK:
        routing.leave_desk(s, row, now)
    else:
        routing.next_step(s, row, now)
    service.after_finish(s, clerk, now)


@njit(cache=True)
def handle(s, kind, arg, now):
    """Run one event."""
    if kind == EV_FINISH:
        finish_job(s, arg, now)
    elif kind == EV_RECEIVE:
        routing.receive(s, arg, now)
    elif kind == EV_CARRY:
        routing.carry_over(s, arg, now)
    elif kind == EV_OPEN:
        service.open_office(s, arg, now)
    elif kind == EV_CLOSE:
        service.close_office(s, arg)
    elif kind == EV_HANDED_OVER:
        routing.handed_over(s, arg, now)
    elif kind == EV_PROVINCE:
        routing.province_receive(s, arg, now)
    elif kind == EV_WAITED:
        routing.waited(s, arg, now)
    elif kind == EV_RESUBMIT:
        routing.resubmit(s, arg, now)
    elif kind == EV_OVERDUE_CHECK:
        routing.overdue_check(s, arg, now)
    elif kind == EV_ON_DUTY:
        if s.c_rostered[arg]:
            service.set_on_duty(s, arg, True, now)
    elif kind == EV_DUTY_DONE:
        if s.c_rostered[arg] and not s.c_no_seat[arg]:
            service.set_on_duty(s, arg, True, now)
    elif kind == EV_SEND_HOME:
        service.send_home(s, arg, now)
    elif kind == EV_BACK_FROM_HOME:
        service.back_from_home(s, arg, now)


@njit(cache=True)
def run_until(s, end, arrival_time, arrival_kind, arrival_arg):
    """Process every event before ``end``; return the number processed, or -1 when the
    event heap ran out of room (the caller grows it; it is sized so this never happens).

    Arrivals at or after ``end`` are put on the heap for later.
    """
    n = len(arrival_time)
    i = 0
    processed = 0
    while True:
        next_event = events.next_time(s)
        next_arrival = arrival_time[i] if i < n else 1e300
        if next_event <= next_arrival:
            if next_event >= end:
                break
            now = next_event
            kind, arg = events.pop(s)
        elif next_arrival < end:
            now = next_arrival
            kind, arg = arrival_kind[i], arrival_arg[i]
            i += 1
        else:
            break
        s.clock[0] = now
        handle(s, kind, arg, now)
        processed += 1
        if s.counters[events.HEAP] >= len(s.e_time) - 1:
            return HEAP_FULL
    while i < n:
        if not events.push(s, arrival_time[i], arrival_kind[i], arrival_arg[i]):
            return HEAP_FULL
        i += 1
    if s.clock[0] < end:
        s.clock[0] = end
    return processed


# -- day-level actions Python takes between days (each a compiled call) ------------------
@njit(cache=True)
def set_on_duty(s, clerk, on_duty):
    service.set_on_duty(s, clerk, on_duty, s.clock[0])


@njit(cache=True)
def set_off_duty(s, clerks):
    for clerk in clerks:
        service.set_on_duty(s, clerk, False, s.clock[0])


@njit(cache=True)
def add_clerk(s, clerk, office):
    service.add_clerk(s, clerk, office, s.clock[0])


@njit(cache=True)
def remove_clerk(s, clerk):
    service.remove_clerk(s, clerk, s.clock[0])


@njit(cache=True)
def mark_presence(s, clerk):
    service.mark_presence(s, clerk, s.clock[0])


@njit(cache=True)
def reorder(s, office, edf):
    service.queues.reorder(s, office, edf, s.clock[0])


@njit(cache=True)
def schedule_many(s, times, kinds, args):
    """Push events in the order given; False if the heap ran out of room."""
    for i in range(len(times)):
        if not events.push(s, times[i], kinds[i], args[i]):
            return False
    return True
