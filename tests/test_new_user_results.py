"""Issue 28, item 5: results a planner can read without knowing the model's keys."""

from __future__ import annotations

import json
from pathlib import Path

from sim.optimize.__main__ import summary_lines
from sim.reports.i18n import language
from tests.helpers import command


def _job(sweep: Path, policies: list[str], late: int, province_wait: float) -> None:
    """A finished job as sim.run leaves it (summary.json, Hydra's overrides record)."""
    folder = sweep / "+".join(policies)
    (folder / ".hydra").mkdir(parents=True)
    (folder / ".hydra" / "overrides.yaml").write_text(
        f"- scenario=gia_lai_rural\n- policy=[{','.join(policies)}]\n"
    )
    summary = {"status": "ok", "scenario": "gia_lai_rural", "policies": policies, "seed": 42,
               "days": 92, "start_date": "2025-07-01", "warmup_days": 0, "replications": 1,
               "dossiers_late": late, "overdue_open": 0, "province_mean_wait_hours": province_wait,
               "by_field": {}}  # fmt: skip
    (folder / "summary.json").write_text(json.dumps(summary))


def test_a_combination_worse_than_a_part_says_why(tmp_path):
    """Training alone 226 overdue, training plus seconding 422 (the issue's study): the
    report and the command name the mechanism, the department drained by secondment."""
    sweep = tmp_path / "study"
    _job(sweep, ["baseline"], 300, 20.0)
    _job(sweep, ["training"], 226, 20.0)
    _job(sweep, ["second_staff"], 280, 45.0)
    _job(sweep, ["second_staff", "training"], 422, 60.0)
    done = command("sim.analysis", str(sweep), "--no-plots")
    assert done.returncode == 0, done.stderr
    line = next(x for x in done.stdout.splitlines() if "leaves more overdue" in x)
    assert "second staff + training leaves more overdue dossiers than training alone" in line
    assert "422.0 against 226.0" in line and "staff seconded from a provincial department" in line
    report = (sweep / "report.html").read_text(encoding="utf-8")
    assert "Combinations that do worse than a part" in report
    # a combination better than its parts says nothing
    (sweep / "second_staff+training" / "summary.json").unlink()
    _job(tmp_path / "other", ["second_staff", "training"], 200, 60.0)
    for name in ("baseline", "training", "second_staff"):
        (sweep / name).rename(tmp_path / "other" / name)
    done = command("sim.analysis", str(tmp_path / "other"), "--no-plots")
    assert done.returncode == 0 and "leaves more overdue" not in done.stdout


def _result(chosen: float, nothing: float, rows: list[dict]) -> dict:
    four = {"objective_ci95": [0, 0], "cost_vnd": 6e6, "staff": 2}
    return {
        "objective": "overdue_dossiers",
        "best": {"objective_mean": chosen, **four},
        "baselines": {"none": {"objective_mean": nothing, **four}},
        "gain": {"over": "equal_split", "mean": 3.0, "ci95": [1.0, 5.0]},
        "winner": "finalist_1",
        "allocation": rows,
        "display_names": {"ky_lua": "Kỳ Lừa"},
        "seconds": 12.0,
    }


def test_optimize_prints_the_allocation_or_that_nothing_is_best(tmp_path):
    rows = [{"commune": "ky_lua", "lever": "second_staff", "field": "land", "amount": 2,
             "cost_vnd": 6_000_000}]  # fmt: skip
    lines = summary_lines(_result(70.0, 90.0, rows), tmp_path)
    assert "overdue dossiers: 70.0 with the allocation below (finalist 1;" in lines[0]
    assert "without spending: 90.0" in lines[0]
    assert lines[1] == "  Kỳ Lừa: 2 seconded provincial staff (land), 6.0 M VND"
    with language("vi"):  # output.language=vi: the same lines in Vietnamese
        said = summary_lines(_result(70.0, 90.0, rows), tmp_path)
    assert said[1] == "  Kỳ Lừa: 2 cán bộ tỉnh biệt phái (đất đai), 6,0 triệu đồng"
    lines = summary_lines(_result(91.0, 90.0, rows), tmp_path)
    assert lines[0].startswith("doing nothing is best")
    assert not any("Kỳ Lừa" in line for line in lines)
