"""The event engine: ordering of events, shared instants and the day's arrivals."""

from __future__ import annotations

from sim.core.engine import EventEngine


def _recorder(log: list, engine: EventEngine):
    def record(label):
        log.append((engine.now, label))

    return record


def test_events_at_one_instant_run_in_scheduling_order():
    engine = EventEngine()
    log: list = []
    record = _recorder(log, engine)
    engine.schedule(2.0, record, "plain-a")
    engine.schedule_at_instant(2.0, record, "shared-1")
    engine.schedule(2.0, record, "plain-b")
    engine.schedule_at_instant(2.0, record, "shared-2")
    engine.schedule_at_instant(1.0, record, "early")
    engine.run_until(3.0)
    # the shared instant holds its place from its first event; its events keep their order
    assert [label for _, label in log] == ["early", "plain-a", "shared-1", "shared-2", "plain-b"]
    assert [t for t, _ in log] == [1.0, 2.0, 2.0, 2.0, 2.0]
    assert engine.pending() == 0


def test_pending_counts_every_event_of_a_shared_instant():
    engine = EventEngine()
    for label in range(5):
        engine.schedule_at_instant(4.0, print, label)
    engine.schedule(5.0, print, "x")
    assert engine.pending() == 6
    assert sorted(map(str, engine.pending_arguments())) == ["0", "1", "2", "3", "4", "x"]


def test_an_event_added_to_the_instant_being_run_still_runs():
    engine = EventEngine()
    log: list = []
    record = _recorder(log, engine)

    def chain(label):
        record(label)
        if label == "first":
            engine.schedule_at_instant(engine.now, record, "added while running")

    engine.schedule_at_instant(1.0, chain, "first")
    engine.schedule_at_instant(1.0, chain, "second")
    engine.run_until(2.0)
    assert [label for _, label in log] == ["first", "second", "added while running"]


def test_arrivals_merge_with_scheduled_events_and_late_ones_carry_over():
    engine = EventEngine()
    log: list = []
    record = _recorder(log, engine)
    engine.schedule(1.0, record, "finish at 1")
    arrivals = [(0.5, record, "arrive 0.5"), (1.0, record, "arrive 1"), (2.5, record, "late")]
    engine.run_until(2.0, arrivals)
    # a scheduled event at the same instant as an arrival goes first
    assert [label for _, label in log] == ["arrive 0.5", "finish at 1", "arrive 1"]
    assert engine.pending() == 1
    engine.run_until(3.0)
    assert log[-1] == (2.5, "late")


def test_a_run_leaves_the_garbage_collector_as_it_found_it():
    import gc

    from sim.core.engine import long_lived_objects_frozen

    before = gc.get_threshold()
    with long_lived_objects_frozen():
        assert gc.get_freeze_count() > 0
        assert gc.get_threshold()[0] >= before[0]
        with long_lived_objects_frozen():  # nested: the outer block keeps control
            pass
        assert gc.get_freeze_count() > 0
    assert gc.get_freeze_count() == 0
    assert gc.get_threshold() == before
