"""The working calendar: when the PASC serves, and what N working days means."""

import datetime as dt

import pytest

from sim.core.calendar import HOURS_PER_DAY, AlwaysOpenCalendar, WorkingCalendar
from tests.helpers import run_model

START = dt.date(2025, 7, 1)


@pytest.fixture(scope="module")
def calendar():
    return WorkingCalendar(START)


def day_index(date: dt.date) -> int:
    return (date - START).days


def test_lunar_new_year_and_sundays_are_closed(calendar):
    tet = day_index(dt.date(2026, 2, 17))
    assert not calendar.is_working_day(tet)
    assert calendar.open_intervals(tet) == []
    sunday = day_index(dt.date(2025, 7, 6))
    assert dt.date(2025, 7, 6).isoweekday() == 7
    assert not calendar.is_working_day(sunday)
    assert calendar.is_working_day(day_index(dt.date(2025, 7, 7)))  # a Monday


def test_work_started_before_tet_pauses_through_the_holiday(calendar):
    # two hours of work started at 16:00 on Friday 13 Feb 2026: one hour that day,
    # then nothing through the weekend and Tet (16-20 Feb), resumes Monday 23 Feb 7:30
    start = day_index(dt.date(2026, 2, 13)) * HOURS_PER_DAY + 16.0
    end = calendar.finish_time(start, 2.0)
    assert calendar.date_of(end) == dt.date(2026, 2, 23)
    assert end % HOURS_PER_DAY == pytest.approx(8.5)


def test_twenty_working_days_from_29_august_skip_national_day(calendar):
    # 29 Aug 2025 is a Friday; 1 and 2 September are holidays
    assert calendar.deadline_date(dt.date(2025, 8, 29), 20) == dt.date(2025, 9, 30)
    no_holidays = WorkingCalendar(START, country=None)
    assert no_holidays.deadline_date(dt.date(2025, 8, 29), 20) == dt.date(2025, 9, 26)


def test_deadline_counts_from_next_working_day_when_received_closed(calendar):
    saturday = day_index(dt.date(2025, 7, 5)) * HOURS_PER_DAY + 10.0
    assert calendar.date_of(calendar.deadline(saturday, 0)) == dt.date(2025, 7, 7)
    after_hours = day_index(dt.date(2025, 7, 7)) * HOURS_PER_DAY + 20.0
    assert calendar.date_of(calendar.deadline(after_hours, 1)) == dt.date(2025, 7, 9)
    in_hours = day_index(dt.date(2025, 7, 7)) * HOURS_PER_DAY + 9.0
    assert calendar.date_of(calendar.deadline(in_hours, 1)) == dt.date(2025, 7, 8)


def test_working_hours_between_counts_only_open_hours(calendar):
    monday = day_index(dt.date(2025, 7, 7)) * HOURS_PER_DAY
    assert calendar.working_hours_between(monday, monday + 7 * HOURS_PER_DAY) == pytest.approx(
        5 * 7.5
    )
    assert calendar.next_open(monday + 12.0) == pytest.approx(monday + 13.5)


def test_always_open_calendar_is_identity():
    cal = AlwaysOpenCalendar(START)
    assert cal.finish_time(3.3, 2.0) == pytest.approx(5.3)
    assert cal.deadline(3.0, 1.5) == pytest.approx(3.0 + 36.0)


def test_no_dossier_is_served_or_resolved_on_tet_or_sundays():
    # run the default scenario across the 2026 Lunar New Year
    model = run_model(["run.start_date=2026-02-01"], days=28, seed=3)
    daily = model.daily_frame().set_index("date")
    for closed in ("2026-02-08", "2026-02-15", "2026-02-16", "2026-02-17", "2026-02-18"):
        assert daily.loc[closed, "resolved"] == 0, closed
    assert daily.loc["2026-02-12", "resolved"] > 0
