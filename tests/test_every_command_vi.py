"""Issue 28: every command's report, workbook and printed lines in Vietnamese.

Each command runs as a user types it with ``output.language=vi output.excel=true``
and ``SIM_MISSING_TRANSLATIONS`` set: every text a report or workbook asks the
catalogue for and does not find is written there, so the test fails on the first
string without its Vietnamese entry, in any command. The workbooks must show labels
(keys only in the hidden second row), numbers as numbers and dates as date cells.
"""

from __future__ import annotations

import copy
import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from openpyxl import load_workbook

from tests.forecast_helpers import queue_history, tiny_scenario, write_csv
from tests.helpers import ROOT
from tests.test_optimize import SHORT_LAND
from tests.vi_scan import findings, text_findings

pytestmark = pytest.mark.slow  # eleven commands, about 3-7 minutes on two cores
VI = ["output.language=vi", "output.excel=true"]
FORECAST = [
    "calibration.trials=8",
    "calibration.batch=4",
    "calibration.replications=1",
    "calibration.ensemble=2",
    "calibration.demand_weeks=4",
    "calibration.fit_days=14",
    "run.replications=2",
    "forecast.days=7",
    "backtest.model=false",
    "backtest.horizon_days=7",
]


def _run(module: str, args: list[str], missing: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "SIM_MISSING_TRANSLATIONS": str(missing)}
    done = subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
    )
    assert done.returncode == 0, f"{module}: {done.stderr[-3000:]}"
    return done


@pytest.fixture(scope="module")
def outputs(tmp_path_factory) -> dict:
    """Every command once, in Vietnamese with workbooks; their folders and stdout."""
    base = tmp_path_factory.mktemp("vi")
    missing = base / "missing.txt"
    configs = base / "cfg" / "scenario"
    configs.mkdir(parents=True)
    # the user's own communes, with the names the reports show
    tiny = tiny_scenario()
    for commune, shown in zip(tiny["communes"], ("Xã Một", "Xã Hai"), strict=True):
        commune["display_name"] = shown
    (configs / "tiny.yaml").write_text(yaml.safe_dump(tiny, allow_unicode=True))
    land = copy.deepcopy(SHORT_LAND)
    for commune, shown in zip(land["communes"], ("Xã Ba", "Xã Bốn", "Xã Năm"), strict=False):
        commune["display_name"] = shown
    (configs / "short_land.yaml").write_text(yaml.safe_dump(land, allow_unicode=True))
    rows, _ = queue_history(dt.date(2025, 7, 7), 42, seed=1, demand={}, capacity={})
    history = write_csv(base / "history.csv", rows)
    search = f"hydra.searchpath=[file://{base / 'cfg'}]"
    planner = ["scenario=tiny", search, f"calibration.cache_dir={base / 'cache'}",
               f"forecast.history={history}", *FORECAST, *VI]  # fmt: skip
    out, printed = {}, {}

    def run(name: str, module: str, *args: str) -> None:
        out[name] = base / name
        done = _run(module, [*args, f"hydra.run.dir={out[name]}"], missing)
        printed[name] = done.stdout

    run("run", "sim.run", "scenario=gia_lai_rural", "run.days=20", "policy=[second_staff]", *VI)
    run("calibrate", "sim.calibrate", *planner)
    run("forecast", "sim.forecast", *planner)
    run("backtest", "sim.backtest", *planner)
    run("optimize", "sim.optimize", search, "scenario=short_land", "run.days=10",
        "policy.second_staff.from_department=0", "optimize.levers=[second_staff]",
        "optimize.budget_vnd=3000000", "optimize.trials=3", "optimize.final_replications=2",
        "optimize.finalists=2", *VI)  # fmt: skip
    run("sensitivity", "sim.sensitivity", "scenario=mmc", "run.days=5", "run.workers=1",
        "sensitivity.samples=2", *VI)  # fmt: skip
    log = ROOT / "configs" / "intake" / "log_template.xlsx"
    run("intake", "sim.intake", f"intake.log={log}", "scenario=lang_son_wards", *VI)
    # a figure that is compared and one that is not (its source's title stays as published)
    run("validate", "sim.validate", "validate.only=[lang_son_wards_july_received,"
        "national_online_on_time]", *VI)  # fmt: skip
    study = base / "study"
    sweep = ["-m", "scenario=gia_lai_rural", "run.days=10", "run.replications=2",
             "policy=[baseline],[training]", f"hydra.sweep.dir={study}", *VI]  # fmt: skip
    _run("sim.run", sweep, missing)
    printed["analysis"] = _run("sim.analysis", [str(study)], missing).stdout  # as the study
    (base / "cfg" / "experiment").mkdir()
    (base / "cfg" / "experiment" / "vi_study.yaml").write_text(
        "# @package _global_\nstudy: vi_study\nhydra:\n  sweeper:\n    params:\n"
        "      scenario: gia_lai_rural\n      policy: '[baseline],[training]'\n"
    )
    run("thresholds", "sim.thresholds", search, "+experiment=vi_study", "run.days=10",
        "run.replications=2", "thresholds.parameters=[province.departments.*.staff@scale]",
        f"hydra.sweep.dir={study}", *VI)  # fmt: skip
    out["study"] = study
    return {"out": out, "printed": printed, "missing": missing}


WORKBOOKS = {
    "run": "summary.xlsx",
    "calibrate": "calibration.xlsx",
    "forecast": "forecast.xlsx",
    "backtest": "backtest.xlsx",
    "optimize": "optimize.xlsx",
    "sensitivity": "sensitivity.xlsx",
    "study": "comparison.xlsx",
    "validate": "validation.xlsx",
}


def test_no_text_a_person_reads_lacks_its_vietnamese_entry(outputs):
    missing = outputs["missing"]
    text = missing.read_text(encoding="utf-8") if missing.exists() else ""
    assert not text, f"add to sim/reports/translations.yaml:\n{text}"
    out = outputs["out"]
    reports = [out["run"] / "report.html", out["forecast"] / "report.html",
               out["optimize"] / "report.html", out["study"] / "report.html",
               out["sensitivity"] / "sensitivity.md"]  # fmt: skip
    for report in reports:
        page = report.read_text(encoding="utf-8")
        for english in ("Capacity against demand", "Warning:", "Forecast:", "Objective:",
                        "How to read this", "growing</td>", "stable</td>"):  # fmt: skip
            assert english not in page, (report, english)
    run_page = (out["run"] / "report.html").read_text(encoding="utf-8")
    assert "Năng lực so với nhu cầu" in run_page  # the capacity section, translated
    assert "Phú Thiện" in run_page and "phu_thien" not in run_page
    study_page = (out["study"] / "report.html").read_text(encoding="utf-8")
    assert "Điều gì sẽ làm thay đổi kết luận này" in study_page  # the thresholds section
    assert (out["thresholds"] / "thresholds.csv").is_file()


@pytest.mark.parametrize("name", list(WORKBOOKS))
def test_workbook_headers_are_labels_with_keys_hidden_and_real_dates(outputs, name):
    book = load_workbook(outputs["out"][name] / WORKBOOKS[name])
    dates = 0
    for sheet in book.worksheets:
        header = [c.value for c in sheet[1]]
        keys = [c.value for c in sheet[2]]
        assert sheet.row_dimensions[2].hidden, sheet.title
        for shown, key in zip(header, keys, strict=True):
            assert shown != key and shown != key.replace("_", " "), (sheet.title, key)
        for col, key in enumerate(keys, start=1):
            cells = [sheet.cell(row=r, column=col) for r in range(3, sheet.max_row + 1)]
            if key in ("date", "origin"):  # the backtest's rows are dated by their origin
                assert all(isinstance(c.value, dt.datetime) for c in cells), sheet.title
                assert all(c.number_format == "dd/mm/yyyy" for c in cells)
                dates += len(cells)
            if key in ("commune", "scope"):
                assert not any(isinstance(c.value, str) and c.value == "all" for c in cells)
            if key in ("field", "lever"):
                assert not any(isinstance(c.value, str) and "_" in c.value for c in cells)
    if name in ("run", "forecast", "backtest"):
        assert dates > 0


def test_command_logs_keep_what_the_commands_said(outputs):
    for name in ("calibrate", "forecast", "backtest", "sensitivity"):
        logs = list(outputs["out"][name].glob("*.log"))
        assert logs and all(log.stat().st_size > 0 for log in logs), name
        said = outputs["printed"][name].strip().splitlines()[0]
        assert said in logs[0].read_text(encoding="utf-8"), name
    assert "from -" not in outputs["printed"]["forecast"]


def test_planner_readable_summaries_in_the_users_language(outputs):
    printed = outputs["printed"]
    # the allocation itself: who gets what, where, for how much; or plainly nothing
    optimize = printed["optimize"]
    assert "không làm gì là tốt nhất" in optimize or "cán bộ tỉnh biệt phái" in optimize
    # sensitivity: a sentence per output, in words, before any table
    first = printed["sensitivity"].splitlines()[0]
    assert " ảnh hưởng nhiều nhất đến " in first and "@scale" not in first
    # backtest: the columns explained where printed
    backtest = printed["backtest"]
    assert "trong khoảng 50%, trong khoảng 90%: tỷ lệ số ngày đã qua" in backtest
    # every command's lines: none of the English the same lines say without vi
    for name, text in printed.items():
        for english in ("outputs:", "overdue dossiers", "Forecast verdict", "backtest:",
                        "calibration ", "matters most", "policies:", "doing nothing"):  # fmt: skip
            assert english not in text, (name, english)


def test_no_english_word_or_raw_key_in_any_report_or_workbook(outputs):
    """What a planner reads, scanned (tests/vi_scan.py): words the Vietnamese catalogue
    does not write and snake_case keys, outside code, file names and settings as typed."""
    typed = {"tiny", "short_land", "study", *outputs["out"]}
    found = {}
    for folder in outputs["out"].values():
        for path in sorted(folder.rglob("*")):
            if path.suffix in (".md", ".html", ".xlsx"):
                result = findings(path, typed | {p.name.lower() for p in path.parents})
                if any(result.values()):
                    found[str(path)] = result
    assert not found, found


def test_display_names_in_the_forecast_and_optimize_reports(outputs):
    out = outputs["out"]
    forecast = (out["forecast"] / "report.html").read_text(encoding="utf-8")
    assert "Xã Một" in forecast and "<td>a</td>" not in forecast
    workbook = load_workbook(out["backtest"] / "backtest.xlsx").worksheets[0]
    communes = {c.value for c in workbook["C"][2:]}
    assert {"Xã Một", "Xã Hai"} <= communes and "a" not in communes


def test_no_english_word_or_raw_key_in_any_printed_line(outputs):
    """What every command prints (sim.analysis, sim.intake, sim.validate and
    sim.thresholds among them), scanned as its reports are."""
    typed = {"tiny", "short_land", "study", *outputs["out"]}
    found = {}
    for name, text in outputs["printed"].items():
        result = text_findings(text, typed)
        if any(result.values()):
            found[name] = result
    assert not found, found
    assert {"analysis", "intake", "validate", "thresholds"} <= set(outputs["printed"])
