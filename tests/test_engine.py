"""The event loop: the heap's order, shared instants and the day's arrivals.

The heap (sim/core/events.py) is tested on a bare state; the loop
(sim/core/kernel.py, through ``Engine.run_until``) on a minimal engine with one
commune's back office and one clerk, whose effects show the order events ran in.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from sim.core import events
from sim.core.arrays import Arrays
from sim.core.calendar import AlwaysOpenCalendar
from sim.core.dossier import IN_SERVICE, ONLINE, PENDING, QUEUED
from sim.core.engine import Engine
from sim.core.events import EV_CLOSE, EV_ON_DUTY, EV_OPEN, EV_RECEIVE

NO_ARRIVALS = (np.zeros(0), np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.int64))
OFFICE = 0  # commune 0's back office


def engine_with_a_clerk() -> tuple[Engine, int]:
    """One commune, its back office open around the clock, one clerk on its roster."""
    params = {
        "always_open": 1.0,
        "daily_open_hours": 24.0,
        "balk_limit": -1.0,
        "rework_fraction": 1.0,
    }
    engine = Engine(("land",), 1, 2, 1, AlwaysOpenCalendar(dt.date(2025, 7, 1)), params)
    engine.column("o_kind")[:] = (0, 2)
    engine.column("o_commune")[:] = (0, -1)
    engine.column("o_open")[:] = True
    clerk = engine.new_clerk()
    engine.column("c_skill")[clerk, 0] = 1.0
    engine.add_clerk(clerk, OFFICE)
    return engine, clerk


def new_dossiers(engine: Engine, n: int, work: float = 1.0) -> list[int]:
    rows = engine.new_dossiers(n)
    engine.column("d_work")[rows] = work
    engine.column("d_channel")[rows] = ONLINE
    engine.column("d_deadline_hours")[rows] = 100.0
    return rows.tolist()


def arrivals(times, rows):
    return (
        np.asarray(times, dtype=float),
        np.full(len(rows), EV_RECEIVE, dtype=np.int32),
        np.asarray(rows, dtype=np.int64),
    )


# -- the heap ---------------------------------------------------------------------------
def bare_state():
    """A state of the smallest size, and its counter of pending events."""
    arrays = Arrays(1, 1, 1, 1)
    return arrays.state, arrays.arrays["counters"][events.HEAP :]


def test_events_at_one_instant_run_in_scheduling_order():
    s, pending = bare_state()
    scheduled = [(2.0, "plain-a"), (2.0, "plain-b"), (1.0, "early"), (2.0, "plain-c"), (0.5, "x")]
    labels = [label for _, label in scheduled]
    for time, label in scheduled:
        assert events.push(s, time, 7, labels.index(label))
    assert events.next_time(s) == 0.5
    popped = [labels[events.pop(s)[1]] for _ in scheduled]
    assert popped == ["x", "early", "plain-a", "plain-b", "plain-c"]
    assert pending[0] == 0 and events.next_time(s) > 1e299


def test_the_heap_orders_any_mix_of_pushes_and_pops_by_time_then_scheduling():
    rng = np.random.default_rng(2)
    s, pending = bare_state()
    reference: list[tuple[float, int, int]] = []
    scheduled = 0
    for step in range(4000):
        if reference and rng.random() < 0.45:
            reference.sort()
            _, _, expected = reference.pop(0)
            kind, arg = events.pop(s)
            assert (kind, arg) == (expected % 13, expected), step
        else:
            time = float(rng.integers(30))  # few distinct times: ties everywhere
            scheduled += 1
            assert events.push(s, time, scheduled % 13, scheduled)
            reference.append((time, scheduled, scheduled))
        assert pending[0] == len(reference)


def test_a_full_heap_refuses_an_event():
    arrays = Arrays(1, 1, 1, 1)
    s, pending = arrays.state, arrays.arrays["counters"][events.HEAP :]
    size = len(arrays.arrays["e_time"])
    for i in range(size):
        assert events.push(s, float(size - i), 0, i)
    assert not events.push(s, 0.0, 0, -1)
    assert pending[0] == size and events.pop(s) == (0, size - 1)


# -- the loop -------------------------------------------------------------------------
def test_the_loop_runs_the_events_of_one_instant_in_scheduling_order():
    for first, second, open_after in ((EV_CLOSE, EV_OPEN, True), (EV_OPEN, EV_CLOSE, False)):
        engine, _ = engine_with_a_clerk()
        engine.schedule(2.0, first, OFFICE)
        engine.schedule(2.0, second, OFFICE)
        engine.run_until(3.0, *NO_ARRIVALS)
        assert bool(engine.column("o_open")[OFFICE]) is open_after


def test_pending_counts_the_events_not_yet_run():
    engine, clerk = engine_with_a_clerk()
    engine.remove_clerk(clerk)  # its returns to duty below change nothing
    for _ in range(5):
        engine.schedule(4.0, EV_ON_DUTY, clerk)
    engine.schedule(5.0, EV_ON_DUTY, clerk)
    assert engine.pending() == 6
    engine.run_until(4.5, *NO_ARRIVALS)
    assert engine.pending() == 1 and engine.events_processed == 5
    assert engine.now == 4.5
    engine.run_until(5.0, *NO_ARRIVALS)  # an event at ``end`` waits for the next call
    assert engine.pending() == 1
    engine.run_until(6.0, *NO_ARRIVALS)
    assert engine.pending() == 0 and engine.events_processed == 6


def test_an_event_added_to_the_instant_being_run_still_runs():
    engine, clerk = engine_with_a_clerk()
    engine.column("o_open")[OFFICE] = False
    rows = new_dossiers(engine, 3, work=0.0)  # each done the instant it is started
    engine.run_until(1.0, *arrivals([0.0, 0.0, 0.0], rows))
    assert engine.column("d_status")[rows].tolist() == [QUEUED] * 3
    engine.schedule(1.0, EV_OPEN, OFFICE)
    engine.run_until(2.0, *NO_ARRIVALS)
    # the opening starts the first; each finish, scheduled at 1.0 while 1.0 runs, runs
    # in the same call and starts the next
    assert engine.column("d_resolved")[rows].tolist() == [1.0, 1.0, 1.0]
    assert engine.events_processed == 3 + 1 + 3
    assert engine.pending() == 0 and engine.column("c_served")[clerk] == 3


def test_arrivals_merge_with_scheduled_events_and_late_ones_carry_over():
    engine, clerk = engine_with_a_clerk()
    early, same_instant, at_end, late = new_dossiers(engine, 4, work=0.25)
    engine.schedule(1.0, EV_CLOSE, OFFICE)
    engine.run_until(2.0, *arrivals([0.5, 1.0, 2.0, 2.5], [early, same_instant, at_end, late]))
    column = engine.column
    # the first is served at once (0.5 to 0.75)
    assert column("d_submitted")[early] == 0.5 and column("d_resolved")[early] == 0.75
    # the closing scheduled at 1.0 ran before the arrival at 1.0: it waits
    assert column("d_submitted")[same_instant] == 1.0
    assert column("d_status")[same_instant] == QUEUED
    assert column("d_first_service")[same_instant] == -1.0
    # arrivals at or after ``end`` are not received yet: they wait on the heap
    assert column("d_status")[[at_end, late]].tolist() == [PENDING, PENDING]
    assert engine.pending() == 2 and engine.now == 2.0
    engine.schedule(3.0, EV_OPEN, OFFICE)
    engine.run_until(4.0, *NO_ARRIVALS)
    # received at their own times, then served in order of arrival once open
    assert column("d_submitted")[[at_end, late]].tolist() == [2.0, 2.5]
    order = [same_instant, at_end, late]
    assert column("d_first_service")[order].tolist() == [3.0, 3.25, 3.5]
    assert column("d_resolved")[order].tolist() == [3.25, 3.5, 3.75]
    assert engine.pending() == 0 and column("c_current")[clerk] == -1


def test_an_event_and_an_arrival_at_one_instant_free_the_clerk_first():
    """A clerk who finishes at t is free for the dossier arriving at t (EDF here, so
    that being first in the queue or not shows in the order of service)."""
    engine, _ = engine_with_a_clerk()
    engine.column("o_edf")[OFFICE] = True
    busy, waiting, urgent = new_dossiers(engine, 3)
    engine.column("d_deadline_hours")[urgent] = 1.5  # due before the one waiting
    engine.run_until(2.0, *arrivals([0.0, 0.5, 1.0], [busy, waiting, urgent]))
    # at 1.0 the finish runs first: the clerk takes the one waiting before ``urgent``
    # has arrived to overtake it
    assert engine.column("d_first_service")[[waiting, urgent]].tolist() == [1.0, -1.0]
    assert engine.column("d_status")[urgent] == QUEUED
    assert engine.column("d_status")[waiting] == IN_SERVICE


def test_arrivals_carried_past_the_end_fit_on_the_heap_whatever_their_number():
    engine, _ = engine_with_a_clerk()
    n = 3 * len(engine.column("e_time"))
    rows = new_dossiers(engine, n, work=0.0)
    times = np.linspace(10.0, 20.0, n)
    engine.run_until(5.0, *arrivals(times, rows))
    assert engine.pending() == n
    engine.run_until(200.0, *NO_ARRIVALS)
    assert engine.pending() == 0
    assert (engine.column("d_submitted")[rows] == times).all()
    assert (engine.column("d_resolved")[rows] == times).all()
