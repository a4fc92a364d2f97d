"""``python -m sim.intake`` on dossier logs written by an independent generator
(tests/intake_helpers.py): the outputs, row by row, against what the generator knows."""

from __future__ import annotations

import collections
import csv
import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.forecast_helpers import FIELDS, tiny_scenario
from tests.intake_helpers import (
    DISPLAY,
    cells,
    expected_history,
    generate,
    template_workbook,
    with_bad_rows,
    write_log_csv,
    write_log_xlsx,
)
from tests.intake_helpers import (
    PROCEDURES as PROCEDURE_NAMES,
)
from tests.vi_scan import findings, text_findings

ROOT = Path(__file__).resolve().parent.parent
START = dt.date(2025, 7, 7)  # a Monday
DAYS = 54  # to Friday 29 August


def intake(args: list[str], out: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "sim.intake", *args, f"hydra.run.dir={out}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
    )


def read_csv(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> dict:
    """The tiny scenario with display names, and the generator's dossiers."""
    folder = tmp_path_factory.mktemp("intake")
    scenario = tiny_scenario()
    for commune in scenario["communes"]:
        commune["display_name"] = DISPLAY[commune["name"]]
    (folder / "cfg" / "scenario").mkdir(parents=True)
    (folder / "cfg" / "scenario" / "tiny.yaml").write_text(
        yaml.safe_dump(scenario, allow_unicode=True), encoding="utf-8"
    )
    records = generate(START, DAYS, seed=3, capacity={"land": 0.6}, demand=1.4)
    return {
        "folder": folder,
        "records": records,
        "common": ["scenario=tiny", f"hydra.searchpath=[file://{folder / 'cfg'}]"],
    }


@pytest.fixture(scope="module")
def cp1258_run(world) -> dict:
    """A cp1258, semicolon-separated export with a title line and four bad rows."""
    rows, bad = with_bad_rows(cells(world["records"], seed=5), first_row=3)
    log = write_log_csv(world["folder"] / "log.csv", rows, ";", "cp1258")
    out = world["folder"] / "out_cp1258"
    done = intake([*world["common"], f"intake.log={log}"], out)
    return {"done": done, "out": out, "bad": bad, "log": log}


def test_generator_covers_every_case(world):
    outcomes = collections.Counter(r.outcome for r in world["records"])
    assert min(outcomes[k] for k in ("resolved", "open", "withdrawn", "refused")) >= 3
    assert any(r.outcome == "resolved" and r.closed.date() > r.due for r in world["records"])


def test_history_matches_the_generator_row_by_row(world, cp1258_run):
    done = cp1258_run["done"]
    assert done.returncode == 0, done.stderr
    history = read_csv(cp1258_run["out"] / "history.csv")
    expected = expected_history(world["records"], ["a", "b"], list(FIELDS))
    assert len(history) == len(expected)
    for got, want in zip(history, expected, strict=True):
        assert {k: str(v) for k, v in want.items()} == got
    overdue = sum(int(r["overdue_end"]) for r in history)
    assert overdue > 0  # the comparison covers overdue dossiers, not only zeros


def test_open_dossiers_are_those_the_generator_left_open(world, cp1258_run):
    got = read_csv(cp1258_run["out"] / "open_dossiers.csv")
    want = [
        {"commune": r.commune, "field": r.field, "received_date": r.received.date().isoformat(),
         "deadline_date": r.due.isoformat()}
        for r in world["records"] if r.outcome == "open"
    ]  # fmt: skip
    key = lambda row: tuple(row.values())  # noqa: E731
    assert sorted(got, key=key) == sorted(want, key=key) and len(want) >= 3


def test_every_bad_row_is_listed_with_its_number(cp1258_run):
    summary = json.loads((cp1258_run["out"] / "intake.json").read_text(encoding="utf-8"))
    problems = {(p["row"], p["column"]) for p in summary["problems"]}
    assert problems == set(cp1258_run["bad"].items())
    reasons = {p["row"]: p["reason"] for p in summary["problems"]}
    assert "not a date" in reasons[13] and "result before receipt" in reasons[24]
    assert summary["rows_read"] == summary["rows_used"] + 4
    assert summary["unknown_fields"] == {"Lĩnh vực chưa có": 1}
    last = cp1258_run["done"].stdout.strip().splitlines()[-1]
    assert last.startswith("4 row(s) skipped")


def test_procedures_and_arrivals_count_the_generator_s_dossiers(world, cp1258_run):
    records = world["records"]
    procedures = read_csv(cp1258_run["out"] / "procedures.csv")
    counts = collections.Counter((r.procedure, r.field) for r in records)
    assert {(p["procedure"], p["field"]): int(p["count"]) for p in procedures} == counts
    for p in procedures:
        mine = [r for r in records if r.procedure == p["procedure"]]
        done = [r for r in mine if r.outcome == "resolved"]
        on_time = sum(r.closed.date() <= r.due for r in done) / len(done)
        assert float(p["on_time_rate"]) == pytest.approx(on_time, abs=1e-6)
        online = sum(r.channel == "Trực tuyến" for r in mine) / len(mine)
        assert float(p["online_share"]) == pytest.approx(online, abs=1e-6)
        deadline = {"certification": 2, "land": 5}[p["field"]]
        assert float(p["deadline_working_days"]) == deadline
    channel = {"Trực tiếp": "in_person", "Trực tuyến": "online", "Dịch vụ bưu chính": "post"}
    weekdays = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
    want = collections.Counter(
        (r.field, channel[r.channel], weekdays[r.received.weekday()], str(r.received.hour))
        for r in records
    )
    arrivals = read_csv(cp1258_run["out"] / "arrivals.csv")
    got = {
        (a["field"], a["channel"], a["weekday"], a["hour"]): int(a["received"]) for a in arrivals
    }
    assert got == dict(want)


@pytest.mark.parametrize("kind", ["utf-8-sig,", "utf-8-sig\t", "xlsx"])
def test_other_exports_give_the_same_statistics(world, cp1258_run, kind, tmp_path):
    """UTF-8 with BOM (comma, tab) and a workbook with real date cells and two title
    rows: the same history and open dossiers as the cp1258 export."""
    records = world["records"]
    bad = {}
    if kind == "xlsx":  # with the bad rows, as text among the date cells
        rows, bad = with_bad_rows(cells(records, seed=7, real_dates=True), first_row=4)
        log = write_log_xlsx(tmp_path / "log.xlsx", rows)
    else:
        log = write_log_csv(tmp_path / "log.csv", cells(records, seed=9), kind[-1], kind[:-1])
    done = intake([*world["common"], f"intake.log={log}"], tmp_path / "out")
    assert done.returncode == 0, done.stderr
    for name in ("history.csv", "open_dossiers.csv"):
        assert (tmp_path / "out" / name).read_text() == (cp1258_run["out"] / name).read_text()
    summary = json.loads((tmp_path / "out" / "intake.json").read_text(encoding="utf-8"))
    assert {(p["row"], p["column"]) for p in summary["problems"]} == set(bad.items())
    assert done.stdout.strip().splitlines()[-1].startswith(f"{len(bad)} row(s) skipped")


def test_strict_makes_a_bad_row_an_error(world, cp1258_run, tmp_path):
    done = intake([*world["common"], f"intake.log={cp1258_run['log']}", "intake.strict=true"],
                  tmp_path / "out")  # fmt: skip
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "row 13 column received_at = '31/02/2025 09:00'" in lines[0]
    assert "Traceback" not in done.stderr


def test_the_hints_and_the_rows_not_used_in_vietnamese(world, cp1258_run, tmp_path):
    """With output.language=vi the mapping hints printed and the report's rows that could
    not be used (their column and reason) are in Vietnamese, every text from the catalogue."""
    missing = tmp_path / "missing.txt"
    env = {**os.environ, "SIM_MISSING_TRANSLATIONS": str(missing)}
    args = [*world["common"], f"intake.log={cp1258_run['log']}", "output.language=vi"]
    done = intake(args, tmp_path / "vi", env)
    assert done.returncode == 0, done.stderr
    assert not missing.exists(), missing.read_text(encoding="utf-8")
    printed = done.stdout
    assert "lĩnh vực 'Lĩnh vực chưa có' ở 1 dòng: thêm" in printed, printed
    assert "4 dòng bị bỏ qua" in printed and " row(s)" not in printed
    assert not any(text_findings(printed).values()), printed
    report = tmp_path / "vi" / "report.html"
    page = report.read_text(encoding="utf-8")
    assert "<td>ngày có kết quả</td><td>01/01/2020 08:00</td>" in page
    assert "có kết quả trước ngày tiếp nhận" in page and "result before receipt" not in page
    assert not any(findings(report).values()), findings(report)


def test_unmatched_communes_are_listed_then_mapped(world, tmp_path):
    rows = cells(world["records"][:60], seed=5)
    for row in rows[:5]:
        row[4] = "TT hành chính công Đông Kinh"
    log = write_log_csv(tmp_path / "log.csv", rows, ",", "utf-8")
    done = intake([*world["common"], f"intake.log={log}"], tmp_path / "one")
    assert done.returncode == 0, done.stderr
    summary = json.loads((tmp_path / "one" / "intake.json").read_text(encoding="utf-8"))
    assert summary["unknown_communes"] == {"TT hành chính công Đông Kinh": 5}
    assert "intake.communes" in done.stdout and summary["rows_used"] == 55
    mapping = 'intake.communes=["TT hành chính công Đông Kinh=a"]'
    args = [*world["common"], f"intake.log={log}", "output.language=vi", mapping]
    mapped = intake(args, tmp_path / "two")
    assert mapped.returncode == 0, mapped.stderr
    summary = json.loads((tmp_path / "two" / "intake.json").read_text(encoding="utf-8"))
    assert summary["rows_used"] == 60 and summary["problems"] == []
    report = (tmp_path / "two" / "report.html").read_text(encoding="utf-8")
    assert "Sổ theo dõi hồ sơ" in report and "Đông Kinh" in report and "Dossier log" not in report


FORECAST_START = dt.date(2025, 6, 2)  # a Monday; 89 days to Friday 29 August
TINY = [  # the smallest calibration and forecast that run every step
    "calibration.trials=4",
    "calibration.batch=4",
    "calibration.replications=1",
    "calibration.ensemble=2",
    "calibration.demand_weeks=8",
    "run.replications=1",
    "forecast.days=3",
    "backtest.model=false",
]


def standing_queue_output(records, commune: str, field: str, first: dt.date, last: dt.date):
    """Results and refusals per day on the days the commune worked and a dossier of the
    cell received earlier was still open at the day's end: (days, mean), counted from
    the generator's records."""
    day = lambda value: value.date() if value else None  # noqa: E731
    output = [r for r in records if r.outcome in ("resolved", "refused")]
    counts = []
    for k in range((last - first).days + 1):
        d = first + dt.timedelta(days=k)
        worked = any(r.commune == commune and day(r.closed) == d for r in output)
        waiting = any(
            r.commune == commune and r.field == field and r.received.date() < d
            and (r.closed is None or day(r.closed) > d)
            for r in records
        )  # fmt: skip
        if worked and waiting:
            counts.append(sum(1 for r in output if (r.commune, r.field) == (commune, field)
                              and day(r.closed) == d))  # fmt: skip
    return len(counts), sum(counts) / len(counts)


def test_forecast_reads_the_log_and_calibrates_capacity_from_dossier_times(world, tmp_path):
    records = generate(FORECAST_START, 89, seed=11, capacity={"land": 0.6}, demand=1.4)
    log = write_log_csv(tmp_path / "log.csv", cells(records, seed=2), ",", "utf-8-sig")
    out = tmp_path / "forecast"
    args = [*world["common"], f"forecast.log={log}", f"calibration.cache_dir={tmp_path / 'c'}"]
    done = subprocess.run(
        [sys.executable, "-m", "sim.forecast", *args, *TINY, f"hydra.run.dir={out}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stderr
    result = json.loads((out / "forecast.json").read_text())
    still_open = [r for r in records if r.outcome == "open"]
    assert result["history_last_date"] == "2025-08-29"
    assert (
        result["open_dossiers"] == len(still_open) and "log.csv" in result["open_dossiers_source"]
    )
    got = sorted(tuple(r.values()) for r in read_csv(out / "open_dossiers.csv"))
    want = [
        (r.commune, r.field, r.received.date().isoformat(), r.due.isoformat()) for r in still_open
    ]
    assert got == sorted(want)
    calibration = json.loads((out / "calibration.json").read_text())
    direct = calibration["capacity_direct"]["a|land"]
    assert direct["source"].startswith("dossier log")
    first = dt.date.fromisoformat(calibration["demand"]["window"][0])
    days, per_day = standing_queue_output(records, "a", "land", first, dt.date(2025, 8, 29))
    assert (direct["busy_days"], direct["observed_per_day"]) == (days, pytest.approx(per_day))
    # the generator's land clerks work at 0.6 of the scenario's speed
    assert direct["factor"] == pytest.approx(0.6, abs=3 * 0.6 * direct["relative_se"] + 0.03)
    shares = {p["procedure"]: p["share_in_field"] for p in calibration["log"]["procedure_mix"]}
    land = [r for r in records if r.field == "land"]
    name = PROCEDURE_NAMES["land"][0]
    assert shares[name] == pytest.approx(sum(r.procedure == name for r in land) / len(land))


def test_the_templates_read_alike_and_say_what_they_hold(tmp_path):
    """configs/intake/log_template.csv and .xlsx (date cells): the same dossiers, and
    what a reader of the eight rows sees: four results (one late), one withdrawn, one
    refused, two still open and overdue at the log's last date."""
    import openpyxl

    folder = ROOT / "sim" / "configs" / "intake"
    fresh = template_workbook(folder / "log_template.csv", tmp_path / "fresh.xlsx")

    def values(path: Path) -> list[tuple]:
        book = openpyxl.load_workbook(path, read_only=True)
        return [tuple(row) for row in book.worksheets[0].iter_rows(values_only=True)]

    assert values(folder / "log_template.xlsx") == values(fresh)  # in step with the CSV
    outputs = {}
    for kind in ("csv", "xlsx"):
        out = tmp_path / kind
        done = intake(
            [f"intake.log={folder / f'log_template.{kind}'}", "scenario=lang_son_wards"], out
        )
        assert done.returncode == 0, done.stderr
        outputs[kind] = {n: (out / n).read_text() for n in ("history.csv", "open_dossiers.csv")}
        summary = json.loads((out / "intake.json").read_text(encoding="utf-8"))
        assert summary["outcomes"] == {"resolved": 4, "open": 2, "withdrawn": 1, "refused": 1}
    assert outputs["csv"] == outputs["xlsx"]
    history = read_csv(tmp_path / "csv" / "history.csv")
    last = [r for r in history if r["date"] == "2025-07-16" and r["commune"] == "ky_lua"]
    assert sum(int(r["open_end"]) for r in last) == sum(int(r["overdue_end"]) for r in last) == 2
    land = [r for r in history if r["commune"] == "ky_lua" and r["field"] == "land"]
    assert [
        (r["date"], r["resolved"], r["resolved_on_time"]) for r in land if r["resolved"] != "0"
    ] == [("2025-07-15", "1", "0")]
    assert Path(folder / "log_template.xlsx").stat().st_size < 1_000_000


def test_a_backtest_s_cut_hides_the_log_s_later_dossiers(world, tmp_path):
    """The history a backtest trains on (the log's, cut) carries the log along, and what
    the calibration takes from it (open dossiers, standing-queue output) is as of the
    cut: the dossiers closed later count as open, those received later do not exist."""
    import copy

    from sim.runs.log_calibration import log_history, log_open_dossiers
    from sim.spec.scenario import ScenarioSpec

    scenario = copy.deepcopy(tiny_scenario())
    for commune in scenario["communes"]:
        commune["display_name"] = DISPLAY[commune["name"]]
    records = world["records"]
    log = write_log_csv(tmp_path / "log.csv", cells(records, seed=4), "\t", "utf-8")
    history = log_history({"log": str(log)}, ScenarioSpec.read(scenario))
    cut = dt.date(2025, 8, 15)
    train = history[history["date"] <= cut].reset_index(drop=True)
    seen = []
    for r in records:
        if r.received.date() <= cut:
            r = copy.copy(r)
            if r.closed and r.closed.date() > cut:
                r.outcome, r.closed = "open", None
            seen.append(r)
    want = sorted(
        (r.commune, r.field, r.received.date(), r.due) for r in seen if r.outcome == "open"
    )
    got = sorted(
        (d.commune, d.field, d.received_date, d.deadline_date) for d in log_open_dossiers(train)
    )
    at_end = sorted(
        (r.commune, r.field, r.received.date(), r.due) for r in records if r.outcome == "open"
    )
    assert got == want and want != at_end
    first = cut - dt.timedelta(days=27)
    evidence = train.attrs["log"].capacity(cut, first)
    assert evidence  # some cell had a standing queue on enough days
    for cell, values in evidence.items():
        commune, field = cell.split("|")
        days, per_day = standing_queue_output(seen, commune, field, first, cut)
        assert (values["busy_days"], values["per_day"]) == (days, pytest.approx(per_day))


def test_a_row_with_more_cells_is_a_problem_and_a_header_without_a_column_an_error(tmp_path):
    from sim.intake import read_log
    from sim.spec.config import ConfigError

    header = "Mã hồ sơ;Lĩnh vực;Xã;Ngày tiếp nhận;Ngày hẹn trả"
    good = "1;Chứng thực;Phường Đông Kinh;01/07/2025 08:00;02/07/2025"
    path = tmp_path / "log.csv"
    rows = [header, good, good.replace("1;", "2;", 1) + ";x", good.replace("1;", "3;", 1)]
    path.write_text("\n".join(rows), "utf-8")
    log = read_log(path, {"a": "Đông Kinh"}, list(FIELDS))
    assert log.problems[["row", "column", "value"]].values.tolist() == [[3, "overflow", "x"]]
    assert len(log.dossiers) == 2
    path.write_text("\n".join([header.replace(";Ngày hẹn trả", ""), good[:-11]]), "utf-8")
    with pytest.raises(ConfigError, match=r"row 1: no column for due_at .*columns.yaml"):
        read_log(path, {"a": "Đông Kinh"}, list(FIELDS))
    with pytest.raises(ConfigError, match="no such file"):
        read_log(tmp_path / "none.csv", {"a": "Đông Kinh"}, list(FIELDS))
