"""Issue 28, items 4 and 6: a user's error is one line and exit 2 in every command."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time

import pytest

from tests.helpers import ROOT, command, sim_run

COMMANDS = ("sim.run", "sim.forecast", "sim.backtest", "sim.calibrate", "sim.optimize",
            "sim.sensitivity", "sim.validate", "sim.thresholds")  # fmt: skip


def _one_line(done: subprocess.CompletedProcess) -> str:
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert done.returncode == 2, done.stderr
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("error: ") and "Traceback" not in done.stderr
    return lines[0]


@pytest.mark.parametrize("module", COMMANDS)
def test_an_output_folder_that_cannot_be_made_is_one_line(module, tmp_path):
    blocker = tmp_path / "a_file"
    blocker.write_text("")
    done = command(module, f"hydra.run.dir={blocker / 'out'}", timeout=120)
    line = _one_line(done)
    assert f"{blocker} is a file, not a folder" in line and "hydra.run.dir=" in line


def test_an_amount_in_words_says_how_to_write_it():
    line = _one_line(command("sim.optimize", "optimize.budget_vnd=100 triệu", timeout=120))
    assert "optimize.budget_vnd=100000000" in line and "LexerNoViableAlt" not in line


def test_a_config_error_is_printed_once(tmp_path):
    done = sim_run("scenario=mmc", "scenario.servers=0", f"hydra.run.dir={tmp_path}")
    assert "scenario.servers" in _one_line(done)
    assert "job failed" in (tmp_path / "run.log").read_text()  # the log keeps it
    missing = tmp_path / "missing.csv"
    done = command("sim.calibrate", f"forecast.history={missing}", f"hydra.run.dir={tmp_path}")
    assert str(missing) in _one_line(done)


def test_unknown_scenario_hides_internal_names_and_suggests(tmp_path):
    line = _one_line(sim_run("scenario=gia_lai_rurl", f"hydra.run.dir={tmp_path}"))
    assert "did you mean scenario=gia_lai_rural?" in line
    assert "_national_demand" not in line and "lang_son_wards" in line
    line = _one_line(sim_run("scenario=_national_demand", f"hydra.run.dir={tmp_path}"))
    assert "no such scenario" in line


def test_help_shows_the_real_defaults():
    done = sim_run("--help")
    assert done.returncode == 0
    assert "run.replications=1 " in done.stdout and "run.replications=12" not in done.stdout


def test_ctrl_c_during_a_study_is_one_line_saying_how_to_continue(tmp_path):
    """SIGINT to the whole process group, as a terminal sends it, once a job is done."""
    sweep = tmp_path / "study"
    args = ["-m", "+experiment=seconding_vs_training", f"hydra.sweep.dir={sweep}",
            "run.days=10", "run.replications=1"]  # fmt: skip
    process = subprocess.Popen(
        [sys.executable, "-m", "sim.run", *args],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    deadline = time.monotonic() + 240
    while not list(sweep.glob("*/summary.json")) and time.monotonic() < deadline:
        time.sleep(0.5)
    os.killpg(process.pid, signal.SIGINT)
    _, stderr = process.communicate(timeout=120)
    done = subprocess.CompletedProcess(args, process.returncode, "", stderr)
    line = _one_line(done)
    assert "interrupted by Ctrl-C" in line and "+resume=true" in line and str(sweep) in line
    assert "leaked" not in stderr and "KeyboardInterrupt" not in stderr


def _sigint_handler() -> object:
    return signal.getsignal(signal.SIGINT)


def test_the_launchers_workers_leave_ctrl_c_to_the_command():
    """A worker interrupted while reading its next job crashed with a fault dump over the
    one line: the joblib launcher's workers ignore SIGINT; the command stops them."""
    import joblib

    from sim.runs.user_errors import launcher_workers_ignore_interrupts

    launcher_workers_ignore_interrupts()
    handlers = joblib.Parallel(n_jobs=2, backend="loky")(
        joblib.delayed(_sigint_handler)() for _ in range(4)
    )
    assert handlers == [signal.SIG_IGN] * 4


def test_the_readme_says_how_long_the_test_suite_takes():
    """Item 6: the README's first hour says how long ``pytest`` runs, on how many cores."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    first_hour = readme[readme.index("## First hour") : readme.index("### 2. Read the report")]
    assert re.search(r"test suite \(about \d+-\d+ minutes on 2 idle cores", first_hour)


def test_a_commune_that_never_passes_the_threshold_is_not_likely_not_from_dash(tmp_path):
    """Item 6: "likely from -" where the median never reaches the threshold: now "not
    likely", and in Vietnamese with output.language=vi."""
    from sim.forecast import summary_lines
    from sim.reports.i18n import language

    trust = {"verdict": "good", "method": "flow", "origins": 5, "skill_vs_persistence": 0.2,
             "coverage90_backtest": 0.9, "reasons": []}  # fmt: skip
    crossings = [
        {"commune": "ky_lua", "likely": None, "possible": "2025-10-04"},
        {"commune": "tam_thanh", "likely": "2025-09-30", "possible": "2025-09-29"},
    ]
    result = {"trust": trust, "backtest": {"horizon_days": 28}, "forecast_days": 28,
              "history_last_date": "2025-09-28", "method": "flow", "seconds": 3.0,
              "overdue_threshold": 20, "threshold_crossings": crossings}  # fmt: skip
    names = {"ky_lua": "Kỳ Lừa", "tam_thanh": "Tam Thanh"}
    lines = summary_lines(result, tmp_path, names)
    assert "  Kỳ Lừa: 20 overdue dossiers not likely, possibly from 04 Oct 2025" in lines
    assert not any("from -" in line for line in lines)
    with language("vi"):
        lines = summary_lines(result, tmp_path, names)
    assert "  Kỳ Lừa: 20 hồ sơ quá hạn, ít khả năng, có thể từ 04/10/2025" in lines
    assert lines[0].startswith("Đánh giá dự báo: tốt.")


def test_a_sampled_configuration_the_model_refuses_is_one_line(tmp_path):
    """Item 6: a configuration error inside a batch (a worker's run refused for a value
    the batch sampled) is the user's error, not an internal one."""
    experiment = tmp_path / "cfg" / "experiment"
    experiment.mkdir(parents=True)
    (experiment / "refused.yaml").write_text(
        "# @package _global_\nstudy: refused\nhydra:\n  sweeper:\n    params:\n"
        "      scenario: mmc\n      policy: '[baseline],[priority]'\n"
    )
    ranges = tmp_path / "ranges.yaml"  # a user's range that reaches no clerk at all
    ranges.write_text(
        "ranges:\n  - {path: servers, distribution: uniform, low: 0, high: 0.4, "
        "category: staffing, reason: none}\n"
    )
    done = command(
        "sim.thresholds", f"hydra.searchpath=[file://{tmp_path / 'cfg'}]",
        "+experiment=refused", "run.days=2", "run.replications=1",
        "thresholds.parameters=[servers]", f"thresholds.ranges={ranges}",
        f"hydra.run.dir={tmp_path / 'out'}", f"hydra.sweep.dir={tmp_path / 'study'}",
    )  # fmt: skip
    line = _one_line(done)
    assert "internal error" not in done.stderr
    # the key and the bad value, the values the batch set, and the fix
    assert "clerks[0].count = 0" in line and "servers=0" in line, line
    assert "thresholds.ranges" in line and "narrow the range" in line, line


def test_a_refused_batch_names_its_first_refused_run_in_one_line():
    from sim.runs.api import RunError, RunSpec, _refused
    from sim.spec.config import ConfigError

    specs = [RunSpec(scenario="mmc", parameters={"servers": i}) for i in range(5)]
    error = _refused([(3, "x = 0: must be > 0"), (1, "y = 2: must be < 1")], 5, specs)
    assert isinstance(error, ConfigError) and isinstance(error, RunError)
    assert str(error).startswith("y = 2: must be < 1") and "servers=1" in str(error)
    assert "\n" not in str(error)
