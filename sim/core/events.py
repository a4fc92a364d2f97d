"""Pending events: a binary heap on (time, sequence) kept in the state's ``e_*`` arrays.

The sequence number breaks ties in scheduling order, so runs are reproducible. Python
schedules the day-level events (openings, a clerk's return from its duties) with
``push``; the compiled loop pops and runs them with its own.
"""

from __future__ import annotations

from numba import njit

from sim.core.state import C

HEAP = C["heap"]
SEQUENCE = C["sequence"]

# what an event does (e_kind); its argument (e_arg) is a dossier row, a clerk or an office
EV_RECEIVE = 0  # a dossier reaches its PASC (or a visitor who balked comes back)
EV_CARRY = 1  # a dossier open before the run joins its back office (warm start)
EV_FINISH = 2  # a clerk finishes the job in hand
EV_OPEN = 3  # an office opens
EV_CLOSE = 4  # an office closes
EV_HANDED_OVER = 5  # a dossier reaches the back office (courier, sync retry)
EV_PROVINCE = 6  # a dossier reaches a provincial office (its workflow's next step)
EV_RESUBMIT = 7  # a dossier comes back from its applicant with the supplement
EV_OVERDUE_CHECK = 8  # the applicant checks at the deadline whether the result came
EV_ON_DUTY = 9  # a clerk back from its duties or a day off, if still rostered
EV_DUTY_DONE = 10  # a clerk has done its competing duties: on duty unless without a seat
EV_SEND_HOME = 11  # ordinary closing of an office on overtime: the others go home
EV_BACK_FROM_HOME = 12  # after the overtime: those sent home are on duty again
EV_WAITED = 13  # a wait of its workflow is over: the dossier goes on to its next step
EVENT_NAMES = (
    "receive", "carry", "finish", "open", "close", "handed_over", "province", "resubmit",
    "overdue_check", "on_duty", "duty_done", "send_home", "back_from_home", "waited",
)  # fmt: skip


@njit(cache=True)
def _before(s, i, j):
    ti, tj = s.e_time[i], s.e_time[j]
    return ti < tj or (ti == tj and s.e_seq[i] < s.e_seq[j])


@njit(cache=True)
def _swap(s, i, j):
    s.e_time[i], s.e_time[j] = s.e_time[j], s.e_time[i]
    s.e_seq[i], s.e_seq[j] = s.e_seq[j], s.e_seq[i]
    s.e_kind[i], s.e_kind[j] = s.e_kind[j], s.e_kind[i]
    s.e_arg[i], s.e_arg[j] = s.e_arg[j], s.e_arg[i]


@njit(cache=True)
def push(s, time, kind, arg):
    """Schedule event ``kind`` about ``arg`` at ``time``; False when the heap is full
    (the caller makes room: Python grows the arrays before each day)."""
    n = s.counters[HEAP]
    if n >= len(s.e_time):
        return False
    s.counters[SEQUENCE] += 1
    s.e_time[n] = time
    s.e_seq[n] = s.counters[SEQUENCE]
    s.e_kind[n] = kind
    s.e_arg[n] = arg
    s.counters[HEAP] = n + 1
    while n > 0:  # sift up
        parent = (n - 1) // 2
        if not _before(s, n, parent):
            break
        _swap(s, n, parent)
        n = parent
    return True


@njit(cache=True)
def next_time(s):
    """Time of the earliest pending event (infinity when none)."""
    if s.counters[HEAP] == 0:
        return 1e300
    return s.e_time[0]


@njit(cache=True)
def pop(s):
    """Remove the earliest event; return its (kind, argument)."""
    kind, arg = s.e_kind[0], s.e_arg[0]
    n = s.counters[HEAP] - 1
    s.counters[HEAP] = n
    if n > 0:
        _swap(s, 0, n)
        i = 0
        while True:  # sift down
            left = 2 * i + 1
            if left >= n:
                break
            child = left
            if left + 1 < n and _before(s, left + 1, left):
                child = left + 1
            if not _before(s, child, i):
                break
            _swap(s, i, child)
            i = child
    return kind, arg
