"""Study sweeps end to end: experiment configs, launchers, one folder per job, analysis.

These run ``python -m sim.run -m`` in a subprocess, as a user would. Identical seeds
must give identical numbers whatever the launcher and the number of workers.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from sim import ROOT

EXPERIMENTS = (
    "seconding_vs_training",
    "equipment_vs_staff",
    "online_push",
    "priority_rules",
    "tet_preparation",
)
# overtime on mmc (open 24/7) fails: the sweep must carry on and report it
TINY = [
    "run.days=6",
    "run.replications=2",
    "scenario=gia_lai_rural,mmc",
    "policy=[baseline],[second_staff,overtime]",
]


def _sweep(tmp: Path, name: str, extra: list[str]) -> Path:
    out = tmp / name
    command = [
        sys.executable,
        "-m",
        "sim.run",
        "-m",
        "+experiment=seconding_vs_training",
        f"hydra.sweep.dir={out}",
        *TINY,
        *extra,
    ]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    # the sweep finishes every job, then exits 2 because one job had a config error
    assert done.returncode == 2, done.stderr[-3000:]
    assert "4 job(s), 1 failed" in done.stderr, done.stderr[-3000:]
    return out


def _numbers(sweep: Path) -> dict[str, dict]:
    result = {}
    for summary in sorted(sweep.glob("*/summary.json")):
        data = json.loads(summary.read_text())
        result[summary.parent.name] = {k: v for k, v in data.items() if k != "ci95"}
    return result


@pytest.fixture(scope="module")
def joblib_sweep(tmp_path_factory) -> Path:
    return _sweep(tmp_path_factory.mktemp("sweeps"), "joblib", [])


def test_study_sweep_writes_one_folder_per_job_and_the_comparison(joblib_sweep):
    folders = sorted(p.name for p in joblib_sweep.iterdir() if p.is_dir())
    # every swept key names the folder (the experiment itself does not)
    assert [f for f in folders if not f.startswith(".")] == [
        "policy=[baseline],run.days=6,run.replications=2,scenario=gia_lai_rural",
        "policy=[baseline],run.days=6,run.replications=2,scenario=mmc",
        "policy=[second_staff,overtime],run.days=6,run.replications=2,scenario=gia_lai_rural",
        "policy=[second_staff,overtime],run.days=6,run.replications=2,scenario=mmc",
    ]
    table = pd.read_csv(joblib_sweep / "comparison.csv", keep_default_na=False)
    rows = {(r.scenario, r.policy): r for r in table.itertuples()}
    done = rows[("gia_lai_rural", "second_staff+overtime")]
    assert done.status == "ok" and float(done.policy_cost_vnd) > 0
    failed = rows[("mmc", "second_staff+overtime")]
    assert failed.status == "error" and "overtime needs a working calendar" in failed.error
    assert rows[("mmc", "baseline")].status == "ok"
    for name in ("backlog_trajectories.png", "on_time_rate.png", "overdue_heatmap.png"):
        assert (joblib_sweep / name).exists()


@pytest.mark.slow
def test_launchers_and_worker_counts_give_identical_numbers(joblib_sweep, tmp_path):
    reference = _numbers(joblib_sweep)
    basic = _numbers(_sweep(tmp_path, "basic", ["hydra/launcher=basic"]))
    one_worker = _numbers(_sweep(tmp_path, "one", ["hydra.launcher.n_jobs=1"]))
    submitit = _numbers(_sweep(tmp_path, "submitit", ["hydra/launcher=local_submitit"]))
    assert basic == reference
    assert one_worker == reference
    assert submitit == reference


@pytest.mark.parametrize("name", EXPERIMENTS)
def test_every_study_has_a_config_and_a_readme_with_its_question(name):
    config = ROOT / "configs" / "experiment" / f"{name}.yaml"
    assert config.read_text().startswith("# @package _global_")
    assert f"study: {name}" in config.read_text()
    readme = (ROOT / "experiments" / name / "README.md").read_text()
    assert "Question" in readme and f"+experiment={name}" in readme


@pytest.mark.slow
def test_a_study_rerun_with_fewer_replications_compares_only_its_own_jobs(tmp_path):
    """Issue: `+experiment=priority_rules run.replications=4`, then `=2`, left 16 rows
    and twin lines; the rerun's comparison holds the rerun's jobs only."""
    out = tmp_path / "priority_rules"
    printed = ""
    for replications in (3, 2):
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "sim.run",
                "-m",
                "+experiment=priority_rules",
                "scenario=mmc",
                "run.days=3",
                f"run.replications={replications}",
                f"hydra.sweep.dir={out}",
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert done.returncode == 0, done.stderr[-3000:]
        printed = done.stdout
    table = pd.read_csv(out / "comparison.csv")
    assert len(table) == 2 and (table["replications"] == 2).all()
    assert printed.count("] baseline:") == 1 and printed.count("] priority:") == 1
    assert "left out 2 older job(s): from an earlier sweep into this folder" in printed
