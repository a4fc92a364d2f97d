"""Bad input stops with one clear message naming the key, the value and what is allowed.

These tests compose configs in-process (as the command line would) and check them with
``check_job``, the function every job calls before it runs anything.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.run import CONFIG_DIR
from sim.runs.job_check import check_job, config_hash
from sim.runs.user_errors import group_problem
from sim.spec.config import ConfigError
from tests.helpers import resolved, unresolved


def composed(overrides: list[str]) -> tuple[dict, dict]:
    return resolved(overrides), unresolved(overrides)


def check(overrides: list[str]):
    return check_job(*composed(overrides))


# (overrides, text the message must contain: the key, the value, the rule)
BAD = [
    (["run.days=0"], ["run.days", "= 0", ">= 1"]),
    (["run.days=-5"], ["run.days", "-5", ">= 1"]),
    (["run.warmup_days=10", "run.days=5"], ["run.warmup_days", "10", "less than run.days"]),
    (["run.replications=0"], ["run.replications", "0", ">= 1"]),
    (["run.start_date=2025-02-30"], ["run.start_date", "2025-02-30", "YYYY-MM-DD"]),
    (["run.start_date=soon"], ["run.start_date", "soon", "YYYY-MM-DD"]),
    (["seed=-1"], ["seed", "-1", ">= 0"]),
    (["+run.dayz=3"], ["run.dayz", "unknown key", "days"]),
    (["+output.plot=false"], ["output.plot", "unknown key", "plots"]),
    (["verbose=maybe"], ["verbose", "maybe", "true or false"]),
    (["scenario=mmc", "scenario.servers=0"], ["scenario.servers", "= 0", "at least one clerk"]),
    (["scenario.calendar.holidays_country=XX"], ["holidays_country", "'XX'", "e.g. VN"]),
    (["scenario=mmc", "scenario.servers=-2"], ["scenario.servers", "-2", ">= 0"]),
    (
        ["scenario=mmc", "scenario.arrival_rate_per_hour=-1"],
        ["scenario.arrival_rate_per_hour", "-1", ">= 0"],
    ),
    (
        ["scenario=mmc", "scenario.service_rate_per_hour=0"],
        ["scenario.service_rate_per_hour", "0", "> 0"],
    ),
    (["scenario=mmc", "+scenario.servers_count=3"], ["scenario.servers_count", "unknown key"]),
    (
        ["scenario=tandem", "scenario.escalation_probability=1.5"],
        ["scenario.escalation_probability", "1.5", "between 0 and 1"],
    ),
    (
        ["scenario=tandem", "scenario.province_servers=0"],
        ["scenario.province_servers", "= 0", ">= 1"],
    ),
    (["scenario.communes=[]"], ["scenario.communes", "[]", "at least one commune"]),
    (
        ["scenario.communes.0.clerks.0.count=-1"],
        ["scenario.communes[0].clerks[0].count", "-1", ">= 0"],
    ),
    (
        ["scenario.communes.1.households=-100"],
        ["scenario.communes[1].households", "-100", ">= 0"],
    ),
    (
        ["scenario.applicants.citizen.give_up_probability=1.2"],
        ["scenario.applicants.citizen.give_up_probability", "1.2", "between 0 and 1"],
    ),
    (
        ["scenario.procedures.land_transfer.supplement_probability=-0.1"],
        ["scenario.procedures.land_transfer.supplement_probability", "-0.1", "between 0 and 1"],
    ),
    (
        ["scenario.demand.citizen_dossiers_per_year=-1"],
        ["scenario.demand.citizen_dossiers_per_year", "-1", ">= 0"],
    ),
    (
        ["+scenario.procedures.land_transfer.deadline_days=3"],
        ["scenario.procedures.land_transfer.deadline_days", "unknown key"],
    ),
    (
        ["scenario.calendar.working_weekdays=[]"],
        ["scenario.calendar.working_weekdays", "[]", "ISO weekdays"],
    ),
    (
        ["scenario.calendar.opening_hours=[[17,8]]"],
        ["scenario.calendar.opening_hours", "17", "from < to"],
    ),
    (["scenario.calendar.kind=lunar"], ["scenario.calendar.kind", "lunar", "always_open"]),
    (["scenario.dispatch=random"], ["scenario.dispatch", "random", "fifo"]),
    (
        ["scenario.province.departments.land.staff=0"],
        ["scenario.province.departments.land.staff", "= 0", ">= 1"],
    ),
    (["+policy.baseline.start_dy=3"], ["policy.baseline.start_dy", "unknown key"]),
    (["policy.baseline.cost_vnd=5"], ["policy.baseline.cost_vnd", "5", "<= 0"]),
    (
        ["policy=[second_staff]", "policy.second_staff.field=forestry"],
        ["policy.second_staff.field", "forestry", "allowed: certification"],
    ),
    (
        [
            "policy=[second_staff]",
            "policy.second_staff.allocation=named",
            "+policy.second_staff.communes=[nowhere]",
        ],
        ["policy.second_staff.communes", "nowhere", "allowed: dong_kinh"],
    ),
    (
        ["+scenario.communes.0.workstations=2", "scenario.equipment.no_workstation_speed=0"],
        ["scenario.communes[0].workstations", "= 2", "workstations >="],
    ),
]


@pytest.mark.parametrize(("overrides", "expected"), BAD, ids=[" ".join(o) for o, _ in BAD])
def test_bad_value_names_key_value_and_rule(overrides, expected):
    with pytest.raises(ConfigError) as caught:
        check(overrides)
    message = str(caught.value)
    assert "\n" not in message
    for text in expected:
        assert text in message, f"{text!r} missing from: {message}"


@pytest.mark.parametrize("scenario", ["mmc", "tandem", "lang_son_wards", "province"])
def test_shipped_scenarios_pass_the_checks(scenario):
    job = check([f"scenario={scenario}"])
    assert job.spec.communes
    assert len(job.config_hash) == 16


def test_config_hash_ignores_reporting_keys_only():
    base = config_hash(composed(["scenario=mmc"])[0])
    assert base == config_hash(composed(["scenario=mmc", "verbose=true", "output.table=false"])[0])
    assert base == config_hash(composed(["scenario=mmc", "+resume=true"])[0])
    assert base == config_hash(composed(["scenario=mmc", "run.workers=3"])[0])
    assert base != config_hash(composed(["scenario=mmc", "seed=7"])[0])
    assert base != config_hash(composed(["scenario=mmc", "scenario.servers=6"])[0])


POLICIES = sorted(p.stem for p in Path(CONFIG_DIR, "policy").glob("*.yaml"))


@pytest.mark.parametrize("policy", POLICIES)
def test_shipped_policies_pass_the_checks(policy):
    job = check([f"policy=[{policy}]"])
    assert [p.name for p in job.policies] == [policy]


def test_unknown_group_names_list_the_options():
    config_dir = Path(CONFIG_DIR)
    assert group_problem(["scenario=mmc", "policy=[baseline]"], config_dir) is None
    for args in (["policy=[baseline,secnd_staff]"], ["-m", "scenario=mmc,nowhere"]):
        text = group_problem(args, config_dir)
        assert text is not None and "known: " in text
    text = group_problem(["policy=[baseline,secnd_staff]"], config_dir)
    assert "secnd_staff" in text and "known: baseline," in text


def test_unknown_top_level_key_is_refused_but_study_keys_are_known():
    with pytest.raises(ConfigError, match=r"^sed: unknown key; known top-level keys: .*seed"):
        check_job(*composed(["+sed=3"]), Path(CONFIG_DIR))
    job = check_job(*composed(["+experiment=priority_rules"]), Path(CONFIG_DIR))
    assert job.settings.replications >= 1
