"""The study report: report.html beside comparison.csv, readable without the code."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path

import pytest
import yaml

from sim.core.summary import STUDY, shown_in
from sim.run import run_job
from sim.studies.analysis import analyse
from tests.helpers import compose_config

QUIET = [
    "scenario=lang_son_wards",
    "run.days=6",
    "run.replications=3",
    "output.table=false",
    "output.report=false",
    "output.plots=false",
    "run.progress=false",
]


def _job(sweep: Path, folder: str, overrides: list[str]) -> None:
    run_job(compose_config(QUIET + overrides), sweep / folder)
    (sweep / folder / ".hydra").mkdir()
    (sweep / folder / ".hydra" / "overrides.yaml").write_text(yaml.safe_dump(overrides))


@pytest.fixture(scope="module")
def study(tmp_path_factory) -> tuple[Path, str]:
    sweep = tmp_path_factory.mktemp("seconding_study")
    _job(sweep, "policy=baseline", ["policy=[baseline]"])
    _job(sweep, "policy=second_staff", ["policy=[second_staff]"])
    broken = sweep / "policy=training"
    (broken / ".hydra").mkdir(parents=True)
    (broken / ".hydra" / "overrides.yaml").write_text(yaml.safe_dump(["policy=[training]"]))
    (broken / "summary.json").write_text(json.dumps({"status": "error", "error": "boom"}))
    analyse(sweep)
    return sweep, (sweep / "report.html").read_text(encoding="utf-8")


def test_study_report_is_self_contained_with_comparison_plots(study):
    _, text = study
    images = re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', text)
    # overdue and backlog, each with its paired change, plus the sweep's three plots
    assert len(images) == 7
    assert all(base64.b64decode(i)[:4] == b"\x89PNG" for i in images)
    assert not re.search(r'(src|href)="(?!data:)', text) and "<script" not in text


def test_study_report_states_question_and_compares_with_ci(study):
    sweep, text = study
    assert f"Study {sweep.name}" in text
    assert "01 Jul 2025 to 06 Jul 2025 (6 days)" in text
    assert "master seed 42, 3 replications per job" in text
    section = text.split("Policies compared")[1].split("<h2>")[0]
    means, changes = section.split("Change from the baseline")
    for table in (means, changes):
        assert re.findall(r"<tr><td>([^<]+)</td>", table) == [
            "baseline",
            "second staff",
        ]  # policies in words
        # every figure cell holds a mean and its 95% interval in brackets
        second = table.split("<tr><td>second staff</td>")[1].split("</tr>")[0]
        assert len(re.findall(r"\[[^\]]+, [^\]]+\]", second)) == len(shown_in(STUDY))
    assert "+" in changes.split("<tr><td>second staff</td>")[1]  # seconding costs money
    failed = text.split("Jobs that failed")[1]
    assert "policy=training" in failed and "boom" in failed


def test_question_comes_from_the_experiment_readme(tmp_path: Path):
    from sim.reports.study_report import experiment_question

    study = tmp_path / "my_study"
    study.mkdir()
    (study / "README.md").write_text(
        "# My study\n\n**Question.** Does `training` beat\n**seconding**?\n\n**Grid.** x\n"
    )
    assert experiment_question("my_study", tmp_path) == "Does training beat seconding?"
    assert experiment_question("no_such_study", tmp_path) is None
