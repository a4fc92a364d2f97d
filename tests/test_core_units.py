"""Unit tests of the service kernel's parts: office, queue disciplines, the sojourn
histogram's quantiles and the vectorised work-content tables."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import numpy as np
import pytest

from sim.core.calendar import AlwaysOpenCalendar, make_calendar
from sim.core.dossier import IN_SERVICE, QUEUED, Dossier
from sim.core.engine import EventEngine
from sim.core.metrics import HIST_BINS, HIST_MIN_HOURS, HIST_RATIO, Tally, _bin
from sim.core.office import Office
from sim.core.queues import EdfQueue, FifoQueue
from sim.spec.procedures import WorkDistribution, WorkTable


class Server:
    """A member of staff with fixed skills: service hours = work / proficiency."""

    def __init__(self, skills: dict[str, float]) -> None:
        self.skills = skills
        self.on_duty = True
        self.leaving = False
        self.current: Dossier | None = None
        self.office: Office | None = None
        self.served: list[int] = []
        self.left = False
        self.rostered = False
        self.job_end = 0.0
        self.presence_marks: list[float] = []

    def service_hours(self, dossier: Dossier) -> float:
        self.served.append(dossier.uid)
        return dossier.work / self.skills[dossier.field]

    def mark_presence(self, now: float) -> None:
        self.presence_marks.append(now)

    def departed(self) -> None:
        self.left = True


def dossier(uid: int, field: str = "land", work: float = 1.0, deadline: float = 100.0) -> Dossier:
    procedure = SimpleNamespace(field=field)
    return Dossier(uid, None, procedure, 0, None, 0.0, deadline, work, True)


def office(discipline: str = "fifo", calendar=None) -> tuple[Office, EventEngine, list]:
    engine = EventEngine()
    served: list[tuple[float, int]] = []
    firsts: list[int] = []
    desk = Office(
        "test",
        ["land", "civil_status"],
        calendar or AlwaysOpenCalendar(dt.date(2025, 7, 1)),
        engine,
        discipline,
        on_served=lambda d: served.append((engine.now, d.uid)),
        on_first_service=lambda d: firsts.append(d.uid),
    )
    desk.firsts = firsts
    return desk, engine, served


# -- queue disciplines ------------------------------------------------------------------
def test_fifo_serves_in_arrival_order_whatever_the_deadlines():
    queue = FifoQueue()
    for uid, deadline in ((1, 50.0), (2, 10.0), (3, 30.0)):
        queue.push(dossier(uid, deadline=deadline), now=float(uid))
    assert queue.head_key() == 1.0  # the arrival time of the head
    assert [queue.pop().uid for _ in range(3)] == [1, 2, 3]
    assert queue.head_key() == float("inf")


def test_edf_serves_the_earliest_deadline_first_and_ties_by_arrival():
    queue = EdfQueue()
    for uid, deadline in ((1, 50.0), (2, 10.0), (3, 30.0), (4, 10.0)):
        queue.push(dossier(uid, deadline=deadline), now=0.0)
    assert queue.head_key() == 10.0
    assert sorted(d.uid for d in queue) == [1, 2, 3, 4]  # iterating yields dossiers
    assert [queue.pop().uid for _ in range(4)] == [2, 4, 3, 1]


# -- office -------------------------------------------------------------------------------
def test_an_office_serves_in_parallel_then_queues():
    desk, engine, served = office()
    a, b = Server({"land": 1.0}), Server({"land": 0.5})
    desk.add_clerk(a)
    desk.add_clerk(b)
    items = [dossier(uid, work=1.0) for uid in range(3)]
    for item in items:
        desk.arrive(item)
    assert [d.status for d in items] == [IN_SERVICE, IN_SERVICE, QUEUED]
    assert desk.queued() == 1 and desk.in_service() == 2
    assert a.served == [0] and b.served == [1]  # the first arrival went to the faster clerk
    engine.run_until(10.0)
    # a finishes at 1 and takes the queued one (done at 2); b needs 2 hours
    assert served == [(1.0, 0), (2.0, 1), (2.0, 2)]
    assert desk.firsts == [0, 1, 2]
    assert desk.queued() == 0 and desk.in_service() == 0


def test_a_clerk_takes_only_fields_it_is_skilled_in():
    desk, engine, served = office()
    clerk = Server({"civil_status": 1.0})
    desk.add_clerk(clerk)
    desk.arrive(dossier(1, field="land"))
    desk.arrive(dossier(2, field="civil_status"))
    engine.run_until(10.0)
    assert [uid for _, uid in served] == [2]
    assert desk.queued() == 1


@pytest.mark.parametrize(("discipline", "order"), [("fifo", [1, 2, 3]), ("edf", [1, 3, 2])])
def test_the_office_discipline_decides_who_is_next(discipline, order):
    desk, engine, served = office(discipline)
    desk.add_clerk(Server({"land": 1.0}))
    for uid, deadline in ((1, 5.0), (2, 50.0), (3, 20.0)):
        desk.arrive(dossier(uid, deadline=deadline))
    engine.run_until(10.0)
    assert [uid for _, uid in served] == order


def test_off_duty_clerks_take_no_work_and_a_leaver_finishes_the_job_in_hand():
    desk, engine, served = office()
    clerk = Server({"land": 1.0})
    desk.add_clerk(clerk)
    desk.set_on_duty(clerk, False)
    desk.arrive(dossier(1))
    engine.run_until(5.0)
    assert served == [] and desk.queued() == 1
    desk.set_on_duty(clerk, True)  # back: takes the waiting dossier at once
    desk.arrive(dossier(2))
    desk.remove_clerk(clerk)
    assert clerk.leaving
    engine.run_until(20.0)
    assert [uid for _, uid in served] == [1]  # dossier 2 waits for somebody else
    assert clerk.left and desk.queued() == 1


def test_work_pauses_when_the_office_closes():
    calendar = make_calendar({"kind": "working"}, dt.date(2025, 7, 1))  # a Tuesday
    desk, engine, served = office(calendar=calendar)
    desk.add_clerk(Server({"land": 1.0}))
    start, end = calendar.open_intervals(0)[-1]
    desk.schedule_day(0)
    desk.schedule_day(1)
    engine.run_until(end - 1.0)  # open now, one hour before closing
    desk.arrive(dossier(1, work=3.0))
    engine.run_until(48.0)
    finished = served[0][0]
    assert finished == pytest.approx(calendar.finish_time(end - 1.0, 3.0))
    assert finished > 24.0  # two of the three hours were worked the next morning


# -- sojourn histogram ------------------------------------------------------------------
def test_histogram_quantiles_are_within_the_bin_resolution():
    rng = np.random.default_rng(7)
    hours = rng.exponential(40.0, 20_000)
    tally = Tally()
    for h in hours:
        tally.hist[_bin(h)] += 1
    for q in (0.5, 0.95, 0.99):
        exact = float(np.quantile(hours, q))
        assert tally.quantile(q) == pytest.approx(exact, rel=HIST_RATIO - 1)


def test_histogram_edges():
    assert _bin(0.0) == 0 and _bin(HIST_MIN_HOURS) == 0
    assert _bin(1e9) == HIST_BINS - 1  # beyond the last bin: counted in it
    assert np.isnan(Tally().quantile(0.95))
    one = Tally()
    one.hist[_bin(10.0)] = 1
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
