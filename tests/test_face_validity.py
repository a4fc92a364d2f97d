"""Face validity of the policy levers, with paired replications (common random numbers).

Each test runs a policy and the baseline on the same seeds, in a scenario where the
lever binds, and asserts that the paired 95% interval of the difference excludes zero
in the expected direction. Each also fails when its mechanism is switched off (the
control arm named in each test: the same policy with the mechanism disabled gives a
difference of zero, or an interval that straddles it).
"""

from __future__ import annotations

import functools

import pytest

from sim.core.stats import flatten, mean_interval, paired_differences
from sim.runs.replications import run_replication
from sim.spec.scenario import ScenarioSpec
from tests.helpers import resolved

pytestmark = pytest.mark.slow

REPLICATIONS = 8
DAYS = 45


@functools.cache
def _run(
    scenario: str, policies: tuple[str, ...], changes: tuple = (), days: int = DAYS
) -> tuple[dict, ...]:
    """Flattened summaries of ``REPLICATIONS`` paired replications.

    ``changes``: (path, value) pairs applied to the composed config, e.g.
    ``(("policy.overtime.extra_hours", 3.0),)`` or a scenario key.
    """
    cfg = resolved([f"scenario={scenario}", f"policy=[{','.join(policies)}]"])
    for path, value in changes:
        *keys, last = path.split(".")
        node = cfg
        for key in keys:
            node = node[int(key)] if isinstance(node, list) else node[key]
        node[last] = value
    spec = ScenarioSpec.read(cfg["scenario"])
    return tuple(
        flatten(
            run_replication(
                spec,
                cfg["policy"],
                seed=2025,
                replication=r,
                days=days,
                warmup_days=0,
                start_date="2025-07-01",
            )[0]
        )
        for r in range(REPLICATIONS)
    )


def _paired(policy_runs, baseline_runs, figure: str) -> tuple[float, float, float]:
    diff = paired_differences([s[figure] for s in policy_runs], [s[figure] for s in baseline_runs])
    return mean_interval(diff)


def _lang_son_with_one_overloaded_field() -> tuple:
    """ky_lua keeps one slow land clerk: land piles up there, other fields do not.

    The chair's weekly reassignment is off, so the overload stays where it is put and
    the test measures what overtime does, not what moving clerks already does.
    """
    return (
        ("scenario.communes.1.clerks.2.count", 1),
        ("scenario.communes.1.clerks.2.skills.land", 0.5),
        ("scenario.staff.reassignment.enabled", False),
    )


def test_training_lowers_overdue_where_land_proficiency_is_short():
    # gia_lai_rural: land clerks at 0.4 (no land specialist); control: proficiency_gain 0
    base = _run("gia_lai_rural", ("baseline",))
    trained = _run("gia_lai_rural", ("training",), (("policy.training.course_days", 2),))
    diff, low, high = _paired(trained, base, "by_field.land.overdue_dossiers")
    assert high < 0, (diff, low, high)
    idle = _run("gia_lai_rural", ("training",), (("policy.training.proficiency_gain", 0.0),))
    diff_off, low_off, high_off = _paired(idle, base, "by_field.land.overdue_dossiers")
    assert not high_off < 0, (diff_off, low_off, high_off)  # a course that teaches nothing


def _short_of_workstations(seats: int) -> tuple:
    return tuple((f"scenario.communes.{i}.workstations", seats) for i in range(4))


EQUIPMENT_ONLY_SEATS = (
    ("policy.equipment.network_outage_probability", None),
    ("policy.equipment.network_speed", None),
    ("policy.equipment.sync_fix", False),
    ("policy.equipment.procurement_delay_days", 5),
    ("policy.equipment.workstations_per_commune", 3),
)


def test_equipment_helps_where_workstations_are_short_and_is_waste_where_not():
    short = _short_of_workstations(4)
    base = _run("gia_lai_rural", ("baseline",), short)
    bought = _run("gia_lai_rural", ("equipment",), short + EQUIPMENT_ONLY_SEATS)
    diff, low, high = _paired(bought, base, "overdue_dossiers")
    assert high < 0, (diff, low, high)
    assert all(s["policy_costs.equipment.items.workstations"] > 0 for s in bought)
    # every clerk already has a seat (workstations: null): same numbers, cost is waste
    seated = tuple((f"scenario.communes.{i}.workstations", None) for i in range(4))
    base_seated = _run("gia_lai_rural", ("baseline",), seated)
    waste = _run("gia_lai_rural", ("equipment",), seated + EQUIPMENT_ONLY_SEATS)
    diff, low, high = _paired(waste, base_seated, "overdue_dossiers")
    assert diff == 0 and low == 0 and high == 0
    assert all(s["policy_costs.equipment.items.workstations_not_needed"] > 0 for s in waste)
    assert all(s["policy_costs.equipment.items.workstations"] == 0 for s in waste)


def test_online_push_lowers_citizen_trips_per_dossier():
    base = _run("gia_lai_rural", ("baseline",))
    pushed = _run("gia_lai_rural", ("online_push",))
    diff, low, high = _paired(pushed, base, "citizen_trips_per_dossier")
    assert high < 0, (diff, low, high)
    # control: a campaign that changes nobody's habits saves no trip
    idle = _run(
        "gia_lai_rural",
        ("online_push",),
        (
            ("policy.online_push.propensity_gain", 0.0),
            ("policy.online_push.online_payment", False),
            ("policy.online_push.business_e_auth", False),
        ),
    )
    assert _paired(idle, base, "citizen_trips_per_dossier")[0] == 0


def test_central_headquarters_saves_citizens_hours_on_split_sites():
    changes = (("policy.central_headquarters.construction_days", 0),)
    base = _run("lang_son_wards", ("baseline",))
    central = _run("lang_son_wards", ("central_headquarters",), changes)
    diff, low, high = _paired(central, base, "citizen_hours_per_dossier")
    assert high < 0, (diff, low, high)
    # control: with nothing between the sites (between_sites_km 0) no travel is saved
    near = (("scenario.citizen.between_sites_km", 0.0),)
    base_near = _run("lang_son_wards", ("baseline",), near)
    central_near = _run("lang_son_wards", ("central_headquarters",), changes + near)
    # the saving in hours comes from the trips between sites
    assert _paired(central_near, base_near, "citizen_hours_per_dossier")[0] > diff


def test_overtime_at_default_settings_lowers_overdue_where_one_field_is_overloaded():
    overloaded = _lang_son_with_one_overloaded_field()
    base = _run("lang_son_wards", ("baseline",), overloaded)
    overtime = _run("lang_son_wards", ("overtime",), overloaded)
    diff, low, high = _paired(overtime, base, "by_field.land.overdue_dossiers")
    assert high < 0, (diff, low, high)
    # ky_lua's land clerks worked (and were paid) overtime
    assert all(s["policy_costs.overtime.by_commune.ky_lua"] > 0 for s in overtime)
    # control: an hour's overtime that nobody may work (monthly cap 0) changes nothing
    capped = _run(
        "lang_son_wards", ("overtime",), overloaded + (("policy.overtime.max_hours_per_month", 0),)
    )
    assert _paired(capped, base, "by_field.land.overdue_dossiers")[0] == 0


def test_secondment_raises_the_provincial_departments_waits():
    base = _run("gia_lai_rural", ("baseline",))
    seconded = _run("gia_lai_rural", ("second_staff",))
    diff, low, high = _paired(seconded, base, "province_mean_wait_hours")
    assert low > 0, (diff, low, high)
    # control: staff from bodies the model does not simulate leave the department alone
    elsewhere = _run(
        "gia_lai_rural", ("second_staff",), (("policy.second_staff.from_department", 0.0),)
    )
    diff_off, low_off, high_off = _paired(elsewhere, base, "province_mean_wait_hours")
    assert diff_off < 0.5 * diff, (diff_off, low_off, high_off)
