"""capacity.csv: demand against capacity per commune x field, its verdict and the warning."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from sim.abm.model import GovernanceModel
from sim.run import run_job
from sim.runs.capacity import COLUMNS, capacity_table, verdict
from tests.helpers import compose_config, scenario


def run_cli(tmp_path, *overrides: str):
    """What `python -m sim.run OVERRIDES` writes, in process."""
    cfg = compose_config([*overrides, "output.plots=false", "output.table=false"])
    run_job(cfg, tmp_path)
    return pd.read_csv(tmp_path / "capacity.csv"), (tmp_path / "report.html").read_text()


@pytest.mark.parametrize(
    ("load", "expected"),
    [(0.0, "stable"), (0.899, "stable"), (0.9, "tight"), (0.999, "tight"), (1.0, "growing")],
)
def test_verdict_thresholds(load, expected):
    assert verdict(load) == expected


def test_table_arithmetic_and_days_to_clear():
    cell = {
        "commune": "a",
        "field": "land",
        "demand_hours_per_day": 6.0,
        "capacity_hours_per_day": 10.0,
        "backlog_work_hours": 20.0,
        "by_month": {
            "2025-07": {"demand_hours_per_day": 5.0},
            "2025-08": {"demand_hours_per_day": 9.5},
        },
    }
    over = dict(cell, field="civil_status", demand_hours_per_day=12.0)
    table = capacity_table({"a/land": cell, "a/civil_status": over})
    assert list(table.columns) == list(COLUMNS)
    table = table.set_index("field")
    assert table.loc["land", "load"] == pytest.approx(0.6)
    assert table.loc["land", "days_to_clear"] == pytest.approx(20 / (10 - 6))
    assert table.loc["land", "busiest_month"] == "2025-08"
    assert table.loc["land", "busiest_month_load"] == pytest.approx(0.95)
    assert table.loc["civil_status", "verdict"] == "growing"
    assert math.isnan(table.loc["civil_status", "days_to_clear"])


@pytest.mark.parametrize(("arrivals", "servers"), [(4.0, 5), (6.0, 5)])
def test_mmc_load_is_lambda_over_c_mu(arrivals, servers):
    """M/M/c (24/7, proficiency 1): demand lambda x 24 / mu, capacity c x 24 clerk-hours."""
    data = scenario("mmc", f"scenario.arrival_rate_per_hour={arrivals}",
                    f"scenario.servers={servers}")  # fmt: skip
    model = GovernanceModel(data, seed=7, warmup_days=5)
    model.run(60)
    cell = model.summary()["capacity"]["commune/certification"]
    assert cell["capacity_hours_per_day"] == pytest.approx(servers * 24, rel=1e-9)
    # 55 days x 24 h x lambda arrivals: Poisson noise about 1%
    assert cell["demand_hours_per_day"] == pytest.approx(arrivals * 24, rel=0.05)
    table = capacity_table(model.summary()["capacity"])
    assert table["verdict"].iloc[0] == verdict(arrivals / servers)


def test_run_writes_capacity_csv_and_shows_it_in_the_report(tmp_path):
    table, report = run_cli(tmp_path, "scenario=gia_lai_rural", "run.days=60")
    assert list(table.columns) == list(COLUMNS)
    assert set(table["commune"]) == {"ia_rbol", "ia_sao", "phu_thien", "chu_a_thai"}
    assert set(table["verdict"]) <= {"stable", "tight", "growing"}
    by_field = table.groupby("field")["load"].mean()
    assert by_field["land"] > by_field["certification"]  # land busier than certification
    assert "<h2>Capacity against demand</h2>" in report
    stable = table[table["verdict"] == "stable"]
    assert (stable["days_to_clear"] >= 0).all()
    assert table[table["verdict"] != "stable"]["days_to_clear"].isna().all()


def test_report_warns_first_when_a_cell_is_growing(tmp_path):
    _, report = run_cli(
        tmp_path / "over",
        "scenario=gia_lai_rural",
        "run.days=30",
        "scenario.demand.national.dossiers_per_commune_per_working_day=90",
    )
    assert "Warning: backlogs that keep growing" in report
    assert report.index("Warning: backlogs that keep growing") < report.index("The question")
    _, calm = run_cli(
        tmp_path / "calm", "scenario=mmc", "scenario.arrival_rate_per_hour=3", "run.days=20"
    )
    assert "Warning: backlogs that keep growing" not in calm
