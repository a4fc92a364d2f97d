"""The planners' measures, the citizens' figures, equity and policy costs, as a user
gets them from `python -m sim.run`."""

from __future__ import annotations

import json
import math
import subprocess
import sys

import pytest

from sim.abm.model import GovernanceModel
from tests.helpers import scenario

RUN = [sys.executable, "-m", "sim.run", "run.progress=false", "output.plots=false"]


@pytest.fixture(scope="module")
def gia_lai(tmp_path_factory) -> tuple[dict, str]:
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
    summary = json.loads((out / "summary.json").read_text())
    return summary, (out / "report.html").read_text()


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
    assert "<h2>Equity</h2>" in report and worst["lowest_on_time"] in report


def test_policy_costs_split_and_add_up(gia_lai):
    summary, report = gia_lai
    costs = summary["policy_costs"]
    assert summary["policy_cost_vnd"] == pytest.approx(sum(c["budget_vnd"] for c in costs.values()))
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
