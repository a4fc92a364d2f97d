"""Setting config values by dotted path (sim/spec/parameters.py)."""

import pytest

from sim.spec.config import ConfigError
from sim.spec.parameters import apply_parameters, parameter_paths
from tests.helpers import resolved, unresolved

WARDS = ["scenario=lang_son_wards", "policy=[second_staff,training]"]


def blocks(overrides=WARDS):
    cfg = resolved(overrides)
    return cfg["scenario"], cfg["policy"]


def test_plain_wildcard_and_policy_paths_are_set_on_copies():
    scenario, policies = blocks()
    before = (repr(scenario), repr(policies))
    new_scenario, new_policies = apply_parameters(
        scenario,
        policies,
        {
            "staff.error_probability_unskilled": 0.1,
            "applicants.citizen.digital_propensity_mean": 0.4,
            "communes.*.households": 5000,
            "communes.1.reception_counters": 9,
            "policy.training.proficiency_gain": 0.5,
            "dispatch": "edf",
        },
    )
    assert (repr(scenario), repr(policies)) == before  # the arguments are left alone
    assert new_scenario["staff"]["error_probability_unskilled"] == 0.1
    assert new_scenario["applicants"]["citizen"]["digital_propensity_mean"] == 0.4
    assert new_scenario["applicants"]["business"]["digital_propensity_mean"] == 0.7
    assert [c["households"] for c in new_scenario["communes"]] == [5000] * 4
    assert new_scenario["communes"][1]["reception_counters"] == 9
    assert (
        new_scenario["communes"][0]["reception_counters"]
        == (scenario["communes"][0]["reception_counters"])
    )
    assert new_policies["training"]["proficiency_gain"] == 0.5
    assert new_policies["second_staff"] == policies["second_staff"]
    assert new_scenario["dispatch"] == "edf"


def test_scale_multiplies_each_default_and_keeps_integers_integers():
    scenario, policies = blocks()
    new, _ = apply_parameters(
        scenario,
        policies,
        {"procedures.*.work_hours.mean@scale": 1.5, "communes.*.households@scale": 1.1},
    )
    means = {
        name: (p["work_hours"]["mean"], new["procedures"][name]["work_hours"]["mean"])
        for name, p in scenario["procedures"].items()
        if "mean" in p["work_hours"]
    }
    assert len(means) > 3
    for old, scaled in means.values():
        assert scaled == pytest.approx(1.5 * old)
    for old, scaled in zip(scenario["communes"], new["communes"], strict=True):
        assert scaled["households"] == round(1.1 * old["households"])
        assert isinstance(scaled["households"], int)


def test_scale_follows_an_interpolation_to_its_value():
    cfg = unresolved(["scenario=mmc", "policy=[second_staff]"])
    scenario, policies = apply_parameters(
        cfg["scenario"],
        cfg["policy"],
        {
            "procedures.*.work_hours.rate_per_hour@scale": 2.0,
            "policy.second_staff.allowance_vnd_per_person_month@scale": 0.5,
        },
        context=cfg,
    )
    assert scenario["procedures"]["generic"]["work_hours"]["rate_per_hour"] == 2.0
    assert policies["second_staff"]["allowance_vnd_per_person_month"] == 1500000


@pytest.mark.parametrize(
    ("path", "named"),
    [
        ("staff.error_probability_unskiled", "error_probability_unskilled"),
        ("procedures.*.work_hours.meen", "mean"),
        ("comunes.*.households", "communes"),
        ("policy.training.proficiency_gian", "proficiency_gain"),
    ],
)
def test_an_unknown_path_is_named_with_the_nearest_keys(path, named):
    scenario, policies = blocks()
    with pytest.raises(ConfigError) as error:
        apply_parameters(scenario, policies, {path: 1.0})
    assert path in str(error.value)
    assert named in str(error.value)
    with pytest.raises(ConfigError):
        parameter_paths(scenario, policies, [path])


def test_bad_targets_are_refused_with_the_reason():
    scenario, policies = blocks()
    with pytest.raises(ConfigError, match="policy 'overtime' is not selected.*second_staff"):
        apply_parameters(scenario, policies, {"policy.overtime.hours": 1})
    with pytest.raises(ConfigError, match="is a mapping.*mean"):
        apply_parameters(scenario, policies, {"procedures.*.work_hours": 1})
    with pytest.raises(ConfigError, match="not a number"):
        apply_parameters(scenario, policies, {"dispatch@scale": 2})
    with pytest.raises(ConfigError, match="unknown suffix"):
        apply_parameters(scenario, policies, {"dispatch@double": 2})
