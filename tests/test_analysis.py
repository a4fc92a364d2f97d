"""Sweep analysis: paired differences, failed jobs reported, plots written."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from scipy import stats

from sim.run import run_job
from sim.studies.analysis import analyse, main
from tests.helpers import compose_config

QUIET = [
    "run.days=12",
    "run.replications=3",
    "output.table=false",
    "output.report=false",
    "output.plots=false",
    "run.progress=false",
    "scenario=lang_son_wards",
]


def _job(sweep: Path, folder: str, overrides: list[str]) -> Path:
    out = sweep / folder
    run_job(compose_config(QUIET + overrides), out)
    (out / ".hydra").mkdir()
    (out / ".hydra" / "overrides.yaml").write_text(yaml.safe_dump(overrides))
    return out


@pytest.fixture(scope="module")
def sweep(tmp_path_factory) -> Path:
    sweep = tmp_path_factory.mktemp("sweep")
    _job(sweep, "base", ["policy=[baseline]", "scenario=lang_son_wards"])
    _job(sweep, "staff", ["policy=[second_staff,overtime]", "scenario=lang_son_wards"])
    _job(sweep, "short", ["policy=[second_staff]", "scenario=lang_son_wards", "run.replications=2"])
    failed = sweep / "broken"
    (failed / ".hydra").mkdir(parents=True)
    (failed / ".hydra" / "overrides.yaml").write_text(yaml.safe_dump(["policy=[training]"]))
    (failed / "summary.json").write_text(json.dumps({"status": "error", "error": "boom: x = 1"}))
    killed = sweep / "killed"
    (killed / ".hydra").mkdir(parents=True)
    (killed / ".hydra" / "overrides.yaml").write_text(yaml.safe_dump(["policy=[priority]"]))
    return sweep


def test_comparison_pairs_replications_with_the_baseline(sweep, capsys):
    table = analyse(sweep)
    printed = capsys.readouterr().out
    assert (sweep / "comparison.csv").exists()
    for name in ("backlog_trajectories.png", "on_time_rate.png", "overdue_heatmap.png"):
        assert (sweep / name).stat().st_size > 10_000
    row = table.set_index("policy").loc["second_staff+overtime"]
    base = pd.read_csv(sweep / "base" / "replications.csv")
    staff = pd.read_csv(sweep / "staff" / "replications.csv")
    overdue = lambda t: t["dossiers_late"] + t["overdue_open"]  # noqa: E731
    diffs = (overdue(staff) - overdue(base)).to_numpy()
    half = stats.t.ppf(0.975, 2) * diffs.std(ddof=1) / math.sqrt(3)
    assert row["overdue_dossiers_diff"] == pytest.approx(diffs.mean())
    assert row["overdue_dossiers_diff_ci_low"] == pytest.approx(diffs.mean() - half)
    assert row["overdue_dossiers"] == pytest.approx(overdue(staff).mean())
    cost = staff["policy_cost_vnd"].mean()
    assert row["policy_cost_vnd"] == pytest.approx(cost) and cost > 0
    # the split: a secondment's salaries are paid anyway (opportunity), beside the budget
    opportunity = staff["policy_opportunity_cost_vnd"].mean()
    assert row["policy_opportunity_cost_vnd"] == pytest.approx(opportunity) and opportunity > 0
    assert row["policy_opportunity_cost_vnd_diff"] == pytest.approx(opportunity)
    if diffs.mean() < 0:
        assert row["cost_per_overdue_averted_vnd"] == pytest.approx(cost / -diffs.mean())
    else:
        assert np.isnan(row["cost_per_overdue_averted_vnd"])
    assert "FAILED broken: boom: x = 1" in printed
    assert "FAILED killed" in printed


def test_jobs_with_fewer_replications_pair_over_the_common_ones(sweep):
    table = analyse(sweep, plots=False).set_index("policy")
    base = pd.read_csv(sweep / "base" / "replications.csv")
    short = pd.read_csv(sweep / "short" / "replications.csv")
    assert len(short) == 2 and table.loc["second_staff", "note"] == ""
    diffs = short["mean_backlog"].to_numpy() - base["mean_backlog"].to_numpy()[:2]
    assert table.loc["second_staff", "mean_backlog_diff"] == pytest.approx(diffs.mean())


def test_failed_jobs_are_rows_with_their_error(sweep):
    table = analyse(sweep, plots=False)
    by_policy = table.set_index("policy")
    assert by_policy.loc["training", "status"] == "error"
    assert by_policy.loc["training", "error"] == "boom: x = 1"
    assert by_policy.loc["priority", "status"] == "missing"
    assert by_policy.loc["baseline", "status"] == "ok"
    assert np.isnan(by_policy.loc["training", "overdue_dossiers"])


def test_command_line_reports_a_missing_folder(tmp_path, capsys):
    assert main([str(tmp_path / "nothing")]) == 2
    assert "not a folder" in capsys.readouterr().err
    assert main([str(tmp_path)]) == 2


SMALL = ["scenario=mmc", "run.days=4"]


def test_a_rerun_with_other_overrides_replaces_the_first_runs_jobs(tmp_path, capsys):
    """A study rerun into its folder with fewer replications: only the rerun's jobs are
    compared (16 rows and twin lines before), unless --all asks for every job."""
    study = tmp_path / "study"
    (study / "multirun.yaml").parent.mkdir()
    (study / "multirun.yaml").write_text("first sweep\n")
    for policy in ("baseline", "priority"):
        _job(study, f"{policy}_3", [f"policy=[{policy}]", "run.replications=3", *SMALL])
    (study / "multirun.yaml").write_text("second sweep\n")  # Hydra rewrites it at each sweep
    for policy in ("baseline", "priority"):
        _job(study, f"{policy}_2", [f"policy=[{policy}]", "run.replications=2", *SMALL])
    assert main([str(study), "--no-plots"]) == 0
    printed = capsys.readouterr().out
    table = pd.read_csv(study / "comparison.csv")
    assert sorted(table["folder"]) == ["baseline_2", "priority_2"]
    assert (table["replications"] == 2).all()
    lows = [c for c in table.columns if c.endswith("_ci_low") and "_diff" not in c]
    assert lows and all((table[c].dropna() >= 0).all() for c in lows)  # clipped to >= 0
    assert printed.count("mmc [run.days=4] baseline:") == 1
    assert "left out 2 older job(s): from an earlier sweep into this folder" in printed
    report = (study / "report.html").read_text()
    assert "Most parameters are assumptions" in report and "random variation only" in report
    assert main([str(study), "--no-plots", "--all"]) == 0
    table = pd.read_csv(study / "comparison.csv")
    # every job of the folder, and of twins with the same settings the newest
    assert sorted(table["folder"]) == ["baseline_2", "priority_2"]
    assert "replaced by a newer job with the same settings" in capsys.readouterr().out
