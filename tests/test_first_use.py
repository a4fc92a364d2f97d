"""What a new user types, as typed: ``python -m sim.run ...`` through its entry point.

Each test runs the command line (``sim.run.cli`` with ``sys.argv`` set, as ``python -m
sim.run`` does) and checks what the user sees: a working run, or exit 2 with one line
that names the fix.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from sim import ROOT
from sim.run import cli

EXAMPLE_CSV = "configs/communes/example.csv"


def sim_run(args: list[str], out: Path, capsys, monkeypatch) -> tuple[int, str, str]:
    """Run ``python -m sim.run ARGS hydra.run.dir=OUT`` in this process."""
    monkeypatch.chdir(ROOT)
    monkeypatch.setattr(sys, "argv", ["sim.run", *args, f"hydra.run.dir={out}"])
    code = cli()
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def error_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.startswith("error: ")]
    assert len(lines) == 1, err
    return lines[0]


def test_documented_communes_file_command_runs(tmp_path, capsys, monkeypatch):
    """Item 1: the README's bring-your-own-communes command works as written."""
    code, out, err = sim_run(
        [
            "scenario=lang_son_wards",
            f"scenario.communes_file={EXAMPLE_CSV}",
            "run.days=5",
        ],
        tmp_path / "csv",
        capsys,
        monkeypatch,
    )
    assert code == 0, err
    summary = json.loads((tmp_path / "csv" / "summary.json").read_text())
    assert set(summary["by_commune"]) == {"dong_kinh", "tam_thanh", "ia_rbol"}
    assert "Dossiers received" in out
    # item 11: the report says what its numbers rest on
    report = (tmp_path / "csv" / "report.html").read_text()
    assert "Most parameters are assumptions" in report
    assert "scenario&#x27;s config files, &#x27;lang_son_wards&#x27;: " in report
    assert "The 95% intervals cover random variation only" in report


HEADER = "commune,province,population,businesses,workstations,sites,signal_coverage"
GENERALISTS = f"""{HEADER},staff_land,generalists
a,Lang Son,28800,1400,13,1,1.0,2,4
b,Lang Son,23400,1100,10,1,1.0,2,3
c,Lang Son,20000,900,8,1,1.0,1,3
"""


def test_utilisation_never_exceeds_one_and_headline_names_its_staff(tmp_path, capsys, monkeypatch):
    """Item 3: overloaded generalists with absences reached 101% (busy hours of jobs done
    while absent, and of the job in hand after the end, were counted; their hours were
    not); the headline mixed commune and provincial staff without saying so."""
    csv = tmp_path / "generalists.csv"
    csv.write_text(GENERALISTS)
    code, out, err = sim_run(
        ["scenario=lang_son_wards", f"scenario.communes_file={csv}", "run.days=60"],
        tmp_path / "u",
        capsys,
        monkeypatch,
    )
    assert code == 0, err
    summary = json.loads((tmp_path / "u" / "summary.json").read_text())
    slices = [summary] + list(summary["by_field"].values()) + list(summary["by_commune"].values())
    values = [s["utilization"] for s in slices if s.get("utilization") is not None]
    assert max(values) <= 1.0 + 1e-9, values
    # the generalists are saturated: the communes are near 1, the province far below
    assert summary["commune_utilization"] > 0.95
    assert summary["province_utilization"] < summary["commune_utilization"]
    assert summary["utilization"] < summary["commune_utilization"]
    assert "Staff utilisation, communes" in out and "Staff utilisation, province" in out


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ["policy=[second_staff]", "policy.second_staff.start_day=200", "run.days=92"],
            "policy.second_staff.start_day = 200: the policy would start after the run ends "
            "(run.days = 92)",
        ),
        (
            ["scenario=gia_lai_rural", "scenario.communes.0.clerks.1.count=0"],
            "commune 'ia_rbol' receives land dossiers but none of its clerks has a land skill",
        ),
        (
            ["run.dayz=30"],
            "run.dayz is not a known key; did you mean run.days?",
        ),
        (
            ["policy.second_staff.count=8"],
            "policy 'second_staff' is not selected (selected: baseline); select it as well: "
            "policy=[second_staff] policy.second_staff.count=8",
        ),
        (
            ["policy=[second_staff]", "policy.second_staff.communes=[ky_lua]"],
            "used only with allocation: named; add policy.second_staff.allocation=named",
        ),
    ],
)
def test_slips_end_in_one_line_that_names_the_fix(tmp_path, capsys, monkeypatch, args, expected):
    """Items 4 and 6: nonsense is refused, and slips get the fix, not Hydra's `+`."""
    code, _, err = sim_run(args, tmp_path / "e", capsys, monkeypatch)
    assert code == 2, err
    line = error_line(err)
    assert expected in line
    assert "+run" not in err and "not in struct" not in err and "Traceback" not in err


def test_named_communes_need_no_plus(tmp_path, capsys, monkeypatch):
    """Item 6: a policy's optional keys are declared, so no `+` is needed."""
    code, _, err = sim_run(
        [
            "policy=[second_staff]",
            "policy.second_staff.allocation=named",
            "policy.second_staff.communes=[ky_lua,ky_lua]",
            "run.days=3",
            "output.table=false",
        ],
        tmp_path / "named",
        capsys,
        monkeypatch,
    )
    assert code == 0, err


def test_a_policy_acting_after_the_end_runs_with_a_note(tmp_path, capsys, monkeypatch):
    """A policy whose effect comes after the run (construction delay) runs, and says so."""
    code, _, err = sim_run(
        ["policy=[central_headquarters]", "run.days=3", "output.table=false"],
        tmp_path / "late",
        capsys,
        monkeypatch,
    )
    assert code == 0, err
    assert "note: policy.central_headquarters takes effect on day 180" in err
    assert "set run.days above 180" in err


def test_contract_staff_hired_after_the_end_runs_with_a_note(tmp_path, capsys, monkeypatch):
    """Recruiting begins within the run, the contract staff arrive after its end (their
    hiring delay): the run goes on and says so, as for any delayed effect. A sampled
    hiring delay of the ranges (sim.thresholds, sim.sensitivity) must not stop a batch."""
    code, _, err = sim_run(
        ["policy=[contract_staff]", "policy.contract_staff.hiring_delay_days=10",
         "run.days=5", "output.table=false"],
        tmp_path / "hired_late",
        capsys,
        monkeypatch,
    )  # fmt: skip
    assert code == 0, err
    assert "note: policy.contract_staff takes effect on day 10" in err


def test_daily_clerks_log_permissions(tmp_path, capsys, monkeypatch):
    """Item 8: clerks_on_duty follows weekends and absences, run.log tells the story,
    outputs are readable by others like any new file."""
    out = tmp_path / "d"
    code, _, err = sim_run(["run.days=14", "output.table=false"], out, capsys, monkeypatch)
    assert code == 0, err
    daily = pd.read_csv(out / "daily.csv")
    weekday = pd.to_datetime(daily["date"]).dt.day_of_week
    on_duty = daily["clerks_on_duty"]
    assert (on_duty[weekday >= 5] == 0).all()
    working = on_duty[weekday < 5]
    assert working.min() > 0 and working.nunique() > 1  # absences: 3% a working day
    summary = json.loads((out / "summary.json").read_text())
    roster = sum(1 for _ in summary["by_commune"])  # at least one clerk per commune
    assert working.max() >= roster
    log = (out / "run.log").read_text()
    assert "job: scenario lang_son_wards" in log and "replication 1 of 1" in log
    assert "Dossiers received" in log
    mask = os.umask(0)
    os.umask(mask)
    for name in ("summary.json", "daily.csv", "report.html", "backlog.png"):
        mode = stat.S_IMODE((out / name).stat().st_mode)
        assert mode == 0o666 & ~mask, (name, oct(mode))


def test_out_folder_is_ignored_by_git():
    """Item 8: README examples write into out/; git must not offer it for commit."""
    done = subprocess.run(
        ["git", "check-ignore", "-q", "out/run/summary.json"], cwd=ROOT, check=False
    )
    assert done.returncode == 0


def _intervals(summary: dict, prefix: str = ""):
    for key, value in (summary.get("ci95") or {}).items():
        if value:
            yield f"{prefix}{key}", value
    for block in ("by_field", "by_commune"):
        for name, figures in summary.get(block, {}).items():
            yield from _intervals(figures, f"{block}.{name}.")


def test_intervals_from_two_replications_are_clipped_and_flagged(tmp_path, capsys, monkeypatch):
    """Item 5: two replications gave "Backlog at the end 2,206.5 (95% CI -2,259.7 to
    6,672.7)": intervals now stay within what a figure can be, and the user is told the
    replications are too few and how many would do."""
    out = tmp_path / "two"
    code, printed, err = sim_run(["run.days=30", "run.replications=2"], out, capsys, monkeypatch)
    assert code == 0, err
    summary = json.loads((out / "summary.json").read_text())
    intervals = dict(_intervals(summary))
    rates = {k: v for k, v in intervals.items() if k.endswith(("_rate", "_share", "utilization"))}
    assert rates and all(0 <= low <= high <= 1 for low, high in rates.values())
    assert all(low >= 0 for low, _ in intervals.values()), intervals
    # clipping did happen: at least one interval was cut at 0 (13.5 overdue, CI 0 to 45)
    assert any(low == 0 < high for low, high in intervals.values())
    needed = summary["replications_needed"]
    assert isinstance(needed, int) and needed > 2
    note = "2 replications are too few for the 95% intervals to mean much"
    assert note in printed and f"run.replications={needed}" in printed
    assert note in (out / "report.html").read_text()


def test_a_csv_saved_by_excel_in_a_vietnamese_locale_runs(tmp_path, capsys, monkeypatch):
    """Item 7: `;` between cells, decimal commas and the Windows Vietnamese code page,
    as Excel saves "CSV" there, are read like the comma-separated UTF-8 example."""
    text = (ROOT / EXAMPLE_CSV).read_text(encoding="utf-8")
    lines = text.splitlines()
    excel = [lines[0].replace(",", ";")] + [
        ";".join(cell.replace(".", ",") for cell in line.split(",")) for line in lines[1:]
    ]
    excel = [line.replace("Lang Son", "Lang Sơn") for line in excel]
    path = tmp_path / "excel.csv"
    path.write_bytes("\r\n".join(excel).encode("cp1258"))
    assert b";0,8;" in path.read_bytes()  # decimal commas are in the file
    runs = {}
    for name, csv_path in (("excel", path), ("example", ROOT / EXAMPLE_CSV)):
        code, _, err = sim_run(
            [f"scenario.communes_file={csv_path}", "run.days=5", "output.table=false"],
            tmp_path / name,
            capsys,
            monkeypatch,
        )
        assert code == 0, err
        runs[name] = json.loads((tmp_path / name / "summary.json").read_text())
    for key in ("dossiers_created", "dossiers_resolved", "mean_backlog"):
        assert runs["excel"][key] == runs["example"][key]


def test_every_csv_the_project_reads_goes_through_one_reader():
    """Item 7: no module reads CSV but sim/spec/tables.py."""
    readers = ("pd.read_csv(", "csv.DictReader(", "csv.reader(", "np.loadtxt(")
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "sim").rglob("*.py")
        if path.name != "tables.py" and any(r in path.read_text() for r in readers)
    ]
    assert offenders == []


def test_help_is_short_and_lists_what_there_is_to_run():
    """Item 10: --help printed Hydra's 377-line config dump; now a page a planner reads:
    usage, common settings, scenarios and policies one line each, the CSV template."""
    done = subprocess.run(
        [sys.executable, "-m", "sim.run", "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    text = done.stdout
    assert len(text.splitlines()) < 80
    assert "usage: python -m sim.run" in text
    for name in ("lang_son_wards", "gia_lai_rural", "second_staff", "training"):
        line = next(line for line in text.splitlines() if line.strip().startswith(name))
        assert len(line.split()) > 2  # a name and its one-line description
    assert "configs/communes/template.csv" in text
    assert "hydra:" not in text and "defaults:" not in text  # no config dump
