"""Forecast from a planner's own data, through the commands a planner types.

The history comes from the independent queue simulator of tests/forecast_helpers.py
(not the model), with a known change: commune ``a`` has 40% more demand than the
scenario says, and the land clerks work at 60% of the scenario's speed. The last 28
of its 112 days are held out as the truth a forecast is checked against.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

from sim.forecasting.backtest import BACKTEST_COLUMNS
from sim.runs.forecasting import FORECAST_COLUMNS, bands, threshold_crossings
from tests.forecast_helpers import FIELDS, queue_history, tiny_scenario, write_csv

ROOT = Path(__file__).resolve().parent.parent
START = dt.date(2025, 7, 7)  # a Monday
DAYS, HELD_OUT = 112, 28
DEMAND = {("a", "certification"): 1.4, ("a", "land"): 1.4}
CAPACITY = {"land": 0.6}
# small settings: a few seconds per command on two cores
SMALL = [
    "calibration.trials=24",
    "calibration.batch=4",
    "calibration.replications=2",
    "calibration.ensemble=6",
    "calibration.demand_weeks=12",
    "run.replications=3",
]


@pytest.fixture(scope="module")
def planner(tmp_path_factory) -> dict:
    """A config folder with the tiny scenario, the full and the shortened history, the
    open dossiers at the shortened history's end, and a calibration cache."""
    folder = tmp_path_factory.mktemp("planner")
    (folder / "cfg" / "scenario").mkdir(parents=True)
    (folder / "cfg" / "scenario" / "tiny.yaml").write_text(yaml.safe_dump(tiny_scenario()))
    rows, open_rows = queue_history(
        START, DAYS, seed=1, demand=DEMAND, capacity=CAPACITY, open_at=DAYS - HELD_OUT
    )
    cut = (START + dt.timedelta(days=DAYS - HELD_OUT - 1)).isoformat()
    return {
        "folder": folder,
        "full": write_csv(folder / "history_full.csv", rows),
        "history": write_csv(folder / "history.csv", [r for r in rows if r["date"] <= cut], ";"),
        "open": write_csv(folder / "open_dossiers.csv", open_rows),
        "truth": pd.DataFrame([r for r in rows if r["date"] > cut]),
        "common": [
            "scenario=tiny",
            f"hydra.searchpath=[file://{folder / 'cfg'}]",
            f"calibration.cache_dir={folder / 'cache'}",
            *SMALL,
        ],
    }


def command(module: str, args: list[str], out: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", module, *args, f"hydra.run.dir={out}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )


def demand_recovered(calibration: dict) -> None:
    """Commune a's demand is 40% above the scenario's, b's as the scenario says."""
    cells = calibration["demand"]["cells"]
    for commune, truth in (("a", 1.4), ("b", 1.0)):
        mine = [cells[f"{commune}|{f}"] for f in FIELDS]
        ratio = sum(c["observed_per_day"] for c in mine) / sum(c["model_per_day"] for c in mine)
        assert ratio == pytest.approx(truth, rel=0.15), commune  # SE about 3%
    for field in FIELDS:  # the changed commune, field by field (SE 3% and 5%)
        assert cells[f"a|{field}"]["demand_factor"] == pytest.approx(1.4, rel=0.15)


@pytest.mark.slow
def test_calibrate_writes_and_caches_the_calibration(planner, tmp_path):
    args = [*planner["common"], f"forecast.history={planner['history']}"]
    done = command("sim.calibrate", args, tmp_path / "one")
    assert done.returncode == 0, done.stderr
    result = json.loads((tmp_path / "one" / "calibration.json").read_text())
    demand_recovered(result)
    assert len(result["members"]) == 6 and result["fit"]["communes"]["all"]["backlog_mae"] >= 0
    again = command("sim.calibrate", args, tmp_path / "two")
    assert again.returncode == 0 and "reused from the cache" in again.stdout


def test_forecast_band_covers_held_out_truth_and_policy_is_paired(planner, tmp_path):
    args = [
        *planner["common"],
        f"forecast.history={planner['history']}",
        f"forecast.open_dossiers={planner['open']}",
        f"forecast.days={HELD_OUT}",
        "backtest.model=false",
        "policy=[second_staff]",
    ]
    done = command("sim.forecast", args, tmp_path)
    assert done.returncode == 0, done.stderr
    table = pd.read_csv(tmp_path / "forecast.csv")
    demand_recovered(json.loads((tmp_path / "calibration.json").read_text()))
    assert tuple(table.columns) == FORECAST_COLUMNS
    assert len(table) == HELD_OUT * 3  # two communes and all
    first = (START + dt.timedelta(days=DAYS - HELD_OUT)).isoformat()
    assert table["date"].min() == first
    for key in ("backlog", "overdue", "resolved"):
        assert (table[f"{key}_p05"] <= table[f"{key}_p50"]).all()
        assert (table[f"{key}_p50"] <= table[f"{key}_p95"]).all()
    truth = planner["truth"].groupby(["date", "commune"])["open_end"].sum().reset_index()
    seen = truth.merge(table, on=["date", "commune"])
    inside = (seen["open_end"] >= seen["backlog_p05"]) & (seen["open_end"] <= seen["backlog_p95"])
    assert len(seen) == 2 * HELD_OUT and inside.mean() >= 0.7  # pooled over the communes
    band = table[table["commune"] == "all"].set_index("date")
    difference = pd.read_csv(tmp_path / "difference.csv")
    end = difference[(difference["commune"] == "all") & (difference["date"] == band.index.max())]
    assert float(end["backlog_diff_mean"].iloc[0]) < 0  # seconded staff clear backlog
    policy = pd.read_csv(tmp_path / "forecast_policy.csv")
    # the policy's paired effect is layered onto the published forecast
    last = policy[(policy["commune"] == "all") & (policy["date"] == band.index.max())]
    shift = float(last["backlog_p50"].iloc[0]) - float(band["backlog_p50"].iloc[-1])
    assert shift == pytest.approx(max(float(end["backlog_diff_mean"].iloc[0]),
                                      -float(band["backlog_p50"].iloc[-1])), abs=1e-6)  # fmt: skip
    facts = json.loads((tmp_path / "forecast.json").read_text())
    assert list(facts)[0] == "trust" and facts["trust"]["origins"] == 5  # 84 days
    assert facts["trust"]["method"] in ("persistence", "last_week", "flow")
    assert done.stdout.startswith("Forecast verdict: ")
    report = (tmp_path / "report.html").read_text()
    body = report[report.index("<body") :]
    assert body.index("Forecast verdict") < body.index("<h1>")
    assert "overdue threshold" in report and "Calibration" in report


def test_forecast_without_history_names_the_key(planner, tmp_path):
    done = command("sim.forecast", planner["common"], tmp_path)
    assert done.returncode == 2
    assert "forecast.history: not given; add forecast.history=PATH" in done.stderr


@pytest.mark.slow
def test_backtest_scores_the_model_and_every_baseline_on_rolling_origins(planner, tmp_path):
    args = [*planner["common"], f"forecast.history={planner['full']}", "forecast.days=28"]
    done = command("sim.backtest", args, tmp_path)
    assert done.returncode == 0, done.stderr
    table = pd.read_csv(tmp_path / "backtest.csv")
    assert list(table.columns) == list(BACKTEST_COLUMNS)
    assert set(table["method"]) == {"persistence", "last_week", "flow", "model"}
    assert table["origin"].nunique() >= 4 and set(table["horizon_days"]) == {28}
    result = json.loads((tmp_path / "backtest.json").read_text())
    scores = {m: s["overall"]["mae_backlog"] for m, s in result["scores"].items()}
    # commune a's demand is 40% above the scenario's and its land clerks slower: its
    # backlog moves, and the published method does better than nothing changes
    assert min(scores.values()) < 0.9 * scores["persistence"]
    assert result["trust"]["verdict"] in ("good", "usable")


def test_bands_and_thresholds():
    dates = ["2025-10-01", "2025-10-02"]
    runs = [
        {"dates": dates, "cells": {"a|land": {"backlog": [v, v + 10], "overdue": [v, 2 * v],
                                              "resolved": [1, 1], "received": [2, 2]}}}
        for v in range(21)
    ]  # fmt: skip
    table = bands(runs)
    row = table[(table["commune"] == "a") & (table["date"] == dates[1])].iloc[0]
    assert (row["backlog_p05"], row["backlog_p50"], row["backlog_p95"]) == (11, 20, 29)
    crossings = threshold_crossings(table, 15)
    assert crossings == [{"commune": "a", "likely": dates[1], "possible": dates[0]}]


def test_spin_up_lives_through_the_history_end_and_keeps_the_forecast_days():
    import sim.api as api
    from sim.forecasting.model import forecast_runs, spun_up
    from sim.spec.scenario import ScenarioSpec

    rows, _ = queue_history(START, 42, seed=4, demand=DEMAND, capacity=CAPACITY)
    history = pd.DataFrame(rows)
    history["date"] = [dt.date.fromisoformat(d) for d in history["date"]]
    spin_up, carried = spun_up(history, ScenarioSpec.read(tiny_scenario()), 14)
    assert spin_up == 14
    start_open = history[history["date"] == history["date"].max() - dt.timedelta(days=14)]
    assert len(carried) == start_open["open_end"].sum()  # open when the spin-up starts
    neutral = {f"{c}|{f}": 1.0 for c in ("a", "b") for f in FIELDS}
    calibration = {
        "demand": {"cells": {c: {"trend_per_day": 0.0} for c in neutral}},
        "members": [{"demand": neutral, "capacity": neutral}],
    }
    start = history["date"].max() + dt.timedelta(days=1)
    common = dict(start=start, days=7, seed=1, replications=1, policies=("baseline",), workers=1)
    runs = forecast_runs(api, tiny_scenario(), calibration, carried, spin_up=14, **common)
    assert runs[0]["dates"][0] == start.isoformat() and len(runs[0]["dates"]) == 7
    assert all(len(v["backlog"]) == 7 for v in runs[0]["cells"].values())
    # the same days without a spin-up start from the carried dossiers instead
    cold = forecast_runs(api, tiny_scenario(), calibration, (), **common)
    assert runs[0]["cells"]["a|land"]["backlog"] != cold[0]["cells"]["a|land"]["backlog"]


def test_input_checks_stop_with_the_dates_and_counts_named(planner, tmp_path):
    rows, open_rows = queue_history(START, 42, seed=6)
    gap = [r for r in rows if r["date"] not in ("2025-07-23", "2025-07-24")]  # Wed, Thu
    history = write_csv(tmp_path / "gap.csv", gap)
    args = [*planner["common"], f"forecast.history={history}", "backtest.model=false"]
    done = command("sim.backtest", args, tmp_path / "gap")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "no row for any commune on 2025-07-23 to 2025-07-24" in done.stderr
    assert "forecast.missing_days=zero" in done.stderr
    quiet = command("sim.backtest", [*args, "forecast.missing_days=zero"], tmp_path / "quiet")
    assert quiet.returncode == 0, quiet.stderr
    few = write_csv(tmp_path / "open.csv", open_rows[: len(open_rows) // 2])
    full = write_csv(tmp_path / "full.csv", rows)
    args = [*planner["common"], f"forecast.history={full}", f"forecast.open_dossiers={few}"]
    done = command("sim.forecast", args, tmp_path / "few")
    assert done.returncode == 2 and "forecast.open_dossiers:" in done.stderr
    last = [r for r in rows if r["date"] == rows[-1]["date"]]
    listed = {c: sum(r["commune"] == c for r in open_rows[: len(open_rows) // 2]) for c in "ab"}
    ends = {c: sum(r["open_end"] for r in last if r["commune"] == c) for c in "ab"}
    assert any(
        f"lists {listed[c]} open dossiers of {c} but the history's open_end on "
        f"{rows[-1]['date']} sums to {ends[c]}" in done.stderr
        for c in "ab"
    ), done.stderr


def test_a_commune_given_by_its_display_name_is_its_id(tmp_path):
    folder = tmp_path / "cfg" / "scenario"
    folder.mkdir(parents=True)
    scenario = tiny_scenario()
    scenario["communes"][0]["display_name"] = "Kỳ Lừa"
    (folder / "tiny.yaml").write_text(yaml.safe_dump(scenario, allow_unicode=True))
    rows, _ = queue_history(START, 42, seed=7)
    named = [{**r, "commune": "Kỳ Lừa" if r["commune"] == "a" else r["commune"]} for r in rows]
    history = write_csv(tmp_path / "named.csv", named)
    args = [
        "scenario=tiny",
        f"hydra.searchpath=[file://{tmp_path / 'cfg'}]",
        f"forecast.history={history}",
        "backtest.model=false",
        "forecast.days=7",
    ]
    done = command("sim.backtest", args, tmp_path / "out")
    assert done.returncode == 0, done.stderr
    table = pd.read_csv(tmp_path / "out" / "backtest.csv")
    assert set(table["commune"]) == {"a", "b", "all", "overall"}


def test_the_worked_example_script_imports():
    """docs/examples/forecast/make_example.py, which writes the README's worked example,
    imports only what the package has (it once stopped at a name sim.api had dropped)."""
    path = ROOT / "docs" / "examples" / "forecast" / "make_example.py"
    spec = importlib.util.spec_from_file_location("make_example", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert callable(module.main)
