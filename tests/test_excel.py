"""output.excel=true writes summary.xlsx; a study writes comparison.xlsx."""

import functools
import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from tests.helpers import ROOT, sim_run


def test_summary_xlsx_holds_the_same_figures_as_the_json_and_csv(tmp_path):
    out = tmp_path / "run"
    done = sim_run(
        "scenario=gia_lai_rural",
        "run.days=20",
        "run.replications=2",
        "output.excel=true",
        f"hydra.run.dir={out}",
    )
    assert done.returncode == 0, done.stderr
    summary = json.loads((out / "summary.json").read_text())
    sheets = pd.read_excel(out / "summary.xlsx", sheet_name=None, header=1)  # the keys' row
    assert list(sheets)[:4] == ["run", "headline", "by field", "by commune"]
    assert list(sheets)[-1] == "daily"
    if (out / "capacity.csv").is_file():
        assert "capacity" in sheets
    headline = sheets["headline"].set_index("key")
    same = functools.partial(pytest.approx, rel=1e-12)  # Excel keeps 15 significant digits
    assert headline.loc["dossiers_created", "value"] == same(summary["dossiers_created"])
    assert headline.loc["on_time_rate", "value"] == same(summary["on_time_rate"])
    low, high = summary["ci95"]["on_time_rate"]
    assert headline.loc["on_time_rate", "ci_low"] == same(low)
    assert headline.loc["on_time_rate", "ci_high"] == same(high)
    by_field = sheets["by field"].set_index("field")
    assert by_field.loc["land", "overdue_open"] == summary["by_field"]["land"]["overdue_open"]
    by_commune = sheets["by commune"].set_index("commune")  # display names shown
    assert by_commune.loc["Phú Thiện", "dossiers_created"] == same(
        summary["by_commune"]["phu_thien"]["dossiers_created"]
    )
    daily = pd.read_csv(out / "daily.csv")
    assert len(sheets["daily"]) == len(daily) == 20
    assert np.allclose(sheets["daily"]["backlog"], daily["backlog"], rtol=1e-9)
    # rates are fractions shown as percentages; headers bold and frozen
    book = load_workbook(out / "summary.xlsx")
    rate_row = list(headline.index).index("on_time_rate") + 3
    assert book["headline"].cell(row=rate_row, column=2).number_format == "0.0%"
    assert book["by field"].freeze_panes == "B3"
    assert book["by field"]["A1"].font.bold and book["by field"]["A1"].value == "field"
    assert book["by field"].row_dimensions[2].hidden and book["by field"]["A2"].value == "field"
    # dates are date cells shown dd/mm/yyyy, not text
    first = book["daily"]["A3"]
    assert book["daily"]["A2"].value == "date" and first.number_format == "dd/mm/yyyy"
    assert first.value.date().isoformat() == daily["date"].iloc[0]


def test_no_workbook_unless_asked(tmp_path):
    done = sim_run("run.days=3", "output.plots=false", f"hydra.run.dir={tmp_path}")
    assert done.returncode == 0, done.stderr
    assert not (tmp_path / "summary.xlsx").exists()


def test_vietnamese_workbook_and_study_comparison_xlsx(tmp_path):
    sweep = tmp_path / "sweep"
    done = sim_run(
        "-m",
        "run.days=5",
        "output.plots=false",
        "output.report=false",
        "output.excel=true",
        "output.language=vi",
        "policy=[baseline],[priority]",
        f"hydra.sweep.dir={sweep}",
    )
    assert done.returncode == 0, done.stderr
    job = next(sweep.glob("*priority*"))
    sheets = pd.read_excel(job / "summary.xlsx", sheet_name=None)
    assert list(sheets)[:4] == ["lần chạy", "chỉ tiêu chính", "theo lĩnh vực", "theo xã"]
    assert "Tỷ lệ đúng hạn" in set(sheets["chỉ tiêu chính"]["chỉ tiêu"])
    assert "lĩnh vực" in sheets["theo lĩnh vực"].columns  # labels, not keys
    assert "đất đai" in set(sheets["theo lĩnh vực"]["lĩnh vực"])  # field names translated
    analysis = subprocess.run(
        [sys.executable, "-m", "sim.analysis", str(sweep)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert analysis.returncode == 0, analysis.stderr
    comparison = pd.read_excel(sweep / "comparison.xlsx", header=1)
    csv = pd.read_csv(sweep / "comparison.csv")
    assert list(comparison.columns) == list(csv.columns)
    # the sweep ran in Vietnamese, so does its analysis: the policies by their names
    from sim.reports.i18n import language
    from sim.reports.labels import policy_words

    with language("vi"):
        assert comparison["policy"].tolist() == [policy_words(p) for p in csv["policy"]]
    assert "phương án cơ sở" in comparison["policy"].tolist()
    assert np.allclose(comparison["overdue_dossiers"], csv["overdue_dossiers"], rtol=1e-5)
