"""The planners' measures, the citizens' figures, equity and policy costs, as a user
gets them from `python -m sim.run`."""

from __future__ import annotations

import json
import math
import subprocess
import sys

import pandas as pd
import pytest

from sim.abm.model import GovernanceModel
from sim.core.metrics import combine_daily
from sim.spec.scenario import ScenarioSpec, display_names
from tests.helpers import scenario

RUN = [sys.executable, "-m", "sim.run", "run.progress=false", "output.plots=false"]


@pytest.fixture(scope="module")
def gia_lai_dir(tmp_path_factory):
    """The output folder of one 40-day run of rural Gia Lai with three policies."""
    out = tmp_path_factory.mktemp("gia_lai")
    subprocess.run(
        [
            *RUN,
            "scenario=gia_lai_rural",
            "run.days=40",
            "policy=[second_staff,equipment,overtime]",
            f"hydra.run.dir={out}",
        ],
        check=True,
        capture_output=True,
    )
    return out


@pytest.fixture(scope="module")
def gia_lai(gia_lai_dir) -> tuple[dict, str]:
    summary = json.loads((gia_lai_dir / "summary.json").read_text())
    return summary, (gia_lai_dir / "report.html").read_text()


def test_daily_measures_add_up_to_the_summary(gia_lai_dir, gia_lai):
    """daily.csv's day-by-day measures: ahead of deadline, citizens' trips and the waits
    of the dossiers first taken up each day add up to the run's figures (one
    replication, no warm-up: every dossier is in both)."""
    summary, _ = gia_lai
    daily = pd.read_csv(gia_lai_dir / "daily.csv")
    ahead = summary["ahead_of_deadline_rate"] * summary["dossiers_resolved"]
    assert ahead > 0 and daily["resolved_ahead"].sum() == pytest.approx(ahead)
    assert summary["citizen_trips"] > 0
    assert daily["citizen_trips"].sum() == summary["citizen_trips"]
    assert (daily["resolved_ahead"] <= daily["resolved_on_time"]).all()
    for mean, count, key in (
        ("mean_reception_wait_hours", "reception_started", "mean_reception_wait_hours"),
        ("mean_backoffice_wait_hours", "backoffice_started", "mean_backoffice_wait_hours"),
        ("province_mean_wait_hours", "province_started", "province_mean_wait_hours"),
    ):
        started = daily[count]
        assert started.sum() > 0 and summary[key] > 0
        pooled = (daily[mean] * started).sum() / started.sum()
        assert pooled == pytest.approx(summary[key], rel=1e-4)
        assert daily.loc[started == 0, mean].isna().all()  # no dossier taken up, no mean
        assert daily.loc[started > 0, mean].notna().all()
    weekend = pd.to_datetime(daily["date"]).dt.day_of_week >= 5
    assert (daily.loc[weekend, "citizen_trips"] == 0).all()  # the PASCs are shut


def test_daily_means_pool_over_replications_and_provinces():
    """A mean wait pools the dossiers of every replication (or province) that day."""
    frames = [
        pd.DataFrame({"date": ["d1", "d2"], "backoffice_started": [1, 0],
                      "mean_backoffice_wait_hours": [2.0, math.nan], "citizen_trips": [4, 0]}),
        pd.DataFrame({"date": ["d1", "d2"], "backoffice_started": [3, 0],
                      "mean_backoffice_wait_hours": [4.0, math.nan], "citizen_trips": [6, 2]}),
    ]  # fmt: skip
    mean = combine_daily(frames, average=True)
    assert mean["mean_backoffice_wait_hours"].iloc[0] == pytest.approx(3.5)  # (2 + 12) / 4
    assert math.isnan(mean["mean_backoffice_wait_hours"].iloc[1])
    assert list(mean["backoffice_started"]) == [2.0, 0.0]
    assert list(mean["citizen_trips"]) == [5.0, 1.0]
    total = combine_daily(frames, average=False)
    assert total["mean_backoffice_wait_hours"].iloc[0] == pytest.approx(3.5)
    assert list(total["citizen_trips"]) == [10, 2]


def test_measures_agree_with_each_other(gia_lai):
    summary, _ = gia_lai
    for figures in (summary, *summary["by_field"].values(), *summary["by_commune"].values()):
        assert figures["mean_wait_hours"] == figures["mean_backoffice_wait_hours"]
        assert figures["overdue_dossiers"] == figures["dossiers_late"] + figures["overdue_open"]
        if figures["on_time_rate"] is not None:
            assert figures["ahead_of_deadline_rate"] <= figures["on_time_rate"]
            assert figures["on_time_rate_ranking"] <= figures["on_time_rate"]
    assert summary["mean_reception_wait_hours"] > 0  # the rural PASCs have counters
    assert summary["province_mean_wait_hours"] > 0
    assert 0 < summary["mean_working_days_to_result"] < summary["p95_working_days_to_result"]


def test_citizen_figures_and_equity_groups(gia_lai):
    summary, report = gia_lai
    assert summary["citizen_trips"] > 0 and summary["citizen_cost_vnd"] > 0
    trips = summary["citizen_trips_per_dossier"]
    assert trips == pytest.approx(summary["citizen_trips"] / summary["dossiers_created"])
    # the households without signal cannot file online: more trips per dossier
    assert summary["equity"]["no_signal"]["citizen_trips_per_dossier"] > trips
    far = summary["equity"]["over_10_km"]
    assert far["citizen_hours_per_dossier"] > summary["citizen_hours_per_dossier"]
    worst = summary["worst_off_commune"]
    rates = {n: f["on_time_rate"] for n, f in summary["by_commune"].items()}
    assert worst["lowest_on_time"] == min(rates, key=rates.get)
    names = display_names(ScenarioSpec.read(scenario("gia_lai_rural")))
    assert "<h2>Equity</h2>" in report and names[worst["lowest_on_time"]] in report


def test_policy_costs_split_and_add_up(gia_lai):
    summary, report = gia_lai
    costs = summary["policy_costs"]
    assert summary["policy_cost_vnd"] == pytest.approx(sum(c["budget_vnd"] for c in costs.values()))
    assert summary["policy_opportunity_cost_vnd"] == pytest.approx(
        sum(c["opportunity_vnd"] for c in costs.values())
    )
    for split in costs.values():
        total = split["budget_vnd"] + split["opportunity_vnd"]
        assert split["one_off_vnd"] + split["recurring_vnd"] == pytest.approx(total)
        assert sum(split["by_commune"].values()) == pytest.approx(total)
        assert sum(split["items"].values()) == pytest.approx(total)
    # a secondment's salary is paid anyway; only the allowance is new money
    second = costs["second_staff"]
    assert second["opportunity_vnd"] == pytest.approx(4 * second["budget_vnd"])  # 12 M vs 3 M
    # the province-wide sync fix is charged once, to the province, with the scenario's share
    equipment = costs["equipment"]
    assert equipment["by_commune"]["province"] == pytest.approx(equipment["items"]["sync_fix"])
    assert equipment["province_share_vnd"] == pytest.approx(equipment["items"]["sync_fix"] * 4 / 98)
    assert equipment["items"]["network"] == 0  # gia_lai_rural's network needs no upgrade
    assert "What the policies cost" in report


def test_working_days_on_a_24_7_calendar_are_elapsed_days():
    model = GovernanceModel(scenario("mmc"), seed=3)
    model.run(10)
    summary = model.summary()
    assert summary["mean_working_days_to_result"] * 24 == pytest.approx(
        summary["mean_sojourn_hours"], rel=1e-9
    )
    assert math.isnan(summary["mean_reception_wait_hours"])  # no counters in mmc
    assert summary["mean_wait_hours"] == summary["mean_backoffice_wait_hours"]
