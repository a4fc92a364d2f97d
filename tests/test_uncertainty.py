"""Every assumption has a plausible range (configs/uncertainty/), and the ranges sample right."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
import yaml

from sim.abm.model import GovernanceModel
from sim.spec.config import ConfigError
from sim.spec.parameters import apply_parameters
from sim.spec.provenance import config_leaves, scenario_assumptions
from sim.spec.uncertainty import load_uncertainty, pattern_matches
from tests.helpers import resolved, unresolved

ROOT = Path(__file__).resolve().parent.parent
CONFIGS = ROOT / "configs"
RANGES = CONFIGS / "uncertainty"
SCENARIOS = sorted(p.stem for p in (CONFIGS / "scenario").glob("*.yaml") if p.stem[0] != "_")
COSTS = "vietnam_2025.yaml"
POLICIES = sorted(p.stem for p in (CONFIGS / "policy").glob("*.yaml"))


def composed(scenario: str, policies=("baseline",)) -> tuple[dict, dict]:
    overrides = [f"scenario={scenario}", f"policy=[{','.join(policies)}]"]
    return resolved(overrides), unresolved(overrides)


def uncertainty(scenario: str, policies=("baseline",), directory: Path = RANGES):
    full, raw = composed(scenario, policies)
    return load_uncertainty(scenario, directory, full, raw)


def uncovered(leaves, ranges) -> list[str]:
    """Assumption values no range moves and no not_sampled entry holds fixed."""
    patterns = [
        r.path if r.path.split(".")[0] in ("policy", "costs") else f"scenario.{r.path}"
        for r in ranges.ranges
    ]
    fixed = [p if p.split(".")[0] in ("policy", "costs") else f"scenario.{p}" for p, _ in
             ranges.not_sampled]  # fmt: skip
    missing = []
    for leaf in leaves:
        keys = leaf.path.split(".")
        if any(pattern_matches(p, leaf.path) for p in patterns):
            continue
        if any(pattern_matches(p, ".".join(keys[: len(p.split("."))])) for p in fixed):
            continue
        missing.append(f"{leaf.file.name}:{leaf.line} {leaf.path} = {leaf.value!r}")
    return missing


@pytest.mark.parametrize("name", SCENARIOS)
def test_every_scenario_assumption_has_a_range(name):
    leaves = scenario_assumptions(name, CONFIGS / "scenario").values()
    missing = uncovered(leaves, uncertainty(name))
    assert not missing, f"assumptions without a range in configs/uncertainty/{name}.yaml: {missing}"


def test_every_policy_and_cost_assumption_has_a_range():
    ranges = uncertainty("lang_son_wards", POLICIES)
    leaves = [
        leaf
        for path in [*sorted((CONFIGS / "policy").glob("*.yaml")), CONFIGS / "costs" / COSTS]
        for leaf in config_leaves(path)
        if leaf.is_assumption
    ]
    leaves += [leaf for leaf in config_leaves(CONFIGS / "config.yaml", "") if leaf.is_assumption]
    assert len(leaves) > 30
    missing = uncovered(leaves, ranges)
    assert not missing, f"assumptions without a range in _policies.yaml or _costs.yaml: {missing}"


def test_the_scan_reads_flow_mappings_and_inheritance():
    leaves = scenario_assumptions("gia_lai_rural", CONFIGS / "scenario")
    assert "scenario.procedures.land_transfer.work_hours.cv" in leaves  # flow mapping on one line
    assert "scenario.communes.0.clerks.0.skills.certification" in leaves  # list of flow mappings
    assert "scenario.staff.duties.commune_master_planning.hours_per_clerk_per_day" in leaves
    assert "scenario.staff.absence_probability" in leaves  # inherited from lang_son_wards
    calibrated = scenario_assumptions("province", CONFIGS / "scenario")
    assert "scenario.applicants.citizen.digital_propensity_mean" not in calibrated
    assert not any(p.startswith("scenario.communes.") for p in calibrated)  # communes: []


def write(tmp_path: Path, *entries: dict) -> Path:
    """A ranges file for lang_son_wards in ``tmp_path`` holding ``entries``."""
    text = yaml.safe_dump({"ranges": list(entries)}, sort_keys=False)
    (tmp_path / "lang_son_wards.yaml").write_text(text)
    return tmp_path


def entry(path: str, low: float, high: float, **more) -> dict:
    base = {"path": path, "distribution": "uniform", "low": low, "high": high}
    return {**base, "category": "staffing", "reason": "r", **more}


REWORK = entry("rework_fraction", 0.3, 0.8)
ABSENCE = "staff.absence_probability"


@pytest.mark.parametrize(
    ("bad", "says"),
    [
        (entry(ABSENCE, 0.06, 0.01), "low = 0.06 >= high = 0.01: low must be below high"),
        (entry(ABSENCE, 0.01, 0.06, distribution="normal"),
         "distribution = 'normal': must be one of uniform, triangular, loguniform"),
        (entry(ABSENCE, 0.01, 0.06, category="people"), "category = 'people': must be one of"),
        (entry("staff.absense_probability", 0.01, 0.06),
         "path matches nothing in scenario 'lang_son_wards'; fix the path (near: scenario.staff"),
        (entry("calendar.kind", 0.01, 0.06), "is not a number; list it under not_sampled"),
    ],
)  # fmt: skip
def test_a_bad_range_names_file_entry_and_fix(tmp_path, bad, says):
    with pytest.raises(ConfigError) as error:
        uncertainty("lang_son_wards", directory=write(tmp_path, REWORK, bad))
    message = str(error.value)
    assert "configs/uncertainty/lang_son_wards.yaml: ranges[1]" in message, message
    assert says in message, message


def test_unit_samples_map_through_each_distribution(tmp_path):
    directory = write(
        tmp_path,
        REWORK,
        entry("staff.fatigue.memory_days", 10, 40, distribution="loguniform"),
        entry(ABSENCE, 0.0, 0.12, distribution="triangular", mode=0.03),
        entry("procedures.*.work_hours.mean", 0.5, 1.5, scale=True, group="work"),
        entry("province.departments.*.staff", 0.5, 1.5, scale=True, group="work"),
        entry("costs.training_fee_vnd_per_trainee", 0.5, 2.0, scale=True, category="policy"),
    )
    ranges = uncertainty("lang_son_wards", ("baseline", "training"), directory)
    assert ranges.factors == [
        "rework_fraction",
        "staff.fatigue.memory_days",
        "staff.absence_probability",
        "work",
        "costs.training_fee_vnd_per_trainee@scale",
    ]
    problem = ranges.problem()
    assert problem["dists"] == ["unif", "logunif", "triang", "unif", "unif"]
    assert problem["bounds"][2] == pytest.approx([0.0, 0.12, 0.25])
    values = ranges.parameters([0.5, 0.5, 0.25, 1.0, 0.0])
    assert values["rework_fraction"] == pytest.approx(0.55)
    assert values["staff.fatigue.memory_days"] == pytest.approx(20.0)  # geometric middle
    assert values["staff.absence_probability"] == pytest.approx(0.03)  # the mode's quantile
    assert values["procedures.land_transfer.work_hours.mean"] == pytest.approx(1.5 * 0.7)
    assert values["procedures.copy_certification.work_hours.mean"] == pytest.approx(1.5 * 0.2)
    staff = values["province.departments.land.staff"]
    assert staff == 21 and isinstance(staff, int)  # 1.5 x 14: the group's factor, kept whole
    assert values["policy.training.cost_vnd_per_trainee"] == pytest.approx(0.5 * 4_000_000)
    assert "costs.training_fee_vnd_per_trainee" not in values
    no_training = uncertainty("lang_son_wards", ("baseline",), directory)
    assert "costs.training_fee_vnd_per_trainee@scale" not in no_training.factors


def test_interpolated_validation_inputs_move_what_copies_them():
    ranges = uncertainty("mmc")
    values = ranges.parameters([1.0] * len(ranges.factors))
    assert values["arrival_rate_per_hour"] == values["communes.0.arrivals_per_hour"] == 4.5
    assert values["communes.0.clerks.0.count"] == 6


@pytest.mark.parametrize("name", [s for s in SCENARIOS if s != "country"])
@pytest.mark.parametrize("end", [0.0, 1.0])
def test_the_ends_of_every_range_give_a_scenario_the_model_accepts(name, end):
    full, _ = composed(name)
    ranges = uncertainty(name)
    values = ranges.parameters([end] * len(ranges.factors))
    assert all(math.isfinite(v) for v in values.values())
    scenario, _ = apply_parameters(full["scenario"], full["policy"], values)
    GovernanceModel(scenario, seed=1, start_date="2025-07-01")
