"""One calendar rule, checked against a brute-force reference over long spans.

The model has one implementation of working-hours arithmetic (sim/core/hours.py over
the calendar's arrays). These tests drive it, through the day-level calendar and
through the compiled loop, with deadlines up to the longest a config allows and with
instants several years from the start, against tests/calendar_reference.py. CI runs
this module once more under ``NUMBA_BOUNDSCHECK=1``: a read past an array fails there.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.core.calendar import AlwaysOpenCalendar, WorkingCalendar
from sim.core.hours import HOURS_PER_DAY, LONGEST_DEADLINE_WORKING_DAYS
from sim.spec.config import ConfigError
from tests.calendar_reference import ReferenceCalendar
from tests.helpers import run_model, sim_run

START = dt.date(2025, 7, 1)
YEARS = 6 * 365 * HOURS_PER_DAY

instants = st.floats(min_value=0.0, max_value=YEARS, allow_nan=False)
work = st.floats(min_value=0.0, max_value=400.0, allow_nan=False)
deadlines = st.integers(min_value=0, max_value=LONGEST_DEADLINE_WORKING_DAYS)


@pytest.fixture(scope="module")
def reference() -> ReferenceCalendar:
    return ReferenceCalendar(START)


@settings(max_examples=150, deadline=None)
@given(t=instants, hours=work, days=deadlines, gap=st.floats(0.0, 3000.0))
def test_the_calendar_answers_as_the_reference_does_years_ahead(t, hours, days, gap):
    calendar = WorkingCalendar(START)  # a fresh one: its arrays grow on demand
    reference = ReferenceCalendar(START)
    assert calendar.deadline(t, days) == reference.deadline(t, days)
    assert calendar.finish_time(t, hours) == pytest.approx(reference.finish_time(t, hours))
    assert calendar.next_open(t) == reference.next_open(t)
    end = t + gap
    assert calendar.working_hours_between(t, end) == pytest.approx(
        reference.working_hours_between(t, end), abs=1e-9
    )
    assert calendar.working_days_between(t, end) == pytest.approx(
        reference.working_days_between(t, end), abs=1e-9
    )


@settings(max_examples=40, deadline=None)
@given(t=instants, hours=work, days=deadlines)
def test_a_24_7_calendar_counts_whole_days(t, hours, days):
    calendar = AlwaysOpenCalendar(START)
    reference = ReferenceCalendar(START, always_open=True)
    assert calendar.deadline(t, days) == pytest.approx(reference.deadline(t, days))
    assert calendar.finish_time(t, hours) == pytest.approx(reference.finish_time(t, hours))
    assert calendar.working_days_between(t, t + hours) == pytest.approx(
        reference.working_days_between(t, t + hours)
    )


def test_the_longest_deadline_a_config_allows_is_enforced_with_the_key_named():
    with pytest.raises(ConfigError, match=r"deadline_working_days = 1001: must be an integer <="):
        run_model(["scenario.procedures.land_transfer.deadline_working_days=1001"], days=1)


def test_a_560_working_day_deadline_is_counted_by_the_rule_in_the_compiled_loop(reference):
    """Dossiers received in the run (open or resolved: their rows keep it) get the
    reference's deadline, 2.2 years ahead."""
    model = run_model(
        ["scenario=lang_son_wards",
         "scenario.procedures.land_transfer.deadline_working_days=560",
         "scenario.procedures.land_transfer.steps=null"],  # no wait moves the deadline on
        days=30,
    )  # fmt: skip
    a = model.engine.arrays.arrays
    rows = np.flatnonzero(
        (a["d_deadline_days"] == 560) & (a["d_supplements"] == 0)
        & (a["d_stage"] == 0) & (a["d_submitted"] >= 0)
    )  # fmt: skip
    assert len(rows) > 20
    for row in rows[:200].tolist():
        expected = reference.deadline(float(a["d_submitted"][row]), 560)
        assert a["d_deadline"][row] == expected
    assert max(a["d_deadline"][rows]) > 800 * HOURS_PER_DAY  # past the old fixed horizon


def test_a_560_working_day_deadline_runs_through_the_command(tmp_path):
    done = sim_run(
        "scenario=lang_son_wards", "run.days=30",
        "scenario.procedures.land_transfer.deadline_working_days=560",
        "output.report=false", "output.plots=false", f"hydra.run.dir={tmp_path}",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "summary.json").exists()


def test_compiled_overtime_matches_the_reference():
    from tests.test_core_units import bench

    calendar = WorkingCalendar(START)
    engine, (office,) = bench(calendar=calendar)
    reference = ReferenceCalendar(START)
    from sim.core import hours

    for day in (1, 400, 1200):  # overtime decided for that day only
        office.extend_hours(day, 2.5)
        reference.extra = {day: 2.5}
        engine.cover_calendar((day + 30) * HOURS_PER_DAY)
        s = engine.s
        for into in (8.0, 16.0, 16.9, 18.0):
            for h in (0.5, 2.0, 4.0, 12.0, 90.0):
                t = day * HOURS_PER_DAY + into
                assert hours.finish_time(s, t, h, office.index, 0) == pytest.approx(
                    reference.finish_time(t, h)
                ), (day, into, h)
                assert office.finish_time(t, h) == pytest.approx(reference.finish_time(t, h))
