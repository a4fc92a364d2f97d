"""Procedures as workflows: steps at provincial offices and the commune, waits that do
or do not stop the statutory clock, and the same-day rule (15:00 cutoff)."""

from __future__ import annotations

import copy
import datetime as dt
import json
import math

import pytest

from sim.core.calendar import HOURS_PER_DAY, make_calendar
from sim.spec.config import ConfigError
from sim.spec.scenario import ScenarioSpec
from tests.calendar_reference import ReferenceCalendar
from tests.helpers import command, run_scenario, scenario

MONDAY = 7 * HOURS_PER_DAY  # 2025-07-07 when the calendar starts on 2025-06-30


@pytest.mark.parametrize(
    ("hour", "days", "due_day"),
    [(14.9, 0, 0), (15.0, 0, 1), (16.5, 0, 1), (16.5, 1, 1), (9.0, 2, 2)],
)
def test_same_day_cutoff_moves_only_same_day_deadlines(hour, days, due_day):
    start = dt.date(2025, 6, 30)
    calendar = make_calendar({"kind": "working", "holidays_country": None}, start)
    reference = ReferenceCalendar(start, country=None)
    received = MONDAY + hour
    due = calendar.deadline(received, days, cutoff=15.0)
    assert due == reference.deadline(received, days, cutoff=15.0)
    assert int(due // HOURS_PER_DAY) == 7 + due_day
    if days == 0 and hour >= 15:
        assert calendar.deadline(received, days) < due  # without the rule: the same day


def _land_only(data: dict) -> dict:
    """The wards with land transfers as their only land procedure."""
    data["procedures"]["land_first_certificate"]["share"] = 0.0
    return data


def _land(data: dict, days: int = 40) -> dict:
    return run_scenario(data, days, seed=3).summary()["by_field"]["land"]


def test_a_provincial_step_and_a_counted_wait_lengthen_the_path_to_a_result():
    with_steps = _land_only(scenario("lang_son_wards"))
    without = copy.deepcopy(with_steps)
    without["procedures"]["land_transfer"]["steps"] = None
    a, b = _land(with_steps), _land(without)
    # registration, records check, tax, fees and the update: days, not hours
    assert a["mean_working_days_to_result"] > b["mean_working_days_to_result"] + 2.0
    assert a["province_mean_wait_hours"] > 0 and math.isnan(b["province_mean_wait_hours"])


def test_a_wait_that_stops_the_clock_moves_the_deadline_on():
    stops = _land_only(scenario("lang_son_wards"))
    runs = copy.deepcopy(stops)
    runs["procedures"]["land_transfer"]["steps"]["fee_payment"]["stops_clock"] = False
    a, b = _land(stops), _land(runs)
    # the same dossiers and waits (keyed uniforms): the deadline differs (and with it only
    # the complaints and the chair's moves that overdue dossiers cause)
    assert a["dossiers_created"] == b["dossiers_created"]
    assert a["mean_working_days_to_result"] == pytest.approx(
        b["mean_working_days_to_result"], rel=0.05
    )
    assert a["on_time_rate"] > b["on_time_rate"] + 0.02


def test_a_step_at_an_office_that_does_not_handle_the_field_is_an_error():
    data = scenario("lang_son_wards")
    data["procedures"]["land_transfer"]["steps"]["tax_assessment"]["at"] = "construction"
    with pytest.raises(ConfigError, match="handles construction, not 'land'"):
        ScenarioSpec.read(data)
    data["procedures"]["land_transfer"]["steps"]["tax_assessment"]["at"] = "treasury"
    with pytest.raises(ConfigError, match="no such office; allowed: commune, land, tax"):
        ScenarioSpec.read(data)


def test_remote_communes_get_the_extra_land_days_through_the_command(tmp_path):
    out = tmp_path / "run"
    result = command(
        "sim.run", "scenario=lang_son_wards", "run.days=30", "output.report=false",
        "output.plots=false", "output.table=false", "+scenario.communes.0.remote=true",
        "scenario.procedures.land_transfer.steps.records_check.wait_working_days=12",
        f"hydra.run.dir={out}",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    by_commune = json.loads((out / "summary.json").read_text())["by_commune"]
    remote, other = by_commune["dong_kinh"], by_commune["ky_lua"]
    # a 12-day wait breaks the 8-day limit everywhere but in the remote ward (8 + 10)
    assert remote["overdue_dossiers"] < other["overdue_dossiers"]
