"""``python -m sim.optimize optimize.start_from=DIR``: the allocation for the communes as
they are today.

The planner's history comes from the independent queue simulator of
tests/forecast_helpers.py (not the model): two communes as the tiny scenario says, but
commune ``b``'s land clerk was on leave for the first seven weeks of the eight, so ``b``
ends the history with a large backlog of land dossiers (most of them overdue) while
its demand is the smaller of the two. Started empty, nothing singles ``b`` out (``a``
has more land work); started from today, the land specialist must go to ``b``.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

from sim.runs.start_from import read_start_from
from sim.spec.config import ConfigError
from sim.spec.scenario import ScenarioSpec
from tests.forecast_helpers import queue_history, tiny_scenario, write_csv

ROOT = Path(__file__).resolve().parent.parent
START = dt.date(2025, 7, 7)  # a Monday; the history ends on Sunday 31 August
DAYS = 56
ON_LEAVE = {("b", "land"): (0, 48)}  # back for the history's last week
HORIZON = 7
BUDGET = 1_500_000  # two seconded specialists for a week (3 M VND a month each)
SMALL_CALIBRATION = [
    "calibration.trials=8",
    "calibration.batch=4",
    "calibration.replications=1",
    "calibration.ensemble=3",
    "calibration.demand_weeks=2",
    "calibration.fit_days=7",
    "run.replications=1",
    "backtest.model=false",
]
OPTIMIZE = [
    "policy.second_staff.from_department=0",
    "optimize.levers=[second_staff]",
    f"optimize.budget_vnd={BUDGET}",
    "optimize.trials=3",
    "optimize.replications=2",
    "optimize.final_replications=4",
    "optimize.finalists=2",
]


def command(module: str, args: list[str], out: Path) -> subprocess.CompletedProcess:
    done = subprocess.run(
        [sys.executable, "-m", module, *args, f"hydra.run.dir={out}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    return done


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict:
    """A forecast folder made from the history, and the same optimisation started from
    it (the forecast's horizon) and started empty on 1 July (the same number of days)."""
    folder = tmp_path_factory.mktemp("start_from")
    (folder / "cfg" / "scenario").mkdir(parents=True)
    (folder / "cfg" / "scenario" / "tiny.yaml").write_text(yaml.safe_dump(tiny_scenario()))
    rows, _ = queue_history(START, DAYS, seed=3, absent=ON_LEAVE)
    history = write_csv(folder / "history.csv", rows)
    common = ["scenario=tiny", f"hydra.searchpath=[file://{folder / 'cfg'}]"]
    forecast = folder / "forecast"
    command(
        "sim.forecast",
        [
            *common,
            *SMALL_CALIBRATION,
            f"calibration.cache_dir={folder / 'cache'}",
            f"forecast.history={history}",
            f"forecast.days={HORIZON}",
        ],
        forecast,
    )
    warm = [*common, *OPTIMIZE, f"optimize.start_from={forecast}"]
    command("sim.optimize", warm, folder / "warm")
    command("sim.optimize", [*common, *OPTIMIZE, f"run.days={HORIZON}"], folder / "cold")
    return {"folder": folder, "forecast": forecast, "rows": rows}


def _read(folder: Path) -> tuple[dict, pd.DataFrame, dict]:
    result = json.loads((folder / "optimize.json").read_text())
    allocation = pd.read_csv(folder / "allocation.csv")
    details = json.loads((folder / "selection.json").read_text())
    return result, allocation, details


def _land_staff(allocation: pd.DataFrame) -> dict[str, int]:
    rows = allocation[(allocation.lever == "second_staff") & (allocation.field == "land")]
    return {c: int(rows[rows.commune == c].amount.sum()) for c in ("a", "b")}


def test_the_land_specialist_goes_where_the_backlog_is_today(runs):
    open_today = pd.read_csv(runs["forecast"] / "open_dossiers.csv")
    assert (open_today.commune == "b").sum() > 50 and (open_today.commune == "a").sum() < 5
    result, allocation, details = _read(runs["folder"] / "warm")
    staff = _land_staff(allocation)
    assert staff["b"] >= 1 and staff["b"] > staff["a"]
    assert allocation.cost_vnd.sum() <= BUDGET and result["best"]["cost_vnd"] <= BUDGET
    assert details["greedy_steps"][1]["added"] == "second_staff.land.b"
    # started empty, b is not singled out: a has the more land work
    _, cold, cold_details = _read(runs["folder"] / "cold")
    cold_staff = _land_staff(cold)
    assert cold_staff["b"] <= cold_staff["a"]
    assert all(step["added"] != "second_staff.land.b" for step in cold_details["greedy_steps"])


def test_baselines_run_from_the_same_start_over_the_forecasts_horizon(runs):
    result, _, details = _read(runs["folder"] / "warm")
    cold, _, cold_details = _read(runs["folder"] / "cold")
    # the day after the history, with its open dossiers, over the forecast's 7 days
    assert details["start_date"] == "2025-09-01" and details["days"] == HORIZON
    assert details["start_from"]["open_dossiers"] == len(
        pd.read_csv(runs["forecast"] / "open_dossiers.csv")
    )
    assert details["start_from"]["members"] == 3
    assert cold_details["start_date"] == "2025-07-01" and cold_details["days"] == HORIZON
    warm_none = result["baselines"]["none"]
    cold_none = cold["baselines"]["none"]
    # doing nothing leaves b's carried backlog overdue: far above the empty start
    assert warm_none["objective_ci95"][0] > cold_none["objective_ci95"][1] + 10
    for name in ("equal_split", "worst_overdue", "largest_backlog"):
        assert result["baselines"][name]["objective_mean"] < warm_none["objective_ci95"][0]


def test_start_from_errors_name_the_folder_the_file_and_the_fix(runs, tmp_path):
    scenario = tiny_scenario()
    spec = ScenarioSpec.read(scenario)
    with pytest.raises(ConfigError, match="no such folder; make the folder with"):
        read_start_from(tmp_path / "nowhere", scenario, spec)
    with pytest.raises(ConfigError, match="calibration.json not found there"):
        read_start_from(tmp_path, scenario, spec)
    partial = tmp_path / "partial"
    partial.mkdir()
    (partial / "calibration.json").write_text((runs["forecast"] / "calibration.json").read_text())
    with pytest.raises(ConfigError, match="open_dossiers.csv not found there.*rerun the same"):
        read_start_from(partial, scenario, spec)
    other = ScenarioSpec.read({**scenario, "name": "other"})
    with pytest.raises(ConfigError, match="calibrates scenario 'tiny', not 'other'"):
        read_start_from(runs["forecast"], {**scenario, "name": "other"}, other)
