"""A planner's data: history.csv and open_dossiers.csv read, checked and warm-started."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from sim.abm.model import GovernanceModel
from sim.spec.config import ConfigError
from sim.spec.observed import (
    read_history,
    read_open_dossiers,
    rebuild_open_dossiers,
)
from tests.forecast_helpers import FIELDS, queue_history, tiny_scenario, write_csv

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "configs" / "forecast"
START = dt.date(2025, 9, 1)


def history_rows():
    rows, open_rows = queue_history(START, 10, seed=3)
    return rows, open_rows


def test_templates_read():
    history = read_history(
        TEMPLATES / "history_template.csv", ["commune_a", "commune_b"], ["land", "civil_status"]
    )
    assert len(history) == 2 * 2 * 2  # every date x commune x field, missing rows filled
    missing = history[(history.commune == "commune_b") & (history.field == "civil_status")]
    assert missing["received"].sum() == 0 and missing["open_end"].sum() == 0
    last = max(history["date"])
    dossiers = read_open_dossiers(
        TEMPLATES / "open_dossiers_template.csv",
        ["commune_a", "commune_b"],
        ["land", "civil_status"],
        last,
    )
    assert len(dossiers) == 4 and dossiers[0].deadline_date == dt.date(2025, 9, 26)


def test_semicolons_and_missing_rows_carry_the_stock(tmp_path):
    rows, _ = history_rows()
    dropped = [r for r in rows if not (r["date"] == "2025-09-05" and r["commune"] == "a")]
    path = write_csv(tmp_path / "history.csv", dropped, sep=";")
    history = read_history(path, ["a", "b"], FIELDS)
    assert len(history) == 10 * 2 * 2
    day = history[(history.date == dt.date(2025, 9, 5)) & (history.commune == "a")]
    before = history[(history.date == dt.date(2025, 9, 4)) & (history.commune == "a")]
    assert list(day["received"]) == [0, 0]
    assert list(day["open_end"]) == list(before["open_end"])


@pytest.mark.parametrize(
    ("column", "value", "expected"),
    [
        ("date", "30/09/2025", "column date = '30/09/2025': not a date; write it YYYY-MM-DD"),
        ("commune", "zz", "column commune = 'zz': not one of the scenario's commune ids: a, b"),
        ("field", "tax", "column field = 'tax': not one of the scenario's field keys"),
        ("received", "-1", "column received = '-1': must be a whole number"),
        ("resolved", "2.5", "column resolved = '2.5': must be a whole number"),
        ("overdue_end", "999", "column overdue_end = 999: more than open_end"),
    ],
)
def test_history_errors_name_row_column_value_and_fix(tmp_path, column, value, expected):
    rows, _ = history_rows()
    rows[3][column] = value
    path = write_csv(tmp_path / "history.csv", rows)
    with pytest.raises(ConfigError) as error:
        read_history(path, ["a", "b"], FIELDS)
    assert f"{path} row 5 " in str(error.value) and expected in str(error.value)


def test_history_missing_column_and_duplicate_row(tmp_path):
    rows, _ = history_rows()
    path = write_csv(
        tmp_path / "h.csv", [{k: v for k, v in r.items() if k != "open_end"} for r in rows]
    )
    with pytest.raises(ConfigError, match="row 1: missing column.s. open_end"):
        read_history(path, ["a", "b"], FIELDS)
    path = write_csv(tmp_path / "h2.csv", rows + [rows[0]])
    with pytest.raises(ConfigError, match=r"already given on row 2; give one row per date"):
        read_history(path, ["a", "b"], FIELDS)


def test_open_dossiers_errors(tmp_path):
    rows = [{"commune": "a", "field": "land", "received_date": "2025-09-05",
             "deadline_date": "2025-09-01"}]  # fmt: skip
    path = write_csv(tmp_path / "open.csv", rows)
    with pytest.raises(ConfigError, match=r"row 2 column deadline_date = 2025-09-01: before"):
        read_open_dossiers(path, ["a", "b"], FIELDS, dt.date(2025, 9, 10))
    with pytest.raises(ConfigError, match=r"received_date = 2025-09-05: after the history"):
        read_open_dossiers(path, ["a", "b"], FIELDS, dt.date(2025, 9, 4))


def test_rebuilt_open_dossiers_match_the_last_day(tmp_path):
    rows, _ = history_rows()
    history = read_history(write_csv(tmp_path / "h.csv", rows), ["a", "b"], FIELDS)
    rebuilt = rebuild_open_dossiers(history, {"certification": 3, "land": 7})
    last = history[history.date == max(history.date)]
    assert len(rebuilt) == last["open_end"].sum()
    after = max(history.date)
    assert sum(d.deadline_date < after for d in rebuilt) == last["overdue_end"].sum()


def test_warm_start_keeps_the_open_dossiers_and_the_audit_balances():
    spec = tiny_scenario()
    start = dt.date(2025, 9, 16)  # a Tuesday: no closed days just before
    carried = [("a", "land", "2025-09-01", "2025-09-08")] * 30 + [
        ("b", "certification", "2025-09-12", "2025-09-16")
    ] * 4
    model = GovernanceModel(spec, seed=2, start_date=start, open_dossiers=carried, cell_series=True)
    cold = GovernanceModel(spec, seed=2, start_date=start, cell_series=True)
    for m in (model, cold):
        m.step()
    cells = model.cell_series()["cells"]
    assert 15 <= cells["a|land"]["overdue"][0] <= 30  # past due; a clerk resolves ~8 a day
    # day one: the 4 certification dossiers are due at the end of 16 September
    assert cells["b|certification"]["overdue"][0] == 0
    # not received today: the day's receipts are the cold run's (same demand stream)
    assert model.daily_frame()["received"].iloc[0] == cold.daily_frame()["received"].iloc[0]
    for m in (model, cold):
        m.run(20)
    audit = model.audit()
    assert audit["created"] == audit["resolved"] + audit["withdrawn"] + audit["open"]
    assert (
        audit["open"]
        == audit["queued"] + audit["in_service"] + audit["in_transit"] + (audit["with_applicant"])
    )
    total = model.metrics.total
    assert total.created == cold.metrics.total.created + 34
    # a land clerk working off 30 carried dossiers resolves more land than without them
    land = sum(cells["a|land"]["resolved"][:5])
    assert land > sum(cold.cell_series()["cells"]["a|land"]["resolved"][:5])


def test_monday_warm_start_receives_the_weekend_visitors():
    """In-person needs of the weekend before a Monday start come on the first day."""
    spec = tiny_scenario()
    carried = [("a", "land", "2025-09-12", "2025-09-19")]
    received = {}
    for name, items in (("warm", carried), ("cold", [])):
        model = GovernanceModel(spec, seed=5, start_date="2025-09-15", open_dossiers=items)
        model.run(2)
        received[name] = model.daily_frame()["received"].tolist()
    # about three days of needs on the Monday (12 + 7.2 a day in the two communes)
    assert received["warm"][0] > received["cold"][0] + 20
    assert 40 < received["warm"][0] < 80


def test_calibration_factors_change_the_demand_and_capacity():
    spec = tiny_scenario()
    spec["communes"][0]["demand_factors"] = {"land": 2.0}
    spec["communes"][1]["capacity_factors"] = {"certification": 0.25}
    totals = {"calibrated": {}, "scenario": {}}
    peak = {"calibrated": 0, "scenario": 0}
    for seed in (4, 5, 6):
        for name, data in (("calibrated", spec), ("scenario", tiny_scenario())):
            model = GovernanceModel(data, seed=seed, start_date="2025-09-01", cell_series=True)
            model.run(28)
            for cell, values in model.cell_series()["cells"].items():
                totals[name][cell] = totals[name].get(cell, 0) + sum(values["received"])
            backlog = model.cell_series()["cells"]["b|certification"]["backlog"]
            peak[name] = max(peak[name], max(backlog))
    ratio = totals["calibrated"]["a|land"] / totals["scenario"]["a|land"]
    assert 1.7 < ratio < 2.3  # about 250 dossiers each way: SE of the ratio about 0.15
    other = totals["calibrated"]["a|certification"] / totals["scenario"]["a|certification"]
    assert 0.85 < other < 1.15
    assert peak["calibrated"] > 3 * peak["scenario"]  # a quarter of the speed
    with pytest.raises(ConfigError, match=r"communes\[0\].capacity_factors.tax: unknown field"):
        spec["communes"][0]["capacity_factors"] = {"tax": 1.0}
        GovernanceModel(spec, seed=4)


def test_batch_runs_take_open_dossiers_and_give_cell_series():
    from sim.api import RunSpec, run_key, run_many
    from sim.runs.batch import Task
    from sim.runs.replications import replication_seed

    carried = (("a", "land", "2025-09-01", "2025-09-08"),) * 40
    spec = RunSpec(tiny_scenario(), days=10, start_date="2025-09-15", seed=3,
                   open_dossiers=carried, cell_series=True, outputs=("daily_cells",))  # fmt: skip
    cells = run_many([spec])[0]["daily_cells"]
    model = GovernanceModel(
        tiny_scenario(),
        seed=replication_seed(3, 0),
        start_date="2025-09-15",
        open_dossiers=carried,
        cell_series=True,
    )
    model.run(10)
    assert cells == model.cell_series()
    assert cells["cells"]["a|land"]["backlog"][0] > 5
    plain = Task(0, "base", (), 10, 0, "2025-09-15", 3, 0)
    assert run_key("base", plain) != run_key("base", Task(0, "base", (), 10, 0, "2025-09-15",
                                                         3, 0, carried))  # fmt: skip


def test_history_fatigue_follows_the_models_rule_and_starts_the_clerks_tired():
    from sim.runs.calibration import history_fatigue
    from sim.spec.scenario import ScenarioSpec

    spec = tiny_scenario()
    spec["staff"] = {"fatigue": {"overload_queue_per_clerk": 5, "memory_days": 10,
                                 "slowdown": 0.2}}  # fmt: skip
    rows, _ = queue_history(START, 28, seed=3)
    history = pd.DataFrame(rows)
    history["date"] = [dt.date.fromisoformat(d) for d in history["date"]]
    history.loc[history["commune"] == "a", "open_end"] = 100  # over 5 x 2 clerks
    fatigue = history_fatigue(history, ScenarioSpec.read(spec), START + dt.timedelta(days=28))
    weekdays = 20  # in four weeks; the first looks at the day before the history: none
    assert fatigue["a"] == pytest.approx(1 - 0.9 ** (weekdays - 1), abs=1e-3)
    assert fatigue["b"] == 0.0
    spec["communes"][0]["initial_fatigue"] = fatigue["a"]
    model = GovernanceModel(spec, seed=1, start_date="2025-09-01")
    assert all(c.fatigue == fatigue["a"] for c in model.communes[0].clerks)
    assert all(c.fatigue == 0.0 for c in model.communes[1].clerks)
