"""``python -m sim.thresholds``: switching values of a study's verdicts, through the command.

The known case: in ``gia_lai_rural`` overtime's cost depends on the backlog (it is paid
by the hour worked, so it varies from seed to seed) while seconding's cost is the
allowance, linear in the secondment allowance's multiplier. On the figure
``policy_cost_vnd`` the paired difference overtime - seconding is therefore linear in
that multiplier, and over the same seeds it crosses 0 where the multiplier equals
mean(overtime's cost) / seconding's cost at today's allowance: the brute-force value,
measured here with the batch API on the same seeds. Seconding against the baseline
costs more at every multiplier: no switch.
"""

from __future__ import annotations

import math
import os
import subprocess

import numpy as np
import pandas as pd
import pytest

from sim.api import RunSpec, run_many
from sim.reports import i18n
from sim.reports.thresholds_report import sentences, thresholds_html
from sim.studies.thresholds import COLUMNS
from tests.helpers import command

DAYS, REPS, SEED = 15, 6, 42
KNOWN_SCENARIO = "gia_lai_rural"  # land piles up there: overtime is worked, and paid
WORKSTATIONS = (
    "SOURCES.md: the communes lack computers and rooms; how many they have is not reported: +-30%"
)
ALLOWANCE = "costs.secondment_allowance_vnd_per_month@scale"
ALLOWED = "policy.second_staff.allowance_vnd_per_person_month@scale"  # what the cost moves
RANGES = """\
ranges:
  - path: costs.secondment_allowance_vnd_per_month
    scale: true
    distribution: uniform
    low: 0.01
    high: 2.0
    category: policy
    reason: "test: a wide range"
  - path: costs.citizen_travel_km_per_hour
    distribution: uniform
    low: 15
    high: 35
    category: behaviour
    reason: "test: moves no policy's cost"
"""
EXPERIMENT = """\
# @package _global_
study: {name}
hydra:
  sweeper:
    params:
      scenario: {scenario}
      policy: "{policies}"
"""


def thresholds(*args: str) -> subprocess.CompletedProcess:
    """``python -m sim.thresholds ARGS`` as a user types it."""
    return command("sim.thresholds", *args, timeout=600)


def configs(tmp_path, name: str, policies: str, scenario: str = "gia_lai_ia_ly"):
    folder = tmp_path / "configs"
    (folder / "experiment").mkdir(parents=True, exist_ok=True)
    (folder / "experiment" / f"{name}.yaml").write_text(
        EXPERIMENT.format(name=name, policies=policies, scenario=scenario), encoding="utf-8"
    )
    (folder / "ranges.yaml").write_text(RANGES, encoding="utf-8")
    return [f"hydra.searchpath=[file://{folder}]", f"+experiment={name}",
            f"thresholds.ranges={folder / 'ranges.yaml'}"]  # fmt: skip


@pytest.fixture(scope="module")
def known(tmp_path_factory):
    """One run of the command: a quick Morris screen picks the factor (no sensitivity
    result in an empty folder), then ends and bisection."""
    tmp = tmp_path_factory.mktemp("thresholds")
    done = thresholds(
        *configs(tmp, "cost_case", "[baseline],[overtime],[second_staff]", KNOWN_SCENARIO),
        f"run.days={DAYS}", f"run.replications={REPS}", f"seed={SEED}", "run.workers=1",
        "thresholds.figure=policy_cost_vnd", "thresholds.top=1",
        f"thresholds.sensitivity_dir={tmp / 'none'}", f"hydra.run.dir={tmp / 'out'}",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return pd.read_csv(tmp / "out" / "thresholds.csv"), done.stdout, tmp / "out"


def _row(table: pd.DataFrame, comparison_parts: set[str]) -> pd.Series:
    for _, row in table.iterrows():
        name = row["comparison"].split(": ")[1]
        if set(name.split(" vs ")) == comparison_parts:
            return row
    raise AssertionError(f"no comparison of {comparison_parts}: {list(table['comparison'])}")


@pytest.mark.slow
def test_the_switching_value_holds_the_brute_force_value_in_its_interval(known):
    table, stdout, _ = known
    assert list(table.columns) == COLUMNS
    row = _row(table, {"overtime", "second_staff"})
    assert row["parameter"] == ALLOWANCE  # the screen ranks the factor that moves the cost
    # brute force on the same seeds: overtime's mean cost, seconding's cost per multiplier
    specs = [RunSpec(KNOWN_SCENARIO, policies=p, parameters=x, days=DAYS, seed=SEED,
                     replication=r, outputs=("policy_cost_vnd",))
             for p, x in ((("overtime",), {}),
                          (("second_staff",), {ALLOWED: 1.0}),
                          (("second_staff",), {ALLOWED: 2.0}))
             for r in range(REPS)]  # fmt: skip
    costs = np.array([s["policy_cost_vnd"] for s in run_many(specs)]).reshape(3, REPS)
    overtime = costs[0].mean()
    slope = costs[2, 0] - costs[1, 0]
    assert slope > 0 and np.ptp(costs[1]) == 0  # seconding's cost: linear, the same every seed
    intercept = costs[1, 0] - slope
    expected = (overtime - intercept) / slope
    assert 0.01 < expected < 2.0
    assert row["threshold_low"] <= expected <= row["threshold_high"]
    assert row["threshold_low"] <= row["threshold_value"] <= row["threshold_high"]
    assert row["threshold_high"] - row["threshold_low"] < 0.5 * (2.0 - 0.01)
    sign = 1 if row["comparison"].endswith("vs second_staff") else -1  # overtime - seconding
    assert sign * row["effect_at_low"] > 0 > sign * row["effect_at_high"]
    assert "beats" in stdout


@pytest.mark.slow
def test_a_verdict_that_holds_across_the_range_has_no_threshold(known):
    table, _, _ = known
    row = _row(table, {"second_staff", "baseline"})
    assert row["parameter"] == ALLOWANCE
    assert math.isnan(row["threshold_value"]) and math.isnan(row["threshold_low"])
    assert row["effect_at_low"] > 0 and row["effect_at_high"] > 0  # seconding costs more
    assert row["effect_at_high"] > row["effect_at_low"]


@pytest.mark.slow
def test_thresholds_lie_in_their_ranges_and_agree_with_the_effects_at_the_ends(known):
    table, _, out = known
    assert (table["source"] == "assumption").all()
    for _, row in table.iterrows():
        low, high = row["effect_at_low"], row["effect_at_high"]
        if math.isnan(row["threshold_value"]):
            assert low * high >= 0
        else:
            assert low * high < 0
            assert row["range_low"] <= row["threshold_low"] <= row["threshold_value"]
            assert row["threshold_value"] <= row["threshold_high"] <= row["range_high"]
    assert (out / "thresholds_tornado.png").is_file()
    assert "beats" in (out / "thresholds.md").read_text(encoding="utf-8")


def test_top_below_one_is_a_one_line_error(tmp_path):
    args = configs(tmp_path, "cost_case", "[baseline],[second_staff]")
    done = thresholds(*args, "thresholds.top=0", f"hydra.run.dir={tmp_path / 'a'}")
    assert done.returncode == 2 and "thresholds.top = 0: must be an integer >= 1" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_an_unknown_parameter_is_named_with_the_known_ones(tmp_path):
    args = configs(tmp_path, "cost_case", "[baseline],[second_staff]")
    done = thresholds(*args, "thresholds.parameters=[nonsense]", "run.days=2",
                      f"hydra.run.dir={tmp_path / 'b'}")  # fmt: skip
    assert done.returncode == 2 and "'nonsense' is no factor" in done.stderr
    assert ALLOWANCE in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_a_study_without_comparisons_is_a_one_line_error(tmp_path):
    single = configs(tmp_path, "one_policy", "[baseline]")
    done = thresholds(*single, f"hydra.run.dir={tmp_path / 'c'}")
    assert done.returncode == 2 and "compares no policies" in done.stderr


def test_no_study_is_a_one_line_error(tmp_path):
    done = thresholds("scenario=mmc", f"hydra.run.dir={tmp_path / 'd'}")
    assert done.returncode == 2 and "+experiment=NAME" in done.stderr


def test_report_section_says_who_beats_whom_on_the_side_today_is_not(tmp_path):
    table = pd.DataFrame(
        [["gia_lai_rural: training vs second_staff", "province.departments.*.staff@scale",
          "staffing", 3, 2, 8, 5.2, 4.8, 5.6, -4.0, 6.0, "assumption"],
         ["gia_lai_rural: training vs baseline", "local_duties", "management", 0.4, 0, 1,
          None, None, None, -9.0, -2.0, WORKSTATIONS]],
        columns=COLUMNS,
    )  # fmt: skip
    said = sentences(table)
    assert len(said) == 1  # the second row's verdict holds across its range
    from sim.reports.thresholds_report import factor_text, sentence

    unplaced = table.iloc[0].copy()
    unplaced[["threshold_low", "threshold_high"]] = [2, 8]  # the whole range
    assert "cannot place where (about 5.20)" in sentence(unplaced)
    assert "quantile" in factor_text(table.iloc[1])  # a group of unscaled ranges, 0 to 1
    scaled_group = table.iloc[1].copy()
    scaled_group[["range_low", "range_high"]] = [0.8, 1.2]  # a group of scaled ranges
    assert "multiplier" in factor_text(scaled_group)
    assert said[0].startswith("gia_lai_rural: second staff beats training only if the multiplier")
    assert "at least 5.20 (95% interval 4.80 to 5.60); today's value, 3.00, is an" in said[0]
    i18n.MISSING.clear()
    with i18n.language("vi"):
        html = "".join(thresholds_html(table, None))
        vi = sentences(table)
    assert not i18n.MISSING, sorted(i18n.MISSING)
    assert "5,20" in vi[0] and "second_staff" not in vi[0]
    assert "SOURCES.md: các xã thiếu máy tính" in html


def test_every_range_that_cites_sources_has_its_vietnamese_words():
    """A range's SOURCES.md reason is the ``source`` a Vietnamese report shows."""
    from sim.spec.paths import CONFIG_DIR
    from sim.spec.uncertainty import read_ranges
    from sim.studies.thresholds import source_of

    i18n.MISSING.clear()
    cited = set()
    with i18n.language("vi"):
        for path in sorted((CONFIG_DIR / "uncertainty").glob("[a-z]*.yaml")):
            for r in read_ranges(path.stem, path.parent)[0]:
                if source_of(r) != "assumption":
                    cited.add(i18n.t(source_of(r)))
    assert cited and not i18n.MISSING, sorted(i18n.MISSING)


@pytest.mark.slow
def test_the_newest_sensitivity_result_of_the_scenario_ranks_the_factors(tmp_path):
    """An older result and another scenario's newer one are left aside."""
    results = tmp_path / "sensitivity"
    rows = {"2026-01-01_00-00-00_gia_lai_ia_ly": ALLOWANCE,
            "2026-01-02_00-00-00_gia_lai_ia_ly": "costs.citizen_travel_km_per_hour",
            "2026-01-03_00-00-00_gia_lai_rural": ALLOWANCE}  # fmt: skip
    for i, (folder, first) in enumerate(rows.items()):
        (results / folder).mkdir(parents=True)
        other = ALLOWANCE if first != ALLOWANCE else "costs.citizen_travel_km_per_hour"
        pd.DataFrame(
            {
                "output": ["overdue_dossiers"] * 2,
                "parameter": [first, other],
                "category": ["policy"] * 2,
                "mu_star": [9.0, 1.0],
                "mu_star_conf": [0.0] * 2,
                "sigma": [0.0] * 2,
            }  # fmt: skip
        ).to_csv(results / folder / "sensitivity.csv", index=False)
        os.utime(results / folder / "sensitivity.csv", (1e9 + i, 1e9 + i))
    done = thresholds(
        *configs(tmp_path, "cost_case", "[baseline],[second_staff]"),
        "run.days=5", "run.replications=2", "run.workers=1", "thresholds.top=1",
        f"thresholds.sensitivity_dir={results}", f"hydra.run.dir={tmp_path / 'out'}",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    table = pd.read_csv(tmp_path / "out" / "thresholds.csv")
    assert list(table["parameter"]) == ["costs.citizen_travel_km_per_hour"]
    assert "2026-01-02_00-00-00_gia_lai_ia_ly" in done.stdout
