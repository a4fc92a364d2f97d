"""The one-command run: outputs, reproducibility, replications."""

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

from sim.run import run_job
from tests.helpers import compose_config

ROOT = Path(__file__).resolve().parent.parent
SUMMARY_KEYS = {
    "scenario",
    "policies",
    "seed",
    "dossiers_created",
    "dossiers_resolved",
    "dossiers_open",
    "dossiers_withdrawn",
    "on_time_rate",
    "overdue_open",
    "mean_wait_hours",
    "mean_sojourn_hours",
    "p95_sojourn_hours",
    "mean_backlog",
    "utilization",
    "online_share",
    "policy_cost_vnd",
    "by_field",
    "by_commune",
}
FIELD_KEYS = {"certification", "civil_status", "land", "construction", "business", "social_policy"}


def job(tmp_path: Path, name: str, overrides: list[str]) -> Path:
    out = tmp_path / name
    run_job(compose_config(overrides + ["output.table=false"]), out)
    return out


def test_default_scenario_writes_summary_daily_and_plot(tmp_path):
    out = job(tmp_path, "default", ["run.days=30"])
    summary = json.loads((out / "summary.json").read_text())
    assert SUMMARY_KEYS <= summary.keys()
    assert summary["scenario"] == "lang_son_wards"
    assert FIELD_KEYS <= summary["by_field"].keys()
    assert set(summary["by_commune"]) == {"dong_kinh", "ky_lua", "tam_thanh", "luong_van_tri"}
    for figures in list(summary["by_field"].values()) + list(summary["by_commune"].values()):
        assert {"on_time_rate", "mean_sojourn_hours", "dossiers_created"} <= figures.keys()
    assert summary["dossiers_created"] == (
        summary["dossiers_resolved"] + summary["dossiers_open"] + summary["dossiers_withdrawn"]
    )
    assert (
        sum(f["dossiers_created"] for f in summary["by_commune"].values())
        == (summary["dossiers_created"])
    )
    with open(out / "daily.csv") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 30
    assert {"date", "received", "resolved", "backlog", "overdue_open"} <= rows[0].keys()
    assert rows[0]["date"] == "2025-07-01" and rows[-1]["date"] == "2025-07-30"
    assert sum(int(float(r["received"])) for r in rows) == summary["dossiers_created"]
    assert (out / "backlog.png").stat().st_size > 10_000


def test_same_seed_same_summary_different_seed_differs(tmp_path):
    overrides = ["run.days=20", "seed=5"]
    first = (job(tmp_path, "a", overrides) / "summary.json").read_bytes()
    second = (job(tmp_path, "b", overrides) / "summary.json").read_bytes()
    other = (job(tmp_path, "c", ["run.days=20", "seed=6"]) / "summary.json").read_bytes()
    assert first == second
    assert first != other


def test_replications_give_means_and_ci95(tmp_path):
    out = job(tmp_path, "reps", ["scenario=mmc", "run.days=20", "run.replications=4"])
    summary = json.loads((out / "summary.json").read_text())
    assert summary["replications"] == 4
    low, high = summary["ci95"]["mean_wait_hours"]
    assert low < summary["mean_wait_hours"] < high
    single = json.loads(
        (job(tmp_path, "one", ["scenario=mmc", "run.days=20"]) / "summary.json").read_text()
    )
    assert "ci95" not in single
    assert single["dossiers_created"] != summary["dossiers_created"]  # a mean of 4 seeds


@pytest.mark.parametrize("scenario", ["mmc", "tandem", "lang_son_wards"])
def test_every_scenario_runs(tmp_path, scenario):
    out = job(tmp_path, scenario, [f"scenario={scenario}", "run.days=5", "output.plots=false"])
    summary = json.loads((out / "summary.json").read_text())
    assert summary["status"] == "ok" and summary["dossiers_created"] > 0


def test_command_line_mmc_writes_summary_in_run_dir(tmp_path):
    run_dir = tmp_path / "cli"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "sim.run",
            "scenario=mmc",
            "scenario.arrival_rate_per_hour=3.5",
            "scenario.servers=4",
            "run.days=10",
            f"hydra.run.dir={run_dir}",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    summary = json.loads((run_dir / "summary.json").read_text())
    assert summary["scenario"] == "mmc"
    assert 3.5 * 24 * 10 * 0.8 < summary["dossiers_created"] < 3.5 * 24 * 10 * 1.2
    assert "On-time rate" in result.stdout


def test_bad_value_exits_2_with_the_key_named(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "sim.run",
            "scenario=mmc",
            "scenario.servers=-1",
            f"hydra.run.dir={tmp_path / 'bad'}",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert "scenario.communes[0].clerks[0].count" in result.stderr
    assert "-1" in result.stderr and "Traceback" not in result.stderr
    summary = json.loads((tmp_path / "bad" / "summary.json").read_text())
    assert summary["status"] == "error"
