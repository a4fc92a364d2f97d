"""Output regression: a changed default fails with a table; --update makes it pass."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from sim import regress

CASES = """cases:
  tiny_mmc:
    overrides: [scenario=mmc, run.days=6]
    seed: 3
    seeds: 6
"""


@pytest.fixture()
def sandbox(tmp_path: Path) -> tuple[Path, Path]:
    """A copy of the configs and a reference folder of one small case."""
    configs = tmp_path / "configs"
    shutil.copytree(regress.CONFIG_DIR, configs)
    references = tmp_path / "reference"
    references.mkdir()
    (references / "cases.yaml").write_text(CASES, encoding="utf-8")
    return configs, references


def _regress(configs: Path, references: Path, *extra: str) -> int:
    return regress.main(["--config-dir", str(configs), "--reference-dir", str(references), *extra])


def test_changed_default_fails_with_table_then_update_passes(sandbox, capsys):
    configs, references = sandbox
    assert _regress(configs, references) == 1  # no reference yet
    assert "no reference" in capsys.readouterr().out
    assert _regress(configs, references, "--update") == 0
    capsys.readouterr()
    assert _regress(configs, references) == 0
    assert "ok: 1 case(s) hold" in capsys.readouterr().out

    # change a default parameter of the scenario: one more clerk
    mmc = configs / "scenario" / "mmc.yaml"
    text = mmc.read_text(encoding="utf-8")
    servers = int(re.search(r"^servers: (\d+)", text, re.M).group(1))
    mmc.write_text(
        re.sub(r"^servers: \d+", f"servers: {servers + 1}", text, flags=re.M), encoding="utf-8"
    )

    assert _regress(configs, references) == 1
    out = capsys.readouterr().out
    header = next(line for line in out.splitlines() if line.startswith("case"))
    for column in ("check", "figure", "reference", "now", "change", "tolerance", "verdict"):
        assert column in header
    utilisation = next(
        line for line in out.splitlines() if line.startswith("tiny_mmc") and " utilization " in line
    )
    assert "exact" in utilisation and "MOVED" in utilisation
    # one more server lowers utilisation far beyond noise
    drift = next(
        line for line in out.splitlines() if "statistical" in line and "utilization" in line
    )
    assert "DRIFT" in drift and "±" in drift
    assert "FAILED: 1 of 1 case(s) moved: tiny_mmc" in out
    assert "--update" in out

    assert _regress(configs, references, "--update") == 0
    out = capsys.readouterr().out
    assert "what changed" in out and "utilization" in out
    assert _regress(configs, references) == 0


def test_reshuffled_draws_pass_the_statistical_check():
    """Other seeds (every random draw different) are noise; a slower clerk is drift."""
    case = regress.Case("c", ("scenario=mmc", "run.days=8"), 11, 12)
    base = regress.run_case(case, regress.CONFIG_DIR, [])
    reshuffled = regress.run_case(regress.Case("c", case.overrides, 12, 12), regress.CONFIG_DIR, [])
    checks = len(regress.STAT_FIGURES)
    rows = regress.compare_statistical("c", base["statistical"], reshuffled["statistical"], checks)
    assert len(rows) == len(regress.STAT_FIGURES)
    assert not [r for r in rows if regress.failed(r)]
    assert regress.compare_exact("c", base["exact"], reshuffled["exact"])  # but not equal

    slower = regress.run_case(case, regress.CONFIG_DIR, ["scenario.service_rate_per_hour=0.9"])
    rows = regress.compare_statistical("c", base["statistical"], slower["statistical"], checks)
    failed = {r.figure.split(" ")[0] for r in rows if regress.failed(r)}
    assert {"utilization", "mean_sojourn_hours"} <= failed


def test_bad_case_file_names_the_key(tmp_path: Path, capsys):
    (tmp_path / "cases.yaml").write_text(
        "cases:\n  x:\n    overrides: [scenario=mmc]\n    seeds: 1\n", encoding="utf-8"
    )
    assert regress.main(["--reference-dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "cases.x.seeds = 1" in err and ">= 3" in err


def test_rounding_is_not_a_move_but_a_real_change_is():
    from sim.regress import Moved, compare_exact, failed

    ref = {"a": 0.1 + 0.2, "b": 12.589, "n": 7, "s": "x"}
    assert compare_exact("c", ref, {"a": 0.3, "b": 12.589 * (1 + 1e-15), "n": 7, "s": "x"}) == []
    moved = compare_exact("c", ref, {"a": 0.3, "b": 12.589 * (1 + 1e-6), "n": 8, "s": "y"})
    assert [m.figure for m in moved] == ["b", "n", "s"]
    # a statistical figure with no variance between seeds: rounding passes, a shift fails
    assert not failed(Moved("c", "statistical", "f", 0.0856874, 0.0856874 + 1.4e-17, 1.3e-17))
    assert failed(Moved("c", "statistical", "f", 0.0856874, 0.0857, 1.3e-17))
