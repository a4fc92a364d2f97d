"""Competing duties and the commune chair's weekly reassignment (issue: competing duties)."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from sim.abm.model import GovernanceModel
from sim.core.stats import mean_interval
from sim.spec.config import ConfigError
from sim.spec.scenario import ScenarioSpec
from tests.helpers import scenario

LOCALITIES = (
    "lang_son_wards",
    "lang_son_communes",
    "gia_lai_rural",
    "gia_lai_ia_ly",
    "nghe_an_do_luong",
    "province",
    "country",
)


def run(data: dict, days: int, seed: int = 0, start: str = "2025-07-01") -> GovernanceModel:
    model = GovernanceModel(data, seed=seed, start_date=start)
    model.run(days)
    return model


def wards(**duties) -> dict:
    """lang_son_wards without absences, with only the duties given."""
    data = scenario("lang_son_wards")
    data["staff"]["absence_probability"] = 0.0
    data["staff"]["duties"] = duties
    return data


LAND_DUTY = {
    "start_date": "2025-09-01",
    "end_date": "2025-11-30",
    "fields": ["land"],
    "hours_per_clerk_per_day": 1.5,
}


@pytest.mark.parametrize("name", LOCALITIES)
def test_every_locality_scenario_runs_the_national_land_campaign(name):
    """SOURCES.md: 1 September - 30 November 2025, every commune, land staff."""
    duty = scenario(name)["staff"]["duties"]["land_data_cleaning"]
    assert (duty["start_date"], duty["end_date"], duty["fields"]) == (
        "2025-09-01",
        "2025-11-30",
        ["land"],
    )
    if name != "country":
        spec = ScenarioSpec.read(scenario(name))
        assert "land_data_cleaning" in {d.name for d in spec.staff.duties}
        assert not {d.name for d in spec.staff.duties if d.communes}  # every commune


def test_a_duty_takes_its_hours_from_each_clerk_of_its_fields_in_its_window():
    model = run(wards(land_data_cleaning=LAND_DUTY), 40, start="2025-08-25")
    daily = model.daily_frame().set_index("date")
    land_clerks = sum(
        g["count"] for c in scenario("lang_son_wards")["communes"] for g in c["clerks"]
        if "land" in g["skills"]
    )  # fmt: skip
    assert daily.loc["2025-08-29", "other_duty_hours"] == 0  # before the campaign
    assert daily.loc["2025-09-03", "other_duty_hours"] == pytest.approx(1.5 * land_clerks)
    assert daily.loc["2025-09-01", "other_duty_hours"] == 0  # National Day holidays
    assert daily.loc["2025-09-06", "other_duty_hours"] == 0  # a Saturday
    summary = model.summary()
    # 1.75 of 7.5 hours of a land clerk's day; land's share of the construction clerks'
    # hours (they verify land sites too) dilutes it
    assert summary["by_field"]["land"]["utilization_other_duties"] > 0.05
    assert summary["by_field"]["certification"]["utilization_other_duties"] == 0
    assert summary["utilization"] == pytest.approx(
        summary["utilization_dossiers"] + summary["utilization_other_duties"]
    )
    for figures in summary["by_commune"].values():
        assert figures["utilization_other_duties"] > 0


def test_a_duty_delays_dossiers_only_from_its_first_day():
    """Paired runs (same seed): identical until the duty starts, slower land after."""
    plain = run(wards(), 30, seed=3, start="2025-08-25").daily_frame()
    busy = run(wards(land_data_cleaning=dict(LAND_DUTY, hours_per_clerk_per_day=4)), 30, seed=3,
               start="2025-08-25").daily_frame()  # fmt: skip
    before = plain["date"] < "2025-09-01"
    assert plain[before]["resolved"].tolist() == busy[before]["resolved"].tolist()
    assert busy[~before]["backlog"].mean() > plain[~before]["backlog"].mean() + 5


def test_duties_never_take_the_whole_day():
    """A clerk's duties are capped at 90% of the day's opening hours."""
    duty = dict(LAND_DUTY, fields="all", hours_per_clerk_per_day=12)
    model = run(wards(everything=duty), 3, start="2025-09-03")
    clerks = sum(g["count"] for c in scenario("lang_son_wards")["communes"] for g in c["clerks"])
    assert model.daily_frame()["other_duty_hours"].iloc[0] == pytest.approx(0.9 * 7.5 * clerks)
    assert model.summary()["dossiers_resolved"] > 0


def test_a_duty_set_to_null_is_switched_off():
    data = scenario("gia_lai_rural", "scenario.staff.duties.land_data_cleaning=null")
    assert "land_data_cleaning" not in {d.name for d in ScenarioSpec.read(data).staff.duties}


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("fields", ["health"], r"staff.duties.x.fields = \['health'\]: must be `all` or"),
        ("end_date", "2025-08-01", r"staff.duties.x.end_date = 2025-08-01: must not be before"),
        ("hours_per_clerk_per_day", 0, r"hours_per_clerk_per_day = 0: must be > 0"),
    ],
)
def test_bad_duties_name_the_key(key, value, message):
    data = wards(x=dict(LAND_DUTY, **{key: value}))
    with pytest.raises(ConfigError, match=message):
        ScenarioSpec.read(data)


# -- the commune chair's weekly reassignment ----------------------------------------------
def overloaded_land(enabled: bool) -> dict:
    """A small ward whose only land clerk is slow while its certification clerks idle."""
    data = scenario("lang_son_wards")
    data["staff"]["duties"] = {}
    data["staff"]["reassignment"]["enabled"] = enabled
    data["staff"]["reassignment"]["max_clerks"] = 2
    data["staff"]["reassignment"]["min_overdue"] = 1
    data["procedures"]["land_first_certificate"]["share"] = 0.0
    data["procedures"]["land_transfer"]["share"] = 0.25  # more than the land clerk can do
    ward = copy.deepcopy(data["communes"][0])
    ward["households"] = 3000
    ward["clerks"] = [
        {"count": 4, "skills": {"certification": 1.0, "civil_status": 1.0}},
        {"count": 2, "skills": {"civil_status": 1.0}},
        {"count": 1, "skills": {"land": 0.5}},
        {"count": 1, "skills": {"construction": 1.0, "business": 1.0}},
        {"count": 3, "skills": {"social_policy": 1.0}},
    ]
    data["communes"] = [ward]
    return data


def test_the_chair_moves_spare_clerks_to_the_field_with_most_overdue():
    """Paired over six seeds (common random numbers): the chair's moves cut the land
    dossiers left overdue and raise land's on-time rate, and the moved clerks' own
    fields stay served."""
    land_on, land_off = [], []
    for seed in range(1, 7):
        on = run(overloaded_land(True), 90, seed=seed).summary()
        off = run(overloaded_land(False), 90, seed=seed).summary()
        assert off["reassignments"] == 0
        assert on["reassignments"] >= 8
        assert on["by_field"]["certification"]["on_time_rate"] > 0.95
        land_on.append(on["by_field"]["land"])
        land_off.append(off["by_field"]["land"])
    overdue_on = np.array([f["overdue_open"] for f in land_on], dtype=float)
    overdue_off = np.array([f["overdue_open"] for f in land_off], dtype=float)
    assert overdue_off.mean() > 40  # without the chair the land queue runs away
    assert overdue_on.mean() < 0.3 * overdue_off.mean()  # cut by some three quarters
    assert mean_interval(overdue_on - overdue_off)[2] < 0
    on_time = [
        a["on_time_rate"] - b["on_time_rate"] for a, b in zip(land_on, land_off, strict=True)
    ]
    assert mean_interval(on_time)[1] > 0


def test_reassignment_can_be_switched_off_from_the_command_line_keys():
    data = scenario("gia_lai_rural", "scenario.staff.reassignment.enabled=false")
    assert run(data, 30, seed=2).summary()["reassignments"] == 0
    assert ScenarioSpec.read(scenario("gia_lai_rural")).staff.reassignment.enabled
