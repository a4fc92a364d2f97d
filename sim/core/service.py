"""Offices and their clerks inside the compiled loop: who takes up which dossier, when.

An office (a commune's back office, its reception desk, a provincial department pool)
keeps a queue per field (sim/core/queues.py) and a list of idle clerks in the order
they fell idle. A dossier that arrives goes to the idle clerk most skilled in its field,
or queues; a clerk who is free takes the most urgent head among the fields it handles.
Clerks serve only while their office is open; work in progress pauses at closing
(sim/core/hours.py). A clerk's hours at work are counted whenever its presence changes
(``mark_presence``), so utilisation cannot exceed 1 whatever absences happen.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from sim.core import queues
from sim.core.dossier import IN_SERVICE, QUEUED
from sim.core.events import EV_FINISH, push
from sim.core.hours import finish_time, working_hours_between
from sim.core.state import DESK
from sim.core.tallies import on_first_service

NONE = -1


# -- the idle list -----------------------------------------------------------------------
@njit(cache=True)
def idle_append(s, office, clerk):
    if s.c_is_idle[clerk]:
        return
    s.c_is_idle[clerk] = True
    tail = s.o_idle_tail[office]
    s.c_idle_prev[clerk] = tail
    s.c_idle_next[clerk] = NONE
    if tail == NONE:
        s.o_idle_head[office] = clerk
    else:
        s.c_idle_next[tail] = clerk
    s.o_idle_tail[office] = clerk


@njit(cache=True)
def idle_remove(s, clerk):
    if not s.c_is_idle[clerk]:
        return
    office = s.c_office[clerk]
    prev, nxt = s.c_idle_prev[clerk], s.c_idle_next[clerk]
    if prev == NONE:
        s.o_idle_head[office] = nxt
    else:
        s.c_idle_next[prev] = nxt
    if nxt == NONE:
        s.o_idle_tail[office] = prev
    else:
        s.c_idle_prev[nxt] = prev
    s.c_is_idle[clerk] = False
    s.c_idle_prev[clerk] = NONE
    s.c_idle_next[clerk] = NONE


# -- presence and duty -----------------------------------------------------------------------
@njit(cache=True)
def mark_presence(s, clerk, now):
    """Count the open hours since the last change of presence, then note the new state."""
    since = s.c_present_since[clerk]
    if since >= 0.0 and s.c_office[clerk] != NONE:
        s.c_available[clerk] += working_hours_between(s, since, now)
    present = s.c_current[clerk] != NONE or (s.c_on_duty[clerk] and s.c_rostered[clerk])
    s.c_present_since[clerk] = now if present else -1.0


@njit(cache=True)
def set_on_duty(s, clerk, on_duty, now):
    """Start or stop a clerk's availability for new work (absence, training, duties)."""
    if s.c_on_duty[clerk] == on_duty:
        return
    s.c_on_duty[clerk] = on_duty
    if s.c_rostered[clerk]:
        s.o_on_duty[s.c_office[clerk]] += 1 if on_duty else -1
    mark_presence(s, clerk, now)
    if on_duty:
        if s.c_current[clerk] == NONE and s.c_rostered[clerk]:
            pull(s, clerk, now)
    else:
        idle_remove(s, clerk)


@njit(cache=True)
def add_clerk(s, clerk, office, now):
    """Put a clerk on ``office``'s roster; if on duty it looks for work at once."""
    idle_remove(s, clerk)
    s.c_office[clerk] = office
    s.c_leaving[clerk] = False  # back on a roster before its job ended: it stays
    s.c_next_office[clerk] = NONE
    s.c_rostered[clerk] = True
    if s.c_on_duty[clerk]:
        s.o_on_duty[office] += 1
    mark_presence(s, clerk, now)
    if s.c_on_duty[clerk] and s.c_current[clerk] == NONE:
        pull(s, clerk, now)


@njit(cache=True)
def remove_clerk(s, clerk, now):
    """Take a clerk off its office's roster (it finishes the job in hand first)."""
    idle_remove(s, clerk)
    if s.c_rostered[clerk] and s.c_on_duty[clerk]:
        s.o_on_duty[s.c_office[clerk]] -= 1
    s.c_leaving[clerk] = s.c_current[clerk] != NONE
    s.c_rostered[clerk] = False
    mark_presence(s, clerk, now)


# -- opening hours -----------------------------------------------------------------------
@njit(cache=True)
def open_office(s, office, now):
    """The office opens: idle clerks look for work, in the order they fell idle."""
    s.o_open[office] = True
    if s.o_queued[office].sum() == 0:
        return
    waiting = []
    clerk = s.o_idle_head[office]
    while clerk != NONE:
        waiting.append(clerk)
        clerk = s.c_idle_next[clerk]
    for clerk in waiting:
        idle_remove(s, clerk)
    for clerk in waiting:
        pull(s, clerk, now)


@njit(cache=True)
def close_office(s, office):
    s.o_open[office] = False


@njit(cache=True)
def send_home(s, office, now):
    """At the ordinary closing of an office on overtime, those not staying go home."""
    for clerk in range(len(s.c_office)):
        if s.c_office[clerk] != office or not s.c_rostered[clerk]:
            continue
        if s.c_on_duty[clerk] and not s.c_overtime[clerk]:
            set_on_duty(s, clerk, False, now)
            s.c_gone_home[clerk] = True


@njit(cache=True)
def back_from_home(s, office, now):
    for clerk in range(len(s.c_office)):
        if s.c_gone_home[clerk] and s.c_office[clerk] == office:
            s.c_gone_home[clerk] = False
            if s.c_rostered[clerk]:
                set_on_duty(s, clerk, True, now)


# -- the flow of dossiers ---------------------------------------------------------------
@njit(cache=True)
def queue_of(s, office, row):
    """The queue a dossier joins at ``office``: its field's, or the desk's single one."""
    return desk_queue(s) if s.o_kind[office] == DESK else s.d_field[row]


@njit(cache=True)
def desk_queue(s):
    """The queue column of a reception desk: the one after the scenario's fields."""
    return s.c_skill.shape[1] - 1


@njit(cache=True)
def arrive(s, office, row, now):
    """A dossier reaches ``office``: the best idle clerk starts it, or it queues."""
    s.d_status[row] = QUEUED
    if s.d_office[row] != office:  # its wait here starts on its first arrival
        s.d_office[row] = office
        s.d_entered[row] = now
        s.d_waiting_first[row] = True
    field = queue_of(s, office, row)
    if s.o_open[office] and s.o_idle_head[office] != NONE:
        clerk = best_idle_for(s, office, field)
        if clerk != NONE:
            idle_remove(s, clerk)
            start(s, clerk, row, now)
            return
    queues.push(s, office, field, row, now)


@njit(cache=True)
def best_idle_for(s, office, field):
    """The idle clerk most skilled in ``field`` (the first of equals; -1 when none)."""
    best = NONE
    best_skill = 0.0
    clerk = s.o_idle_head[office]
    while clerk != NONE:
        skill = s.c_skill[clerk, field]
        if skill > best_skill:
            best, best_skill = clerk, skill
        clerk = s.c_idle_next[clerk]
    return best


@njit(cache=True)
def pull(s, clerk, now):
    """A free clerk takes the most urgent waiting dossier it can handle, or idles."""
    office = s.c_office[clerk]
    if not (s.o_open[office] and s.c_on_duty[clerk]):
        if s.c_on_duty[clerk]:
            idle_append(s, office, clerk)
        return
    best_field = NONE
    best_key = np.inf
    for field in range(s.c_skill.shape[1]):
        if s.c_skill[clerk, field] > 0.0 and s.o_queued[office, field] > 0:
            key = queues.head_key(s, office, field)
            if key < best_key:
                best_field, best_key = field, key
    if best_field == NONE:
        idle_append(s, office, clerk)
    else:
        start(s, clerk, queues.pop(s, office, best_field), now)


@njit(cache=True)
def service_hours(s, clerk, row):
    """Working hours the clerk needs for the dossier's current stage (and count them)."""
    fixed = s.c_fixed_hours[clerk]
    if fixed > 0.0:  # a reception counter: the same time for every file
        field = desk_queue(s)
        hours = fixed / s.c_speed[clerk]
    else:
        field = s.d_field[row]
        skill = s.c_skill[clerk, field]
        s.d_served_skill[row] = skill
        hours = s.d_work[row] / (skill * s.c_speed[clerk])
        last = s.c_last_field[clerk]
        if last != NONE and last != field:
            hours += s.c_switch_hours[clerk]
        s.c_last_field[clerk] = field
    s.c_busy[clerk] += hours
    s.c_busy_field[clerk, field] += hours
    s.c_job_field[clerk] = field
    s.c_served[clerk] += 1
    return hours


@njit(cache=True)
def start(s, clerk, row, now):
    office = s.c_office[clerk]
    if s.d_waiting_first[row]:
        s.d_waiting_first[row] = False
        if s.d_first_service[row] < 0.0:
            s.d_first_service[row] = now
        on_first_service(s, row, s.o_kind[office], now - s.d_entered[row])
    s.d_status[row] = IN_SERVICE
    hours = service_hours(s, clerk, row)
    s.c_current[clerk] = row
    s.o_busy[office] += 1
    s.c_job_end[clerk] = finish_time(s, now, hours, office, clerk)
    push(s, s.c_job_end[clerk], EV_FINISH, clerk)


@njit(cache=True)
def finish(s, clerk, now):
    """The clerk is done with the dossier in hand; return its row."""
    row = s.c_current[clerk]
    s.c_current[clerk] = NONE
    s.o_busy[s.c_office[clerk]] -= 1
    if not (s.c_on_duty[clerk] and s.c_rostered[clerk]):  # finished while off duty
        mark_presence(s, clerk, now)
    return row


@njit(cache=True)
def after_finish(s, clerk, now):
    """A clerk leaving joins its next office (if any); others look for more work."""
    if s.c_leaving[clerk]:
        s.c_leaving[clerk] = False
        office = s.c_next_office[clerk]
        if office != NONE:
            s.c_next_office[clerk] = NONE
            add_clerk(s, clerk, office, now)
    else:
        pull(s, clerk, now)
