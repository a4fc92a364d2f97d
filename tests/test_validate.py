"""``python -m sim.validate``: published figures against the model's outputs.

The comparison logic on synthetic outputs (every kind of output and tolerance, figures
that must fail do fail), the command on a small figures file of its own and on one
figure of the shipped list, and (slow) the whole list against docs/VALIDATION.md.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import os
import subprocess
import sys

import openpyxl
import pandas as pd
import pytest

from sim.reports.i18n import language
from sim.reports.validation_report import docs_rows, holds_text
from sim.runs.published_figures import FIGURES_FILE, read_figures, select
from sim.runs.validation import FAILS, HOLDS, NOT_COMPARABLE, RunOutputs, evaluate
from sim.spec.config import ConfigError
from sim.validate import cli
from tests.helpers import ROOT, command
from tests.vi_scan import findings, text_findings

TEXT = """
    figure: words
    unit: a unit
    period: a period
    place: a place
    source: an address
    run: synthetic"""
RUNS = """
runs:
  synthetic: {scenario: mmc, days: 62, start_date: "2025-07-01", replications: 2}
figures:
"""


def _figure(ident: str, published, compare: str, tolerance: str, kind: str = "national") -> str:
    return (
        f"  - id: {ident}\n    kind: {kind}\n    published: {published}{TEXT}\n"
        f"    compare: {compare}\n    tolerance: {tolerance}\n"
    )


RATE, RECEIVED = "{summary: on_time_rate}", "{summary: dossiers_created}"
JULY = 'from: "2025-07-01", to: "2025-07-31"'
PER_COMMUNE = (
    f"{{per_commune_per_working_day: received, {JULY}, "
    "gross_up_by: demand.national.provincial_share}"
)
PER_CLERK = f"{{per_clerk_per_working_day: received, {JULY}}}"
RISE = "{monthly_rise: [resolved_on_time, resolved], from_month: 2025-07, to_month: 2025-08}"
ONLINE = f"{{daily_ratio: [online_received, received], {JULY}}}"
LOWEST = "{lowest_field: on_time_rate}"
SHARE = "{field_share: land, among: [land, civil_status]}"
# (id, published, compare, tolerance, expected verdict, expected model mean)
CASES = [
    ("absolute_holds", 0.955, RATE, "{absolute: 0.01}", HOLDS, 0.96),
    ("absolute_fails", 0.9, RATE, "{absolute: 0.01}", FAILS, 0.96),
    ("relative_holds", 1050, RECEIVED, "{relative: 0.05}", HOLDS, 1000),
    ("relative_fails", 1050, RECEIVED, "{relative: 0.04}", FAILS, 1000),
    ("within_holds", "[0.9, 0.99]", RATE, "{within: [0.9, 0.99]}", HOLDS, 0.96),
    ("within_fails", "[0.97, 0.99]", RATE, "{within: [0.97, 0.99]}", FAILS, 0.96),
    ("above_holds", "most", RATE, "{above: 0.95}", HOLDS, 0.96),
    ("below_fails", "few", RATE, "{below: 0.95}", FAILS, 0.96),
    ("lowest_field_holds", "land", LOWEST, "{one_of: [land, construction]}", HOLDS, "land"),
    ("lowest_field_fails", "civil status", LOWEST, "{one_of: [civil_status]}", FAILS, "land"),
    ("lowest_of_fields", "none below 0.9", "{lowest_of_fields: on_time_rate}", "{above: 0.9}",
     FAILS, 0.81),
    ("field_share", 0.25, SHARE, "{absolute: 0.001}", HOLDS, 0.25),
    ("daily_ratio", 0.6, ONLINE, "{absolute: 0.001}", HOLDS, 0.6),
    ("monthly_rise", "rising", RISE, "{above: 0.01}", HOLDS, 0.05),
    ("per_commune", 25.27, PER_COMMUNE, "{absolute: 0.01}", HOLDS, 930 / 2 / 23 / 0.8),
    ("per_clerk", 15.0, PER_CLERK, "{relative: 0.5}", FAILS, 930 / 10 / 23),
]  # fmt: skip


def synthetic_outputs() -> RunOutputs:
    """Two replications with known figures: 62 days from 1 July 2025, 30 received a day."""
    summaries = [
        {
            "on_time_rate": rate,
            "dossiers_created": created,
            "by_field": {
                "land": {"on_time_rate": land, "dossiers_created": 100},
                "civil_status": {"on_time_rate": 0.99, "dossiers_created": 300},
                "certification": {"on_time_rate": 0.97, "dossiers_created": 600},
            },
        }
        for rate, created, land in ((0.95, 990, 0.80), (0.97, 1010, 0.82))
    ]
    dates = [dt.date(2025, 7, 1) + dt.timedelta(days=d) for d in range(62)]
    daily = pd.DataFrame(
        {
            "date": [d.isoformat() for d in dates],
            "received": 30,
            "online_received": 18,
            "resolved": 20,
            "resolved_on_time": [18 if d.month == 7 else 19 for d in dates],  # 0.90, then 0.95
        }
    )
    working = frozenset(d.isoformat() for d in dates if d.isoweekday() <= 5)  # 23 in July
    scenario = {"demand": {"national": {"provincial_share": 0.2}}}
    return RunOutputs(summaries, [daily, daily], 2, 10, working, scenario)


def _read(tmp_path, body: str):
    path = tmp_path / "figures.yaml"
    path.write_text(RUNS + body, encoding="utf-8")
    return read_figures(path)


def test_every_kind_of_output_and_tolerance_on_synthetic_outputs(tmp_path):
    _, figures = _read(tmp_path, "".join(_figure(*case[:4]) for case in CASES))
    outputs = synthetic_outputs()
    for figure, (ident, *_, verdict, mean) in zip(figures, CASES, strict=True):
        result = evaluate(figure, outputs)
        assert result.holds == verdict, (ident, result)
        if isinstance(mean, str):
            assert result.mean == mean and result.values == [mean, mean], ident
        else:
            assert math.isclose(result.mean, mean, rel_tol=1e-9), (ident, result.mean)
    two = evaluate(figures[0], outputs)
    assert two.values == [0.95, 0.97] and two.low < 0.96 < two.high  # a replication interval


def test_a_figure_without_a_model_output_is_not_comparable(tmp_path):
    body = (
        "  - id: no_output\n    kind: national\n    published: 0.91" + TEXT + "\n"
        "    compare: {not_comparable: the model does not output X}\n"
        + _figure("no_share", 30, '{per_commune_per_working_day: received, from: "2025-07-01", '
                  'to: "2025-07-31", gross_up_by: demand.missing_share}', "{relative: 0.1}")
    )  # fmt: skip
    _, figures = _read(tmp_path, body)
    first, second = (evaluate(f, synthetic_outputs()) for f in figures)
    assert first.holds == NOT_COMPARABLE and first.reason == "the model does not output X"
    assert second.holds == NOT_COMPARABLE and "demand.missing_share" in second.reason
    with language("vi"):  # the report says why in its language
        assert holds_text(second) == ("không so sánh được: kết quả không có demand.missing_share")


@pytest.mark.parametrize(
    ("body", "named"),
    [
        (_figure("x", 0.9, "{summary: on_time_rate}", "{about: 0.1}"), "tolerance"),
        (_figure("x", "most", "{summary: on_time_rate}", "{absolute: 0.1}"), "not a number"),
        (_figure("x", 0.9, "{lowest_field: on_time_rate}", "{above: 0.1}"), "one_of"),
        (_figure("x", 0.9, "{summary: on_time_rate, to: x}", "{above: 0.1}"), "compare.to"),
        (_figure("x", 0.9, '{daily_ratio: [a, b], from: "2025-07-01", to: "2025-12-31"}',
                 "{above: 0.1}"), "outside run synthetic"),
        (_figure("x", 0.9, "{summary: on_time_rate}", "{above: 0.1}", kind="global"), "kind"),
        (2 * _figure("x", 0.9, "{summary: a}", "{above: 0.1}"), "used twice"),
    ],
)  # fmt: skip
def test_a_bad_figure_names_its_key(tmp_path, body, named):
    with pytest.raises(ConfigError) as error:
        _read(tmp_path, body)
    assert named in str(error.value) and "figures.x" in str(error.value)


def test_the_shipped_list_reads_and_covers_every_kind():
    runs, figures = read_figures(FIGURES_FILE)
    assert {f.kind for f in figures} == {"national", "provincial", "field_report"}
    for f in figures:  # a Vietnamese report has the figures' words in Vietnamese too
        needed = {"figure", "unit", "period", "place", "source"}
        needed |= {"published"} if isinstance(f.published, str) else set()
        needed |= {"note"} if f.note else set()
        needed |= {"not_comparable"} if not f.comparable else set()
        assert needed <= set(f.vi), (f.id, needed - set(f.vi))
    assert len(select(figures, ["national_online_share"])) == 1
    with pytest.raises(ConfigError, match="national_online_shar"):
        select(figures, ["national_online_shar"])
    assert all(f.run in runs for f in figures)


MMC_FIGURES = """
runs:
  tiny: {scenario: mmc, days: 3, start_date: "2025-07-01", replications: 2}
  tiny_again: {scenario: mmc, days: 3, start_date: "2025-07-01", replications: 2}
  tiny_other: {scenario: mmc, days: 3, replications: 2, overrides: [scenario.servers=6]}
figures:
  - id: arrivals_per_day
    kind: national
    figure: about 96 dossiers a day (4 an hour, 24 hours)
    published: 96
    unit: dossiers per day
    period: 3 days
    place: one commune
    source: the scenario's arrival rate
    run: tiny
    compare: {per_commune_per_working_day: received, from: "2025-07-01", to: "2025-07-03"}
    tolerance: {relative: 0.25}
  - id: arrivals_halved
    kind: national
    figure: a figure the model cannot meet
    published: 48
    unit: dossiers per day
    period: 3 days
    place: one commune
    source: none
    run: tiny
    compare: {per_commune_per_working_day: received, from: "2025-07-01", to: "2025-07-03"}
    tolerance: {relative: 0.25}
  - id: same_run_again
    kind: national
    figure: the same run under another name
    published: 96
    unit: dossiers per day
    period: 3 days
    place: one commune
    source: the scenario's arrival rate
    run: tiny_again
    compare: {per_commune_per_working_day: received, from: "2025-07-01", to: "2025-07-03"}
    tolerance: {relative: 0.25}
  - id: more_servers
    kind: national
    figure: the same arrivals with another clerk
    published: 96
    unit: dossiers per day
    period: 3 days
    place: one commune
    source: the scenario's arrival rate
    run: tiny_other
    compare: {per_commune_per_working_day: received, from: "2025-07-01", to: "2025-07-03"}
    tolerance: {relative: 0.25}
"""


def _rows(folder) -> dict[str, dict]:
    with open(folder / "validation.csv", encoding="utf-8") as handle:
        return {row["id"]: row for row in csv.DictReader(handle)}


def _cli(monkeypatch, *args: str) -> int:
    """The command line as ``python -m sim.validate ARGS`` passes it, in this process."""
    monkeypatch.setattr(sys, "argv", ["sim.validate", *args])
    return cli()


def test_the_command_reports_failures_and_exits_1_only_when_strict(tmp_path, capsys, monkeypatch):
    figures = tmp_path / "figures.yaml"
    figures.write_text(MMC_FIGURES, encoding="utf-8")
    missing = tmp_path / "missing.txt"
    env = {**os.environ, "SIM_MISSING_TRANSLATIONS": str(missing)}
    done = subprocess.run(
        [sys.executable, "-m", "sim.validate", f"validate.figures={figures}",
         "output.language=vi", "output.excel=true", f"hydra.run.dir={tmp_path / 'out'}"],
        cwd=ROOT, capture_output=True, text=True, timeout=300, env=env,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    rows = _rows(tmp_path / "out")
    # the workbook: the report's table, headers in Vietnamese, the means as numbers
    sheet = openpyxl.load_workbook(tmp_path / "out" / "validation.xlsx").active
    headers = [cell.value for cell in sheet[1]]
    assert "Giá trị mô hình" in headers or "giá trị mô hình" in headers, headers
    column = next(i for i, h in enumerate(headers) if "trung bình của mô hình" in h.lower())
    means = [row[column] for row in sheet.iter_rows(min_row=3, values_only=True)]
    assert any(isinstance(m, float) for m in means)
    assert rows["arrivals_per_day"]["holds"] == "yes" and rows["arrivals_halved"]["holds"] == "no"
    assert 72 <= float(rows["arrivals_per_day"]["model_mean"]) <= 120
    assert len(rows["arrivals_per_day"]["model_replications"].split(";")) == 2
    # the terminal speaks output.language: one line per figure, then the count
    assert "có   arrivals_per_day: mô hình" in done.stdout, done.stdout
    assert "không arrivals_halved: mô hình" in done.stdout
    assert "4 số liệu: 3 khớp, 1 không khớp, 0 không so sánh được." in done.stdout
    # one run per distinct setting: two names with the same settings share one run
    assert done.stdout.count("đang chạy tiny") == 2, done.stdout
    same = rows["arrivals_per_day"]["model_replications"]
    assert same == rows["same_run_again"]["model_replications"]
    assert len(set(same.split(";"))) == 2  # two replications, two different draws
    report = (tmp_path / "out" / "validation.md").read_text(encoding="utf-8")
    assert "Đối chiếu với số liệu đã công bố" in report and "| không |" in report
    assert not missing.exists(), missing.read_text(encoding="utf-8")
    # dates as a reader writes them (the compared period 01/07/2025 to 03/07/2025), in
    # the report, the workbook and the lines printed
    assert "01/07/2025 đến 03/07/2025" in report
    for path in (tmp_path / "out" / "validation.md", tmp_path / "out" / "validation.xlsx"):
        assert not findings(path)["dates"], path
    assert not text_findings(done.stdout)["dates"], done.stdout
    # the same figures with validate.strict=true: the same verdicts, exit 1 (the app's main)
    strict = _cli(monkeypatch, f"validate.figures={figures}", "validate.strict=true",
                  f"hydra.run.dir={tmp_path / 'strict'}")  # fmt: skip
    printed = capsys.readouterr()
    assert strict == 1, printed.err
    assert "yes  arrivals_per_day: model" in printed.out, printed.out
    assert "no   arrivals_halved: model" in printed.out
    assert "4 figure(s): 3 hold, 1 do not, 0 not comparable." in printed.out
    assert {k: v["holds"] for k, v in _rows(tmp_path / "strict").items()} == {
        k: v["holds"] for k, v in rows.items()
    }


def test_one_figure_of_the_shipped_list_through_the_command(tmp_path):
    done = command("sim.validate", "validate.only=[lang_son_wards_july_received]",
                   f"hydra.run.dir={tmp_path}")  # fmt: skip
    assert done.returncode == 0, done.stderr
    rows = _rows(tmp_path)
    assert list(rows) == ["lang_son_wards_july_received"]
    row = rows["lang_son_wards_july_received"]
    assert row["holds"] in ("yes", "no") and row["source"].startswith("baolangson.vn")
    assert float(row["model_low"]) <= float(row["model_mean"]) <= float(row["model_high"])
    assert len(row["model_replications"].split(";")) == 3  # the run's replications


@pytest.mark.parametrize(
    ("arg", "named"),
    [
        (
            "validate.only=[national_online_shar]",
            ("'national_online_shar'", "national_online_share"),
        ),
        ("scenario=province", ("scenario=province", "validate.figures=FILE")),
        ("validate.strict=maybe", ("validate.strict", "'maybe'", "true or false")),
        ("validate.nope=1", ("validate.nope", "validate.only")),
        ("output.language=fr", ("output.language", "'fr'", "vi")),
    ],
)
def test_a_users_error_is_one_line_and_exit_2(tmp_path, capsys, monkeypatch, arg, named):
    code = _cli(monkeypatch, arg, f"hydra.run.dir={tmp_path}")
    lines = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert code == 2 and len(lines) == 1, lines
    assert all(word in lines[0] for word in named), lines[0]


@pytest.mark.slow
def test_the_whole_list_gets_verdicts_and_matches_docs_validation_md(tmp_path):
    """Every figure gets a verdict (not that every one holds), and docs/VALIDATION.md
    lists the same figures with the same published values as the command writes."""
    done = command("sim.validate", f"hydra.run.dir={tmp_path}", timeout=900)
    assert done.returncode == 0, done.stderr
    _, figures = read_figures(FIGURES_FILE)
    rows = _rows(tmp_path)
    assert list(rows) == [f.id for f in figures]
    assert all(row["holds"] in ("yes", "no", "not comparable") for row in rows.values())
    assert all(row["model_mean"] != "" for row in rows.values() if row["holds"] != "not comparable")
    written = docs_rows((tmp_path / "validation.md").read_text(encoding="utf-8"))
    docs = docs_rows((ROOT / "docs" / "VALIDATION.md").read_text(encoding="utf-8"))
    assert list(written) == [f.id for f in figures]
    assert docs == written, (
        "docs/VALIDATION.md is out of date: python -m sim.validate validate.write_docs=true"
    )
    # in Vietnamese: the same verdicts, and no English word or raw key a planner reads
    vi = command("sim.validate", "output.language=vi", f"hydra.run.dir={tmp_path / 'vi'}",
                 timeout=900)  # fmt: skip
    assert vi.returncode == 0, vi.stderr
    assert {k: v["holds"] for k, v in _rows(tmp_path / "vi").items()} == {
        k: v["holds"] for k, v in rows.items()
    }
    found = findings(tmp_path / "vi" / "validation.md")  # dates as dd/mm/yyyy too
    assert not any(found.values()), found
