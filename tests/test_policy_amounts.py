"""Per-commune amounts of policies: ``training.trainees`` and ``equipment.workstations``.

The allocation optimiser (python -m sim.optimize) gives each commune its own amount of
a lever; these options express it in the policy configs.
"""

from __future__ import annotations

import pytest

from sim.abm.agents.clerk import Clerk
from sim.abm.model import GovernanceModel
from sim.policies import build_policies
from sim.spec.config import ConfigError
from sim.spec.scenario import ScenarioSpec
from tests.helpers import resolved


@pytest.fixture(scope="module")
def config() -> dict:
    return resolved(["scenario=lang_son_wards", "policy=[training,equipment]"])


def _model(scenario: dict, policies: dict) -> GovernanceModel:
    spec = ScenarioSpec.read(scenario)
    return GovernanceModel(spec, seed=3, policies=build_policies(policies, spec))


def test_training_trains_the_given_number_in_each_commune(config):
    policy = {**config["policy"]["training"], "trainees": {"ky_lua": 2, "tam_thanh": 1}}
    policy.update(cohort_capacity=10, course_days=2, proficiency_gain=0.2, max_proficiency=1.5)
    model = _model(config["scenario"], {"training": policy})
    land = [c for c in model.agents_by_type[Clerk] if "land" in c.own_skills]
    before = {id(c): c.own_skills["land"] for c in land}
    for _ in range(8):
        model.step()
    (training,) = model.policies
    assert training.trained == 3
    raised = sorted(c.unit for c in land if c.own_skills["land"] > before[id(c)])
    assert raised == ["ky_lua", "ky_lua", "tam_thanh"]
    by_commune = training.costs(model.policy_context)["by_commune"]
    fee = policy["cost_vnd_per_trainee"]
    assert training.ledger.budget_vnd() == pytest.approx(3 * fee)
    assert by_commune["dong_kinh"] == 0


def test_training_trainees_take_the_least_proficient_first(config):
    policy = {**config["policy"]["training"], "trainees": {"dong_kinh": 1}}
    model = _model(config["scenario"], {"training": policy})
    model.step()
    (training,) = model.policies
    (trainee,) = training.in_course
    # dong_kinh's construction clerk handles land at 0.6, its land clerks at 1.0
    assert (trainee.unit, trainee.own_skills["land"]) == ("dong_kinh", pytest.approx(0.6))


def test_equipment_buys_workstations_per_commune(config):
    scenario = config["scenario"]
    for commune in scenario["communes"]:
        commune["workstations"] = 5
    policy = {**config["policy"]["equipment"], "workstations": {"ky_lua": 3}}
    policy.update(workstations_per_commune=0, procurement_delay_days=2, sync_fix=False)
    policy.update(network_outage_probability=None, network_speed=None)
    model = _model(scenario, {"equipment": policy})
    for _ in range(3):
        model.step()
    seats = {c.name: c.workstations for c in model.communes}
    assert seats == {"dong_kinh": 5, "ky_lua": 8, "tam_thanh": 5, "luong_van_tri": 5}
    (equipment,) = model.policies
    assert equipment.ledger.budget_vnd() == pytest.approx(3 * policy["cost_vnd_per_workstation"])


@pytest.mark.parametrize(
    ("kind", "changes", "message"),
    [
        ("training", {"trainees": {"nowhere": 1}}, "policy.training.trainees: unknown commune"),
        ("training", {"trainees": {"ky_lua": -1}}, "whole numbers >= 0"),
        ("training", {"trainees": {"ky_lua": 1}, "communes": ["ky_lua"]}, "not both"),
        ("equipment", {"workstations": {"nowhere": 1}}, "policy.equipment.workstations"),
        ("equipment", {"workstations": {"ky_lua": 1}, "communes": ["dong_kinh"]}, "not in"),
    ],
)
def test_bad_amounts_are_named(config, kind, changes, message):
    policy = {**config["policy"][kind], **changes}
    spec = ScenarioSpec.read(config["scenario"])
    with pytest.raises(ConfigError, match=message):
        build_policies({kind: policy}, spec)
