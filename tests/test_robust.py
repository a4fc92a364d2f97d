"""Robust comparison: a study over the ranges of the assumptions, through `sim.run -m`."""

import json

import numpy as np
import pandas as pd
import pytest

from sim.studies.robust import PointTable, best_policy_rules, summarise
from tests.helpers import sim_run


@pytest.fixture(scope="module")
def robust_study(tmp_path_factory):
    """Two policies over 5 points of lang_son_wards' ranges, one seed each, 8 days."""
    sweep = tmp_path_factory.mktemp("robust")
    done = sim_run(
        "-m",
        "+experiment=robust_seconding_vs_training",
        "scenario=gia_lai_rural",
        "policy=[baseline],[second_staff]",
        "uncertainty.samples=5",
        "run.replications=1",
        "run.days=8",
        "hydra/launcher=basic",
        f"hydra.sweep.dir={sweep}",
    )
    assert done.returncode == 0, done.stderr
    return sweep


def _rows(sweep, policy):
    (folder,) = [p for p in sweep.iterdir() if f"policy=[{policy}]" in p.name]
    return pd.read_csv(folder / "replications.csv"), json.loads(
        (folder / "summary.json").read_text()
    )


def test_every_job_runs_the_same_points_with_the_same_seeds(robust_study):
    base, base_summary = _rows(robust_study, "baseline")
    second, summary = _rows(robust_study, "second_staff")
    assert summary["uncertainty"] == base_summary["uncertainty"] == {"samples": 5, "seed": 2025}
    factors = [c for c in base.columns if c.startswith("factor.")]
    assert len(factors) > 20 and list(base["sample"]) == [0, 1, 2, 3, 4]
    pd.testing.assert_frame_equal(base[["sample", *factors]], second[["sample", *factors]])
    # the points differ from each other: the ranges are sampled, not held at defaults
    assert base[factors].nunique().gt(1).sum() >= len(factors) - 2
    # the same seeds: demand is paired (seconding changes service, not what arrives)
    assert list(base["dossiers_created"]) == list(second["dossiers_created"])


def test_robust_table_agrees_with_the_paired_comparison(robust_study):
    robust = pd.read_csv(robust_study / "robust.csv")
    comparison = pd.read_csv(robust_study / "comparison.csv")
    assert set(robust["policy"]) == {"baseline", "second_staff"}
    assert robust["probability_best"].sum() == pytest.approx(1.0)
    assert (robust["regret_mean"] >= 0).all() and (robust["regret_max"] >= 0).all()
    row = robust.set_index("policy").loc["second_staff"]
    diff = comparison.set_index("policy").loc["second_staff", "overdue_dossiers_diff"]
    assert row["effect_mean"] == pytest.approx(diff)  # one seed per point: the same pairs
    assert row["effect_p05"] <= row["effect_p50"] <= row["effect_p95"]
    drivers = pd.read_csv(robust_study / "robust_drivers.csv")
    assert set(drivers["kind"]) <= {"rule", "correlation"} and (drivers["kind"] == "rule").any()
    assert (robust_study / "robust_effects.png").stat().st_size > 5000
    report = (robust_study / "report.html").read_text(encoding="utf-8")
    assert "Over the ranges of the assumptions" in report


def test_an_ordinary_study_has_no_robust_tables(tmp_path):
    done = sim_run(
        "-m",
        "scenario=mmc",
        "run.days=2",
        "policy=[baseline],[priority]",
        "output.report=false",
        "output.plots=false",
        "output.table=false",
        f"hydra.sweep.dir={tmp_path}",
    )
    assert done.returncode == 0, done.stderr
    from sim.studies.analysis import analyse

    analyse(tmp_path, plots=False)
    assert (tmp_path / "comparison.csv").exists() and not (tmp_path / "robust.csv").exists()


def _known_case(n: int = 60, seed: int = 3) -> PointTable:
    """Policy 'fast' wins where factor `gain` is above 0.6, 'slow' below; `noise` decides
    nothing."""
    rng = np.random.default_rng(seed)
    gain, noise = rng.random(n), rng.random(n)
    baseline = 100 + 5 * rng.standard_normal(n)
    objective = pd.DataFrame(
        {
            "baseline": baseline,
            "fast": baseline - 40 * (gain - 0.6) - 1,
            "slow": baseline - 2,
        }
    )
    factors = pd.DataFrame({"noise": noise, "gain": gain})
    return PointTable("s", "", objective, factors, {})


def test_the_rules_name_the_factor_that_flips_the_ranking():
    table = _known_case()
    rules = best_policy_rules(table)
    assert all("gain" in r["rule"] and "noise" not in r["rule"] for r in rules)
    first = rules[0]["rule"]  # the root split, left branch: gain <= threshold
    threshold = float(first.split("<=")[1].split(" and ")[0])
    assert 0.5 < threshold < 0.7
    assert rules[0]["best"] == "slow" and rules[-1]["best"] == "fast"
    assert rules[0]["tree_accuracy"] > 0.9
    assert rules[0]["cv_accuracy"] > rules[0]["majority_share"] + 0.2


def test_probability_best_and_regret_on_a_known_case():
    table = _known_case()
    rows = summarise(table).set_index("policy")
    gain = table.factors["gain"]
    fast_wins = (40 * (gain - 0.6) + 1 > 2).mean()
    assert rows.loc["fast", "probability_best"] == pytest.approx(fast_wins)
    assert rows.loc["baseline", "probability_best"] == 0.0
    assert rows.loc["slow", "regret_max"] == pytest.approx((40 * (gain - 0.6) - 1).clip(0).max())
    assert rows.loc["slow", "share_better_than_baseline"] == 1.0


def test_robust_section_is_translated(robust_study):
    from sim.reports import i18n
    from sim.studies.analysis import analyse

    i18n.MISSING.clear()
    analyse(robust_study, language="vi")
    report = (robust_study / "report.html").read_text(encoding="utf-8")
    assert "Trên khoảng giá trị của các giả định" in report
    assert not i18n.MISSING, sorted(i18n.MISSING)


def test_q_values_control_false_discoveries():
    from sim.core.stats import q_values

    rng = np.random.default_rng(5)
    null = rng.random(200)  # p-values of effects that are not there
    assert min(q_values(null)) > 0.1  # none survives a 10% false discovery rate
    q = q_values([0.001, 0.04, 0.03, 0.5])
    assert q == pytest.approx([0.004, 0.04 * 4 / 3, 0.04 * 4 / 3, 0.5])


def test_a_tree_on_noise_is_not_reported_as_a_rule():
    table = _known_case()
    table.factors["gain"] = np.random.default_rng(9).random(len(table.factors))  # unrelated
    rule = best_policy_rules(table)[0]
    assert rule["cv_accuracy"] <= rule["majority_share"] + 0.1


def test_the_rules_show_the_catalogues_labels_not_parameter_paths():
    """The decision rules' cells name each factor as the sensitivity summary does."""
    from sim.reports.i18n import language
    from sim.reports.robust_report import robust_html

    summary = pd.DataFrame(
        {"scenario": ["s", "s"], "setting": ["", ""], "policy": ["baseline", "training"],
         "points": [8, 8], "mean": [10.0, 9.0], "effect_mean": [float("nan"), -1.0],
         "effect_p05": [float("nan"), -2.0], "effect_p95": [float("nan"), 0.5],
         "share_better_than_baseline": [float("nan"), 0.7], "probability_best": [0.25, 0.75],
         "regret_mean": [1.0, 0.2], "regret_max": [3.0, 1.0]}
    )  # fmt: skip
    rule = "communes.*.clerks.*.count@scale <= 0.9512 and province.departments.*.staff > 3.5"
    drivers = pd.DataFrame(
        {"scenario": ["s"], "setting": [""], "kind": ["rule"], "rule": [rule],
         "best": ["training"], "points": [8], "cv_accuracy": [0.9], "majority_share": [0.6]}
    )  # fmt: skip
    shown = {
        "en": "the multiplier of clerks count &lt;= 0.9512 and departments staff &gt; 3.5",
        "vi": "hệ số nhân của số cán bộ &lt;= 0,9512 và cán bộ các sở &gt; 3,5",
    }
    for lang, words in shown.items():
        with language(lang):
            page = "".join(robust_html(summary, drivers))
        assert words in page, page
        assert "@scale" not in page and "communes.*" not in page
