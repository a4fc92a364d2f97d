"""The run report: a self-contained HTML file a planner can read without the code."""

from __future__ import annotations

import base64
import datetime as dt
import re
from pathlib import Path

import pytest

from sim.reports.figures import LUNAR_NEW_YEAR, closed_days
from sim.run import run_job
from tests.helpers import compose_config

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


_compose = compose_config


@pytest.fixture(scope="module")
def lang_son_report(tmp_path_factory) -> tuple[dict, str]:
    out = tmp_path_factory.mktemp("run")
    cfg = _compose(
        [
            "scenario=lang_son_wards",
            "run.days=21",
            "run.start_date=2025-08-20",
            "run.replications=2",
            "output.table=false",
            "run.progress=false",
        ]
    )
    summary = run_job(cfg, out)
    return summary, (out / "report.html").read_text(encoding="utf-8")


def test_report_is_self_contained(lang_son_report):
    _, text = lang_son_report
    images = re.findall(r'<img alt="[^"]*" src="data:image/png;base64,([A-Za-z0-9+/=]+)"', text)
    assert len(images) >= 3  # backlog, on-time by field, commune x field heatmap
    for payload in images:
        assert base64.b64decode(payload)[:8] == PNG_MAGIC
    # nothing is fetched from elsewhere: no external scripts, styles or images
    assert not re.search(r'(src|href)="(?!data:)', text)
    assert "<script" not in text


def test_report_states_the_question_in_dates(lang_son_report):
    summary, text = lang_son_report
    assert "lang_son_wards" in text and "baseline" in text
    assert "20 Aug 2025 to 09 Sep 2025 (21 days)" in text
    assert "master seed 42, 2 replications" in text
    # the 2 September national day falls in the period and is listed by date
    assert "Tue 02 Sep 2025" in text and "National Day" in text
    # with two replications the headline figures carry confidence intervals
    assert "95% CI" in text
    for label in (
        "Backlog at the end",
        "Overdue at the end",
        "On-time rate",
        "Mean time to resolution",
        "95th percentile time to resolution",
        "Staff utilisation",
        "Online share",
        "Policy cost",
    ):
        assert label in text


def test_commune_table_sorted_by_overdue(lang_son_report):
    summary, text = lang_son_report
    section = text.split("Communes, most overdue first")[1].split("</table>")[0]
    names = re.findall(r"<tr><td>([^<]+)</td>", section)
    expected = sorted(
        summary["by_commune"], key=lambda c: -summary["by_commune"][c]["overdue_open"]
    )
    assert names == [summary["display_names"][c] for c in expected]  # e.g. Kỳ Lừa
    assert len(names) == 4


def test_overdue_grid_adds_up_to_overdue_total(lang_son_report):
    summary, _ = lang_son_report
    grid = summary["overdue_by_commune_field"]
    total = sum(v for row in grid.values() for f, v in row.items() if f != "ci95")
    assert total == pytest.approx(summary["overdue_open"])
    for commune, figures in summary["by_commune"].items():
        row = sum(v for f, v in grid[commune].items() if f != "ci95")
        assert row == pytest.approx(figures["overdue_open"])


def test_lunar_new_year_is_told_apart_from_other_holidays():
    calendar = {"kind": "working", "holidays_country": "VN"}
    closed = closed_days(calendar, dt.date(2026, 2, 1), 28)
    lny = [d for d, kind, _ in closed if kind == LUNAR_NEW_YEAR]
    assert lny == [dt.date(2026, 2, d) for d in range(16, 21)]
    assert closed_days({"kind": "always_open"}, dt.date(2026, 2, 1), 28) == []


def test_report_written_for_validation_scenario(tmp_path: Path):
    cfg = _compose(["scenario=mmc", "run.days=3", "output.table=false", "run.progress=false"])
    run_job(cfg, tmp_path)
    text = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "mmc under baseline" in text
    assert "Public holidays in the period" not in text  # 24/7 calendar


def test_large_scenarios_show_their_worst_communes_first():
    """A province of 120 communes: heatmap and table keep the most overdue ones."""
    import pandas as pd

    from sim.reports.run_report import MAX_HEATMAP_COMMUNES, MAX_TABLE_COMMUNES, run_report_html

    figures = {
        "dossiers_created": 10,
        "dossiers_resolved": 9,
        "dossiers_open": 1,
        "on_time_rate": 0.9,
        "mean_sojourn_hours": 5.0,
    }
    communes = {f"c{i:03d}": {**figures, "overdue_open": i} for i in range(120)}
    summary = {
        "scenario": "big",
        "policies": ["baseline"],
        "seed": 1,
        "replications": 1,
        "start_date": "2025-07-01",
        "days": 2,
        "warmup_days": 0,
        **figures,
        "overdue_open": sum(range(120)),
        "by_field": {"land": figures},
        "by_commune": communes,
        "overdue_by_commune_field": {c: {"land": f["overdue_open"]} for c, f in communes.items()},
    }
    daily = pd.DataFrame(
        {
            "date": ["2025-07-01", "2025-07-02"],
            "received": [5, 5],
            "resolved": [4, 5],
            "backlog": [1, 1],
            "overdue_open": [0, 1],
        }
    )
    text = run_report_html(summary, daily)
    assert f"The {MAX_HEATMAP_COMMUNES} communes with most overdue dossiers of 120" in text
    table = text.split("Communes, most overdue first")[1].split("</table>")[0]
    names = re.findall(r"<tr><td>(c\d+)</td>", table)
    assert len(names) == MAX_TABLE_COMMUNES
    assert names[:2] == ["c119", "c118"] and "c019" not in names
