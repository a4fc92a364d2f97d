"""The mechanisms that make backlogs: each does what it says, and is neutral when absent."""

from __future__ import annotations

import copy
import datetime as dt

import numpy as np
import pytest

from sim.abm.model import GovernanceModel
from sim.abm.seasonality import DemandSeason
from sim.spec.config import ConfigError
from sim.spec.mechanisms import LunarNewYear, StaffRules
from tests.helpers import run_scenario, scenario

WARDS = scenario("lang_son_wards")


run = run_scenario


def one_ward(**changes) -> dict:
    """lang_son_wards cut down to Dong Kinh, with commune keys changed."""
    data = copy.deepcopy(WARDS)
    data["communes"] = [dict(data["communes"][0], **changes)]
    return data


# -- neutral defaults ------------------------------------------------------------------
def live_base() -> dict:
    """mmc where every mechanism could act, unless it is absent or neutral.

    A working calendar through Lunar New Year 2026, an office overloaded (fatigue),
    clerks below full proficiency (errors), and civil-status work (synchronised with
    the national portal) kept off site when a commune has several sites.
    """
    data = scenario("mmc")
    data["calendar"] = {"kind": "working"}
    data["procedures"]["generic"]["field"] = "civil_status"
    data["communes"][0]["clerks"][0]["skills"] = {"civil_status": 0.8}
    data["premises"] = {"off_site_fields": ["civil_status"]}
    return data


NEUTRAL_STAFF = {
    "absence_probability": 0,
    "error_probability_unskilled": 0,
    "learning": {"initial_efficiency": 1.0},
    "fatigue": {"slowdown": 0, "resignation_hazard_per_day": 0},
    "duties": {},
    "reassignment": {"enabled": False},
}
NEUTRAL_DEMAND = {"lunar_new_year": {"holiday_factor": 1, "surge_factor": 1, "surge_days": 21}}
NEUTRAL_COMMUNE = {
    "sites": 1,
    "reception_counters": 0,
    "network_speed": 1.0,
    "network_outage_probability": 0.0,
    "sync_failure_probability": 0,
}
DUTY = {
    "start_date": "2026-01-01",
    "end_date": "2026-12-31",
    "fields": ["civil_status"],
    "hours_per_clerk_per_day": 6.0,
}
# each neutral value set to an extreme: (block, path of keys, value)
EXTREMES = [
    ("staff", ("absence_probability",), 0.5),
    ("staff", ("error_probability_unskilled",), 1.0),
    ("staff", ("learning", "initial_efficiency"), 0.3),
    ("staff", ("fatigue", "slowdown"), 0.9),
    ("staff", ("fatigue", "resignation_hazard_per_day"), 0.5),
    ("staff", ("duties",), {"census": DUTY}),
    ("demand", ("lunar_new_year", "holiday_factor"), 0.0),
    ("demand", ("lunar_new_year", "surge_factor"), 3.0),
    ("commune", ("sites",), 2),
    ("commune", ("reception_counters",), 1),
    ("commune", ("network_speed",), 0.3),
    ("commune", ("network_outage_probability",), 0.9),
    ("commune", ("sync_failure_probability",), 0.9),
]
COMPARED = ("dossiers_created", "dossiers_resolved", "mean_sojourn_hours", "on_time_rate")


def with_neutral_blocks(extreme: tuple | None = None) -> dict:
    data = live_base()
    blocks = {
        "staff": copy.deepcopy(NEUTRAL_STAFF),
        "demand": copy.deepcopy(NEUTRAL_DEMAND),
        "commune": dict(NEUTRAL_COMMUNE),
    }
    if extreme is not None:
        block, path, value = extreme
        node = blocks[block]
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value
    data["staff"], data["demand"] = blocks["staff"], blocks["demand"]
    data["communes"][0].update(blocks["commune"])
    return data


def figures(data: dict) -> tuple:
    summary = run(data, 30, seed=5, start="2026-02-02").summary()
    return tuple(summary[key] for key in COMPARED)


def test_explicit_neutral_blocks_change_nothing():
    assert figures(with_neutral_blocks()) == figures(live_base())


@pytest.mark.parametrize("extreme", EXTREMES, ids=lambda e: ".".join((e[0], *e[1])))
def test_each_neutral_value_matters_when_set_to_an_extreme(extreme):
    """The neutral test can fail: in its setting every key it sets changes the run."""
    assert figures(with_neutral_blocks(extreme)) != figures(live_base())


# -- staff -----------------------------------------------------------------------------
def test_removing_the_land_specialists_raises_overdue_land():
    with_them = run(one_ward(), 40, seed=2)
    clerks = [g for g in WARDS["communes"][0]["clerks"] if g["skills"] != {"land": 1.0}]
    without = run(one_ward(clerks=clerks), 40, seed=2)
    before = with_them.overdue_by_commune_field()["dong_kinh"]["land"]
    after = without.overdue_by_commune_field()["dong_kinh"]["land"]
    assert after > before + 20
    assert (
        without.summary()["by_field"]["land"]["on_time_rate"]
        < (with_them.summary()["by_field"]["land"]["on_time_rate"])
    )


def test_absence_rate_matches_the_probability():
    data = one_ward()
    data["staff"]["absence_probability"] = 0.2
    model = run(data, 42, seed=3)
    working_days = sum(model.calendar.is_working_day(d) for d in range(42))
    expected = 0.2 * working_days * len(model.communes[0].office.clerks)
    sd = np.sqrt(expected * 0.8)
    assert abs(model.summary()["absences"] - expected) < 4 * sd


def test_unskilled_clerks_redo_work_in_proportion_to_their_gap():
    data = scenario("mmc")
    data["staff"] = {"error_probability_unskilled": 1.0}
    data["communes"][0]["clerks"][0]["skills"] = {"certification": 0.5}
    data["communes"][0]["clerks"][0]["count"] = 10
    summary = run(data, 20, seed=1).summary()
    n = summary["dossiers_created"]
    share = summary["faulty_reworks"] / n
    assert abs(share - 0.5) < 4 * np.sqrt(0.25 / n)
    data["communes"][0]["clerks"][0]["skills"] = {"certification": 1.0}
    assert run(data, 5, seed=1).summary()["faulty_reworks"] == 0


def test_fatigue_under_overload_brings_resignations_and_replacements():
    data = one_ward(clerks=[{"count": 4, "skills": {f: 1.0 for f in WARDS["fields"]}}])
    data["staff"]["fatigue"].update(resignation_hazard_per_day=0.05, replacement_days=10)
    model = run(data, 60, seed=1)
    summary = model.summary()
    assert summary["resignations"] >= 1
    assert summary["hires"] >= 1
    data["staff"]["fatigue"]["resignation_hazard_per_day"] = 0.0
    assert run(data, 60, seed=1).summary()["resignations"] == 0


def test_learning_curve_closes_half_the_gap_each_half_life():
    rules = StaffRules(learning_initial_efficiency=0.6, learning_half_life_days=30)
    start = dt.date(2025, 7, 1)
    assert rules.learning_efficiency(start) == pytest.approx(0.6)
    assert rules.learning_efficiency(start + dt.timedelta(days=30)) == pytest.approx(0.8)
    assert rules.learning_efficiency(start + dt.timedelta(days=60)) == pytest.approx(0.9)


def test_the_national_land_campaign_slows_land_only():
    """SOURCES.md: the Land Data Cleaning Campaign takes land clerks' hours Sep-Nov 2025."""
    data = scenario("gia_lai_rural")
    data["staff"]["reassignment"]["enabled"] = False  # the chair would make up for it
    without = copy.deepcopy(data)
    without["staff"]["duties"]["land_data_cleaning"] = None
    a = run_scenario(data, 61, seed=4, start="2025-09-01").summary()
    b = run_scenario(without, 61, seed=4, start="2025-09-01").summary()
    land_a, land_b = a["by_field"]["land"], b["by_field"]["land"]
    # 1.5 of 7.5 hours a day for land specialists, attributed to land over every clerk by
    # the time each spends there (construction clerks now verify land sites too)
    assert land_a["utilization_other_duties"] > land_b["utilization_other_duties"] + 0.08
    # the campaign takes the commune land officers' hours: their queue, not the land
    # branch's or the waits, is what it lengthens
    assert land_a["mean_backoffice_wait_hours"] > 1.15 * land_b["mean_backoffice_wait_hours"]
    assert land_a["on_time_rate"] < land_b["on_time_rate"]
    for field in ("certification", "social_policy"):
        assert a["by_field"][field]["utilization_other_duties"] == pytest.approx(
            b["by_field"][field]["utilization_other_duties"], abs=0.01
        )


# -- equipment -------------------------------------------------------------------------
def test_adding_workstations_where_clerks_lack_them_raises_throughput():
    short = scenario("gia_lai_ia_ly")
    for commune in short["communes"]:
        commune["workstations"] = 1
    equipped = copy.deepcopy(short)
    for commune in equipped["communes"]:
        commune["workstations"] = sum(g["count"] for g in commune["clerks"])
    a, b = run(short, 30, seed=6).summary(), run(equipped, 30, seed=6).summary()
    assert a["dossiers_created"] == b["dossiers_created"]  # same needs (common random numbers)
    assert b["dossiers_resolved"] >= a["dossiers_resolved"]
    assert b["mean_backoffice_wait_hours"] < 0.8 * a["mean_backoffice_wait_hours"]


def test_sync_failures_follow_their_probability_and_cost_time():
    data = one_ward(sync_failure_probability=0.3)
    model = run(data, 30, seed=2)
    summary = model.summary()
    served = summary["by_field"]["civil_status"]["dossiers_resolved"]
    assert abs(summary["sync_failures"] / served - 0.3) < 4 * np.sqrt(0.21 / served)
    clean = run(one_ward(), 30, seed=2).summary()
    assert clean["sync_failures"] == 0
    assert (
        summary["by_field"]["civil_status"]["mean_sojourn_hours"]
        > clean["by_field"]["civil_status"]["mean_sojourn_hours"] + 5
    )


def test_network_outage_days_follow_their_probability():
    model = run(one_ward(network_outage_probability=0.25), 120, seed=1)
    working_days = sum(model.calendar.is_working_day(d) for d in range(120))
    outages = model.summary()["outage_days"]
    assert abs(outages - 0.25 * working_days) < 4 * np.sqrt(working_days * 0.25 * 0.75)


def test_no_signal_means_no_online_channel():
    summary = run(one_ward(signal_coverage=0.0), 10, seed=1).summary()
    assert summary["by_commune"]["dong_kinh"]["online_share"] == 0.0


# -- premises --------------------------------------------------------------------------
def test_split_headquarters_lengthens_sojourn():
    one = copy.deepcopy(WARDS)
    two = copy.deepcopy(WARDS)
    for commune in one["communes"]:
        commune["sites"] = 1
    for commune in two["communes"]:
        commune["sites"] = 2
    a, b = run(one, 30, seed=7).summary(), run(two, 30, seed=7).summary()
    assert (
        b["by_field"]["land"]["mean_sojourn_hours"]
        > a["by_field"]["land"]["mean_sojourn_hours"] + 3
    )
    assert b["mean_sojourn_hours"] > a["mean_sojourn_hours"]


def test_visitors_leave_a_long_queue_and_come_back_or_go_online():
    data = one_ward(reception_counters=1)
    data["premises"].update(reception_hours=0.4, balk_queue_per_counter=3)
    model = GovernanceModel(data, seed=1)
    for _ in range(20):
        model.step()
        audit = model.audit()
        assert audit["created"] == audit["resolved"] + audit["open"] + audit["withdrawn"]
    summary = model.summary()
    assert summary["balked"] > 50
    assert 0 < summary["switched_online"] < summary["balked"]
    data["premises"]["balk_queue_per_counter"] = None
    assert run(data, 20, seed=1).summary()["balked"] == 0


# -- citizens --------------------------------------------------------------------------
def test_complaints_come_from_overdue_dossiers_only():
    data = one_ward(clerks=[{"count": 5, "skills": {f: 1.0 for f in WARDS["fields"]}}])
    data["applicants"]["citizen"]["complaint_probability"] = 1.0
    data["applicants"]["business"]["complaint_probability"] = 1.0
    model = run(data, 30, seed=1)
    summary = model.summary()
    late = sum(t.resolved_counted - t.on_time for t in [model.metrics.total])
    assert summary["complaints"] >= late + summary["overdue_open"] - 2
    assert summary["complaints"] <= summary["dossiers_created"]
    assert late > 100
    data["applicants"]["citizen"]["complaint_probability"] = 0.0
    data["applicants"]["business"]["complaint_probability"] = 0.0
    assert run(data, 30, seed=1).summary()["complaints"] == 0


def test_neighbours_online_use_raises_adoption():
    slow, fast = one_ward(), one_ward()
    for kind in ("citizen", "business"):
        slow["applicants"][kind].update(neighbour_rate=0.0, online_learning_rate=0.0)
        fast["applicants"][kind].update(neighbour_rate=0.05, online_learning_rate=0.0)
    a, b = run(slow, 60, seed=2).summary(), run(fast, 60, seed=2).summary()
    assert b["online_share"] > a["online_share"] + 0.1


# -- time ------------------------------------------------------------------------------
def test_tet_holidays_and_surge_factors():
    season = DemandSeason((1.0,) * 12, LunarNewYear(0.3, 1.5, 21), with_tet=True)
    assert season.factor(dt.date(2026, 2, 17)) == pytest.approx(0.3)  # Lunar New Year
    assert season.factor(dt.date(2026, 2, 25)) == pytest.approx(1.5)
    assert season.factor(dt.date(2026, 3, 13)) == pytest.approx(1.5)  # day 21 after
    assert season.factor(dt.date(2026, 3, 14)) == pytest.approx(1.0)
    assert season.factor(dt.date(2026, 1, 10)) == pytest.approx(1.0)


# -- conservation with everything on ---------------------------------------------------
def test_every_dossier_is_somewhere_with_all_mechanisms_on():
    data = scenario("lang_son_communes")
    data["staff"]["absence_probability"] = 0.1
    data["staff"]["fatigue"]["resignation_hazard_per_day"] = 0.05
    data["staff"]["fatigue"]["replacement_days"] = 5
    for commune in data["communes"]:
        commune.update(sync_failure_probability=0.2, network_outage_probability=0.2)
    data["premises"]["balk_queue_per_counter"] = 2
    model = GovernanceModel(data, seed=11)
    for _ in range(45):
        model.step()
        a = model.audit()
        assert a["created"] == a["resolved"] + a["open"] + a["withdrawn"]
        assert a["open"] == a["queued"] + a["in_service"] + a["with_applicant"] + a["in_transit"]


def test_bad_mechanism_values_name_the_key():
    data = one_ward()
    data["staff"]["duties"] = {
        "x": {
            "start_date": "2025-08-01",
            "end_date": "2025-07-01",
            "fields": ["land"],
            "hours_per_clerk_per_day": 1.0,
        }
    }
    with pytest.raises(ConfigError, match=r"scenario.staff.duties.x.end_date"):
        GovernanceModel(data)
    data = one_ward(network_speed=0)
    with pytest.raises(ConfigError, match=r"network_speed = 0: must be > 0"):
        GovernanceModel(data)
    data = one_ward()
    data["premises"]["off_site_fields"] = ["health"]
    with pytest.raises(ConfigError, match=r"scenario.premises.off_site_fields"):
        GovernanceModel(data)


def test_a_department_deadline_replaces_the_commune_deadline():
    data = one_ward()
    data["province"]["departments"]["land"]["deadline_working_days"] = 30
    model = GovernanceModel(data, seed=3)
    model.run(15)
    column = model.engine.column
    rows = model.metrics.open_rows()
    office = column("d_office")[rows]
    land = rows[office == model.province.offices["land"].index]  # there since d_entered
    construction = rows[office == model.province.offices["construction"].index]
    assert len(land)
    for row in land:
        assert column("d_deadline")[row] == model.calendar.deadline(column("d_entered")[row], 30)
    for row in construction:  # construction keeps the commune's deadline
        arrived = column("d_entered")[row]
        assert column("d_deadline")[row] != model.calendar.deadline(arrived, 30)


def test_refresh_speed_applies_changed_conditions_at_once():
    """The contract with policies: change a commune's conditions, then refresh_speed()."""
    data = one_ward(workstations=4)
    data["staff"].update(absence_probability=0.0)
    data["staff"]["learning"]["initial_efficiency"] = 1.0
    model = GovernanceModel(data, seed=1)
    model.step()  # 2025-07-01, a working day
    commune = model.communes[0]
    speeds = [c.speed_factor for c in commune.office.clerks]
    assert speeds[:4] == [1.0] * 4 and set(speeds[4:]) == {0.5}
    commune.workstations = None
    commune.network_speed_factor = 0.8
    commune.refresh_speed()
    assert {c.speed_factor for c in commune.office.clerks} == {0.8}
    assert commune.network_speed == 0.8
