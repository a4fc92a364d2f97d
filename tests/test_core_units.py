"""Unit tests of the compiled service kernel's parts: queue disciplines, offices and
their clerks, working hours, the sojourn histogram's quantiles and the vectorised
work-content tables.

The office tests build a minimal engine by hand: offices of the provincial kind (a
dossier a clerk has finished is resolved at once, with no routing), clerks with fixed
skills, dossiers written straight into the engine's arrays, and the compiled
``service.arrive`` and ``kernel.run_until`` doing the rest.
"""

from __future__ import annotations

import datetime as dt
import heapq
from types import SimpleNamespace

import numpy as np
import pytest

from sim.core import hours, queues, service, state, tallies
from sim.core.arrays import Arrays
from sim.core.calendar import AlwaysOpenCalendar, make_calendar
from sim.core.dossier import IN_SERVICE, ONLINE, QUEUED, RESOLVED
from sim.core.engine import Engine
from sim.core.metrics import HIST_BINS, HIST_MIN_HOURS, HIST_RATIO, Tally
from sim.core.office import PROVINCE, Office
from sim.core.state import DAY, S, T
from sim.core.tallies import hist_bin
from sim.spec.procedures import WorkDistribution, WorkTable
from tests.calendar_reference import ReferenceCalendar

FIELDS = ("land", "civil_status")
LAND, CIVIL_STATUS = 0, 1
NO_ARRIVALS = (np.zeros(0), np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.int64))


# -- a minimal engine -------------------------------------------------------------------
def bench(discipline: str = "fifo", calendar=None, n_offices: int = 1):
    """An engine with ``n_offices`` provincial offices (a finished job is resolved)."""
    calendar = calendar or AlwaysOpenCalendar(dt.date(2025, 7, 1))
    params = {
        "always_open": float(calendar.always_open),
        "daily_open_hours": 24.0 if calendar.always_open else calendar.open_hours_of_a_day,
        "balk_limit": -1.0,
        "rework_fraction": 1.0,
    }
    engine = Engine(FIELDS, 1, n_offices, len(FIELDS), calendar, params)
    offices = [
        Office(f"office {i}", i, PROVINCE, calendar, engine, discipline) for i in range(n_offices)
    ]
    return engine, offices


def clerk(engine: Engine, **skills: float) -> SimpleNamespace:
    """A member of staff with fixed proficiencies (service hours = work / proficiency)."""
    handle = SimpleNamespace(index=engine.new_clerk(), on_duty=True, office=None)
    for field, skill in skills.items():
        engine.column("c_skill")[handle.index, engine.field_index[field]] = skill
    return handle


def dossier(engine: Engine, field: int = LAND, work: float = 1.0, deadline: float = 100.0) -> int:
    """The row of a new dossier (online: no trips to count), counted in the figures."""
    row = int(engine.new_dossiers(1)[0])
    column = engine.column
    column("d_field")[row] = field
    column("d_row")[row] = field  # commune 0's tally row of that field
    column("d_work")[row] = work
    column("d_deadline")[row] = deadline
    column("d_channel")[row] = ONLINE
    column("d_counted")[row] = True
    return row


def arrive(engine: Engine, office: Office, row: int) -> None:
    service.arrive(engine.s, office.index, row, engine.now)


def run(engine: Engine, end: float) -> None:
    engine.run_until(end, *NO_ARRIVALS)


def resolved_at(engine: Engine, rows) -> list[float]:
    return engine.column("d_resolved")[list(rows)].tolist()


# -- queue disciplines ------------------------------------------------------------------
def queue_state(edf: bool) -> Arrays:
    """One office with one field's queue, on a bare state."""
    arrays = Arrays(1, 1, 1, 1)
    arrays.arrays["o_edf"][0] = edf
    return arrays


def pop_all(arrays: Arrays, office: int = 0, field: int = 0) -> list[int]:
    return [
        int(queues.pop(arrays.state, office, field))
        for _ in range(arrays.arrays["o_queued"][office, field])
    ]


def test_fifo_serves_in_arrival_order_whatever_the_deadlines():
    arrays = queue_state(edf=False)
    for now, (row, deadline) in enumerate(((5, 50.0), (2, 10.0), (7, 30.0)), start=1):
        arrays.arrays["d_deadline"][row] = deadline
        queues.push(arrays.state, 0, 0, row, float(now))
    assert queues.head_key(arrays.state, 0, 0) == 1.0  # the arrival time of the head
    assert sorted(queues.members(arrays.state, 0, 0).tolist()) == [2, 5, 7]
    assert pop_all(arrays) == [5, 2, 7]
    assert queues.head_key(arrays.state, 0, 0) == np.inf
    assert arrays.arrays["o_queued"][0, 0] == 0 and arrays.arrays["o_root"][0, 0] == -1


def test_edf_serves_the_earliest_deadline_first_and_ties_by_arrival():
    arrays = queue_state(edf=True)
    for row, deadline in ((1, 50.0), (2, 10.0), (3, 30.0), (4, 10.0)):
        arrays.arrays["d_deadline"][row] = deadline
        queues.push(arrays.state, 0, 0, row, 0.0)
    assert queues.head_key(arrays.state, 0, 0) == 10.0
    assert sorted(queues.members(arrays.state, 0, 0).tolist()) == [1, 2, 3, 4]
    assert pop_all(arrays) == [2, 4, 3, 1]


def test_queues_keep_their_order_through_any_mix_of_joins_and_pops():
    """The leftist heaps against a reference heap on (key, order of joining): many
    ties, pops between joins, two fields' queues side by side."""
    rng = np.random.default_rng(11)
    arrays = Arrays(2, 1, 1, 1)
    arrays.grow("dossier", 2000)
    arrays.arrays["o_edf"][0] = True
    reference: list[list] = [[], []]
    joined = 0
    free = list(range(2000))
    for step in range(3000):
        field = int(rng.integers(2))
        if reference[field] and rng.random() < 0.45:
            _, _, expected = heapq.heappop(reference[field])
            assert queues.pop(arrays.state, 0, field) == expected, step
            free.append(expected)
        else:
            row = free.pop(int(rng.integers(len(free))))
            deadline = float(rng.integers(20))  # few distinct keys: ties everywhere
            arrays.arrays["d_deadline"][row] = deadline
            queues.push(arrays.state, 0, field, row, 0.0)
            joined += 1
            heapq.heappush(reference[field], (deadline, joined, row))
        for f in (0, 1):
            assert arrays.arrays["o_queued"][0, f] == len(reference[f])
            head = reference[f][0][0] if reference[f] else np.inf
            assert queues.head_key(arrays.state, 0, f) == head
    assert sorted(queues.members(arrays.state, 0, 1).tolist()) == sorted(
        r for *_, r in reference[1]
    )
    for f in (0, 1):
        assert pop_all(arrays, field=f) == [r for *_, r in sorted(reference[f])]


def test_a_change_of_discipline_reorders_the_waiting_dossiers():
    arrays = queue_state(edf=False)
    for row, deadline in ((1, 30.0), (2, 10.0), (3, 20.0)):
        arrays.arrays["d_deadline"][row] = deadline
        queues.push(arrays.state, 0, 0, row, float(row))
    queues.reorder(arrays.state, 0, True, 5.0)  # to EDF
    assert arrays.arrays["o_edf"][0]
    assert queues.head_key(arrays.state, 0, 0) == 10.0
    queues.push(arrays.state, 0, 0, 4, 5.0)  # deadline 0: first now
    assert pop_all(arrays) == [4, 2, 3, 1]
    # back to FIFO: the waiting dossiers keep the order they were in, keyed by now
    for row, deadline in ((1, 30.0), (2, 10.0), (3, 20.0)):
        arrays.arrays["d_deadline"][row] = deadline
    arrays.arrays["o_edf"][0] = True
    for row in (1, 2, 3):
        queues.push(arrays.state, 0, 0, row, 0.0)
    queues.reorder(arrays.state, 0, False, 7.0)
    assert not arrays.arrays["o_edf"][0]
    assert queues.head_key(arrays.state, 0, 0) == 7.0
    assert pop_all(arrays) == [2, 3, 1]


# -- offices ------------------------------------------------------------------------------
def test_an_office_serves_in_parallel_then_queues():
    engine, (office,) = bench()
    slow, fast = clerk(engine, land=0.5), clerk(engine, land=1.0)
    office.add_clerk(slow)  # the slower clerk fell idle first
    office.add_clerk(fast)
    rows = [dossier(engine, work=1.0) for _ in range(3)]
    for row in rows:
        arrive(engine, office, row)
    assert engine.column("d_status")[rows].tolist() == [IN_SERVICE, IN_SERVICE, QUEUED]
    assert office.queued() == 1 and office.in_service() == 2
    current = engine.column("c_current")
    assert current[fast.index] == rows[0]  # the first arrival went to the faster clerk
    assert current[slow.index] == rows[1]
    run(engine, 10.0)
    # the fast clerk finishes at 1 and takes the queued one (done at 2); the slow needs 2
    assert resolved_at(engine, rows) == [1.0, 2.0, 2.0]
    assert engine.column("d_first_service")[rows].tolist() == [0.0, 0.0, 1.0]
    assert engine.column("c_served")[[fast.index, slow.index]].tolist() == [2, 1]
    assert engine.column("c_busy")[[fast.index, slow.index]].tolist() == [2.0, 2.0]
    assert office.queued() == 0 and office.in_service() == 0
    assert not engine.column("d_live")[rows].any()
    assert (engine.column("d_status")[rows] == RESOLVED).all()
    # the figures: three resolved, one waited an hour at the (provincial) office
    counts, sums = engine.column("t_count")[LAND], engine.column("t_sum")[LAND]
    assert counts[T["resolved_counted"]] == 3 and counts[T["province_wait_n"]] == 3
    assert sums[S["province_wait_sum"]] == 1.0
    assert sums[S["sojourn_sum"]] == 5.0  # submitted at hour 0
    assert engine.column("today")[DAY["province_started"]] == 3
    # both idle again, in the order they fell idle: at hour 2 the slow clerk's finish
    # runs first (it was scheduled first)
    assert engine.column("o_idle_head")[office.index] == slow.index
    assert engine.column("o_idle_tail")[office.index] == fast.index


def test_a_clerk_takes_only_fields_it_is_skilled_in():
    engine, (office,) = bench()
    office.add_clerk(clerk(engine, civil_status=1.0))
    land = dossier(engine, field=LAND)
    civil = dossier(engine, field=CIVIL_STATUS)
    arrive(engine, office, land)
    arrive(engine, office, civil)
    run(engine, 10.0)
    assert resolved_at(engine, [land, civil]) == [-1.0, 1.0]
    assert office.queue_lengths() == {"land": 1, "civil_status": 0}
    assert engine.column("d_status")[land] == QUEUED


def test_a_free_clerk_takes_the_most_urgent_head_among_its_fields():
    engine, (office,) = bench("edf")
    worker = clerk(engine, land=1.0, civil_status=1.0)
    office.add_clerk(worker)
    office.set_on_duty(worker, False)
    land = dossier(engine, field=LAND, deadline=50.0)
    civil = dossier(engine, field=CIVIL_STATUS, deadline=20.0)
    arrive(engine, office, land)
    arrive(engine, office, civil)
    office.set_on_duty(worker, True)
    run(engine, 10.0)
    assert resolved_at(engine, [civil, land]) == [1.0, 2.0]


@pytest.mark.parametrize(("discipline", "order"), [("fifo", [0, 1, 2]), ("edf", [0, 2, 1])])
def test_the_office_discipline_decides_who_is_next(discipline, order):
    engine, (office,) = bench(discipline)
    office.add_clerk(clerk(engine, land=1.0))
    rows = []
    for deadline in (5.0, 50.0, 20.0):
        run(engine, engine.now + 0.25)  # each arrives a little later
        rows.append(dossier(engine, deadline=deadline))
        arrive(engine, office, rows[-1])
    run(engine, 10.0)
    finished = resolved_at(engine, rows)
    assert sorted(range(3), key=finished.__getitem__) == order


def test_a_change_of_discipline_applies_to_those_already_waiting():
    engine, (office,) = bench("fifo")
    office.add_clerk(clerk(engine, land=1.0))
    rows = [dossier(engine, deadline=deadline) for deadline in (5.0, 50.0, 20.0)]
    for row in rows:
        arrive(engine, office, row)
    office.set_discipline("edf")
    run(engine, 10.0)
    assert resolved_at(engine, rows) == [1.0, 3.0, 2.0]


def test_off_duty_clerks_take_no_work_and_a_leaver_finishes_the_job_in_hand():
    engine, (office,) = bench()
    worker = clerk(engine, land=1.0)
    office.add_clerk(worker)
    office.set_on_duty(worker, False)
    first = dossier(engine)
    arrive(engine, office, first)
    run(engine, 5.0)
    assert resolved_at(engine, [first]) == [-1.0] and office.queued() == 1
    office.set_on_duty(worker, True)  # back: takes the waiting dossier at once
    assert engine.column("c_current")[worker.index] == first
    second = dossier(engine)
    arrive(engine, office, second)
    office.remove_clerk(worker)
    assert engine.column("c_leaving")[worker.index]
    assert engine.column("o_on_duty")[office.index] == 0
    run(engine, 20.0)
    assert resolved_at(engine, [first, second]) == [6.0, -1.0]  # 2 waits for somebody else
    assert office.queued() == 1 and office.in_service() == 0
    assert not engine.column("c_leaving")[worker.index]
    assert not engine.column("c_rostered")[worker.index]
    assert not engine.column("c_is_idle")[worker.index]  # not in the idle list either
    assert engine.column("c_current")[worker.index] == -1


def test_an_off_duty_clerk_finishes_the_job_in_hand_and_then_stops():
    engine, (office,) = bench()
    worker = clerk(engine, land=1.0)
    office.add_clerk(worker)
    rows = [dossier(engine, work=2.0) for _ in range(2)]
    for row in rows:
        arrive(engine, office, row)
    office.set_on_duty(worker, False)
    run(engine, 10.0)
    assert resolved_at(engine, rows) == [2.0, -1.0]
    assert office.queued() == 1 and not engine.column("c_is_idle")[worker.index]


def test_a_leaver_with_a_next_office_joins_it_after_the_job_in_hand():
    engine, (here, there) = bench(n_offices=2)
    mover = clerk(engine, land=1.0)
    here.add_clerk(mover)
    job, left_behind = dossier(engine, work=2.0), dossier(engine)
    waiting_there = dossier(engine)
    arrive(engine, here, job)
    arrive(engine, here, left_behind)
    arrive(engine, there, waiting_there)
    here.remove_clerk(mover)
    engine.column("c_next_office")[mover.index] = there.index
    engine.moves[mover.index] = (mover, there)  # as Clerk.after_current_job notes it
    run(engine, 10.0)
    assert resolved_at(engine, [job, waiting_there, left_behind]) == [2.0, 3.0, -1.0]
    assert engine.column("c_office")[mover.index] == there.index
    assert engine.column("c_rostered")[mover.index]
    assert engine.column("c_next_office")[mover.index] == -1
    assert engine.column("o_on_duty")[[here.index, there.index]].tolist() == [0, 1]
    assert mover in there.clerks and mover.office is there and not engine.moves


def test_work_pauses_when_the_office_closes():
    calendar = make_calendar({"kind": "working"}, dt.date(2025, 7, 1))  # a Tuesday
    engine, (office,) = bench(calendar=calendar)
    office.add_clerk(clerk(engine, land=1.0))
    assert not office.is_open
    _, end = calendar.open_intervals(0)[-1]
    office.schedule_day(0)
    office.schedule_day(1)
    run(engine, end - 1.0)  # open now, one hour before closing
    assert office.is_open
    row = dossier(engine, work=3.0)
    arrive(engine, office, row)
    run(engine, 48.0)
    (finished,) = resolved_at(engine, [row])
    assert finished == pytest.approx(calendar.finish_time(end - 1.0, 3.0))
    assert finished > 24.0  # two of the three hours were worked the next morning
    assert not office.is_open  # closed again at the end of day 1


def test_nobody_starts_work_while_the_office_is_closed():
    calendar = make_calendar({"kind": "working"}, dt.date(2025, 7, 1))
    engine, (office,) = bench(calendar=calendar)
    office.add_clerk(clerk(engine, land=1.0))
    row = dossier(engine, work=1.0)
    arrive(engine, office, row)  # hour 0: before the first opening
    office.schedule_day(0)
    run(engine, 24.0)
    opening = calendar.open_intervals(0)[0][0]
    assert engine.column("d_first_service")[row] == opening
    assert resolved_at(engine, [row]) == [opening + 1.0]


def test_compiled_working_hours_agree_with_the_reference_calendar():
    calendar = make_calendar({"kind": "working"}, dt.date(2025, 7, 1))
    reference = ReferenceCalendar(dt.date(2025, 7, 1))
    engine, (office,) = bench(calendar=calendar)
    s = engine.s
    rng = np.random.default_rng(5)
    starts = np.concatenate([rng.uniform(0.0, 300 * 24.0, 400), [7.5, 11.5, 17.0, 24.0 * 5]])
    for t in starts.tolist():
        h = float(rng.exponential(6.0))
        assert hours.base_finish_time(s, t, h) == pytest.approx(reference.finish_time(t, h)), t
        assert hours.next_open(s, t) == reference.next_open(t), t
        end = t + float(rng.uniform(0.0, 200.0))
        assert hours.working_hours_between(s, t, end) == pytest.approx(
            reference.working_hours_between(t, end)
        ), t
        assert hours.working_days_between(s, t, end) == pytest.approx(
            reference.working_days_between(t, end)
        ), t
        days = int(rng.integers(0, 40))
        assert hours.deadline(s, t, days) == reference.deadline(t, days), (t, days)
    # overtime: the last interval of that day runs longer for those who stay
    day = 1
    office.extend_hours(day, 2.5)
    reference.extra = {day: 2.5}
    s = engine.s
    for t in (day * 24.0 + 8.0, day * 24.0 + 16.0, day * 24.0 + 18.0, (day + 1) * 24.0 + 9.0):
        for h in (0.5, 2.0, 4.0, 12.0):
            expected = reference.finish_time(t, h)
            assert hours.finish_time(s, t, h, office.index, 0) == pytest.approx(expected), (t, h)
    # begun an hour before the ordinary closing: done in the overtime, not the next day
    assert hours.finish_time(s, day * 24.0 + 16.0, 2.0, office.index, 0) == day * 24.0 + 18.0
    assert hours.base_finish_time(s, day * 24.0 + 16.0, 2.0) > (day + 1) * 24.0


# -- sojourn histogram ------------------------------------------------------------------
def test_histogram_quantiles_are_within_the_bin_resolution():
    rng = np.random.default_rng(7)
    hours_ = rng.exponential(40.0, 20_000)
    tally = Tally()
    for h in hours_.tolist():
        tally.hist[hist_bin(h)] += 1
    for q in (0.5, 0.95, 0.99):
        exact = float(np.quantile(hours_, q))
        assert tally.quantile(q) == pytest.approx(exact, rel=HIST_RATIO - 1)


def test_histogram_edges():
    # the compiled loop fills the bins the figures read back
    assert (tallies.HIST_MIN_HOURS, tallies.HIST_RATIO, state.HIST_BINS) == (
        HIST_MIN_HOURS,
        HIST_RATIO,
        HIST_BINS,
    )
    assert hist_bin(0.0) == 0 and hist_bin(HIST_MIN_HOURS) == 0
    assert hist_bin(1e9) == HIST_BINS - 1  # beyond the last bin: counted in it
    assert np.isnan(Tally().quantile(0.95))
    one = Tally()
    one.hist[hist_bin(10.0)] = 1
    assert one.quantile(0.95) == pytest.approx(10.0, rel=HIST_RATIO - 1)


# -- work-content tables ------------------------------------------------------------------
DISTRIBUTIONS = [
    WorkDistribution("exponential", 2.0),
    WorkDistribution("lognormal", 3.0, 0.8),
    WorkDistribution("gamma", 1.5, 0.5),
    WorkDistribution("fixed", 0.7),
    None,
]


def test_a_work_table_draws_what_each_distribution_draws():
    table = WorkTable(DISTRIBUTIONS)
    rng = np.random.default_rng(3)
    index = rng.integers(0, len(DISTRIBUTIONS), 2_000)
    u = rng.random(2_000)
    work = table.sample(index, u)
    for i, distribution in enumerate(DISTRIBUTIONS):
        mask = index == i
        expected = np.zeros(mask.sum()) if distribution is None else distribution.sample(u[mask])
        np.testing.assert_array_equal(work[mask], expected)


@pytest.mark.parametrize("distribution", [d for d in DISTRIBUTIONS if d is not None])
def test_work_draws_have_the_configured_mean_and_spread(distribution):
    u = (np.arange(200_000) + 0.5) / 200_000  # an even grid of uniforms
    work = WorkTable([distribution]).sample(np.zeros(len(u), dtype=int), u)
    assert work.mean() == pytest.approx(distribution.mean, rel=0.01)
    cv = 0.0 if distribution.dist == "fixed" else distribution.cv
    assert work.std() / work.mean() == pytest.approx(cv, abs=0.02)
