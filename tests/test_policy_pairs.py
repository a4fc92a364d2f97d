"""Every pair of policies composes: no proficiency beyond its cap, and costs add up.

Each policy is set to act early in a short run (overtime on days 0-20 at any backlog,
training from day 10, equipment and buildings after a few days...), so that in every
pair both levers really act on the same clerks and communes.
"""

from __future__ import annotations

import functools
import itertools
import math

import pytest

from sim.abm.agents.clerk import Clerk
from sim.abm.model import GovernanceModel
from sim.policies import POLICY_CLASSES, build_policies
from sim.spec.scenario import ScenarioSpec
from tests.helpers import resolved, scenario

DAYS = 30
CAP = 1.0  # no scenario skill, training cap or hired proficiency in these configs exceeds it

EARLY = {
    "second_staff": {"months": None, "duration_days": 20, "count": 3},
    "training": {"start_day": 10, "cohort_capacity": 20, "course_days": 2, "proficiency_gain": 0.5},
    "equipment": {"procurement_delay_days": 3},
    "online_push": {"ramp_days": 5},
    "contract_staff": {"hiring_delay_days": 3, "learning_months": 0.5},
    "shared_specialist": {"rotation_days": 3},
    "overtime": {
        "duration_days": 21,
        "backlog_per_clerk_threshold": 0.0,
        "max_hours_per_month": 100,
        "fatigue_per_day": 0.05,
    },
    "priority": {"duration_days": 15},
    "central_headquarters": {"construction_days": 5},
}
STATE_DEPENDENT = {"overtime"}  # its cost follows the backlog, which the other lever moves
NAMES = sorted(n for n in POLICY_CLASSES if n != "baseline")


def _config(*names: str) -> dict:
    cfg = resolved([f"policy=[{','.join(names)}]"])["policy"]
    for name in names:
        cfg[name].update(EARLY.get(name, {}))
    return cfg


@functools.cache
def _spec() -> ScenarioSpec:
    return ScenarioSpec.read(scenario("lang_son_wards"))


@functools.cache
def _run(names: tuple[str, ...]) -> tuple[dict[str, float], float, float, float]:
    """Per-policy cost, the summary's total, and the highest base and effective proficiency."""
    spec = _spec()
    model = GovernanceModel(spec, seed=7, policies=build_policies(_config(*names), spec))
    highest_base = highest_effective = 0.0
    for _ in range(DAYS):
        model.step()
        for clerk in model.agents_by_type[Clerk]:
            for field in clerk.skills:
                highest_base = max(highest_base, clerk.skills[field])
                highest_effective = max(highest_effective, clerk.effective_proficiency(field))
    costs = {p.name: p.cost_vnd(model.policy_context) for p in model.policies}
    return costs, model.summary()["policy_cost_vnd"], highest_base, highest_effective


@pytest.mark.parametrize("pair", list(itertools.combinations(NAMES, 2)), ids="+".join)
def test_pair_keeps_proficiency_under_its_cap_and_costs_add_up(pair):
    costs, total, highest_base, highest_effective = _run(pair)
    assert highest_base <= CAP + 1e-12, f"{pair}: base proficiency {highest_base}"
    assert highest_effective <= CAP + 1e-12, f"{pair}: effective proficiency {highest_effective}"
    assert all(math.isfinite(c) and c >= 0 for c in costs.values())
    assert total == pytest.approx(sum(costs.values()), rel=1e-12)
    for name in pair:
        if name not in STATE_DEPENDENT:
            alone = _run((name,))[0][name]
            assert costs[name] == pytest.approx(alone, rel=1e-12), name


def test_overtime_then_training_leaves_trained_clerks_at_the_cap():
    """The case that once left trained clerks at 1.29: fatigue was divided back out of a
    proficiency that training had capped in the meantime."""
    spec = _spec()
    cfg = _config("overtime", "training")
    model = GovernanceModel(spec, seed=7, policies=build_policies(cfg, spec))
    overtime, training = model.policies
    for _ in range(DAYS):
        model.step()
    assert overtime.overtime_days > 0 and training.trained > 0
    land = [c for c in model.agents_by_type[Clerk] if c.unit != "province" and "land" in c.skills]
    assert max(c.skills["land"] for c in land) == pytest.approx(CAP)
    # overtime is over: no clerk still carries its fatigue
    assert all(not c.modifiers for c in model.agents_by_type[Clerk])


def test_policies_do_not_know_the_model():
    """Policies see a PolicyContext, not GovernanceModel (not even for type hints)."""
    import ast
    from pathlib import Path

    import sim.policies

    for path in Path(sim.policies.__file__).parent.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                assert node.module != "sim.abm.model", path
            elif isinstance(node, ast.Import):
                assert all(a.name != "sim.abm.model" for a in node.names), path
            elif isinstance(node, ast.Name | ast.Attribute):
                name = node.id if isinstance(node, ast.Name) else node.attr
                assert name != "GovernanceModel", path
