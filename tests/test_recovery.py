"""Failed jobs, killed sweeps and launchers, through the real command line.

Every test here starts ``python -m sim.run`` as a user would. Each start costs a couple
of seconds, so all but one are marked slow (``.ci/run`` runs them with ``-m slow``).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.helpers import sim_run

ROOT = Path(__file__).resolve().parent.parent
QUIET = ["output.table=false", "output.plots=false", "output.report=false", "run.progress=false"]
# four small jobs: an M/M/c commune for 25 days under four seeds
SWEEP = ["scenario=mmc", "run.days=25", "seed=1,2,3,4", *QUIET]


def summaries(sweep_dir: Path) -> dict[str, bytes]:
    """Job folder name -> summary.json bytes, for every job of a sweep."""
    return {p.parent.name: p.read_bytes() for p in sorted(sweep_dir.glob("*/summary.json"))}


def ok_jobs(sweep_dir: Path) -> list[Path]:
    done = []
    for path in sweep_dir.glob("*/summary.json"):
        try:
            if json.loads(path.read_text()).get("status") == "ok":
                done.append(path)
        except (OSError, ValueError):
            pass
    return done


@pytest.fixture(scope="module")
def reference_sweep(tmp_path_factory) -> Path:
    """The sweep run once, uninterrupted, with the basic launcher."""
    sweep_dir = tmp_path_factory.mktemp("reference")
    done = sim_run("-m", *SWEEP, f"hydra.sweep.dir={sweep_dir}")
    assert done.returncode == 0, done.stderr
    assert len(ok_jobs(sweep_dir)) == 4
    return sweep_dir


def test_config_error_exits_2_with_one_line_and_no_stale_outputs(tmp_path):
    # a previous successful attempt left outputs in the same folder
    (tmp_path / "summary.json").write_text('{"status": "ok", "on_time_rate": 0.99}\n')
    (tmp_path / "daily.csv").write_text("date,received\n2025-07-01,5\n")
    done = sim_run("scenario=mmc", "scenario.servers=0", *QUIET, f"hydra.run.dir={tmp_path}")
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    errors = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1
    assert "scenario.servers" in errors[0] and "= 0" in errors[0]
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["status"] == "error" and summary["error_kind"] == "config"
    assert "scenario.servers" in summary["error"]
    assert "on_time_rate" not in summary
    assert not (tmp_path / "daily.csv").exists()


@pytest.mark.slow
def test_unknown_policy_in_a_list_shows_the_options(tmp_path):
    done = sim_run("policy=[baseline,secnd_staff]", f"hydra.run.dir={tmp_path}")
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert "policy=secnd_staff: no such policy; did you mean policy=second_staff?" in done.stderr
    assert "known: baseline," in done.stderr
    assert not (tmp_path / "summary.json").exists()


@pytest.mark.slow
def test_verbose_shows_the_traceback_and_hydra_errors_exit_2(tmp_path):
    done = sim_run("scenario=mmc", "run.days=0", "verbose=true", f"hydra.run.dir={tmp_path}")
    assert done.returncode == 2
    assert "Traceback" in done.stderr and "run.days = 0" in done.stderr
    done = sim_run("run.dayz=3", f"hydra.run.dir={tmp_path}")
    assert done.returncode == 2 and "run.dayz" in done.stderr


def kill_midway(args: list[str], sweep_dir: Path, victim) -> None:
    """Start a sweep, wait until one job is complete, then kill ``victim(process)``."""
    process = subprocess.Popen(
        [sys.executable, "-m", "sim.run", *args, f"hydra.sweep.dir={sweep_dir}"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 240
        while not ok_jobs(sweep_dir) and time.monotonic() < deadline:
            assert process.poll() is None, "the sweep ended before it could be interrupted"
            time.sleep(0.02)
        victim(process)
        process.wait(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert 1 <= len(ok_jobs(sweep_dir)) < 4, "the kill did not land midway"


@pytest.mark.slow
def test_killed_sweep_resumes_to_the_uninterrupted_results(reference_sweep, tmp_path):
    kill_midway(["-m", *SWEEP], tmp_path, lambda p: p.send_signal(signal.SIGKILL))
    finished = {p: p.stat().st_mtime_ns for p in ok_jobs(tmp_path)}
    done = sim_run("-m", *SWEEP, f"hydra.sweep.dir={tmp_path}", "+resume=true")
    assert done.returncode == 0, done.stderr
    assert done.stderr.count("is complete; skipped") == len(finished)
    for path, mtime in finished.items():
        assert path.stat().st_mtime_ns == mtime, f"{path} was rerun"
    assert summaries(tmp_path) == summaries(reference_sweep)


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def _kill_a_worker(process: subprocess.Popen) -> None:
    """SIGKILL every worker process of a joblib sweep, leaving the parent to notice."""
    workers = [c for c in _children(process.pid) for c in [c, *_children(c)]]
    for pid in workers:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()


JOBLIB = ["hydra/launcher=joblib"]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("launcher", "victim"),
    [
        ([], lambda p: p.send_signal(signal.SIGTERM)),
        ([*JOBLIB, "hydra.launcher.n_jobs=2"], _kill_a_worker),
    ],
    ids=["basic-sigterm", "joblib-sigkill-workers"],
)
def test_interrupted_sweep_resumes_under_each_launcher(reference_sweep, tmp_path, launcher, victim):
    kill_midway(["-m", *SWEEP, *launcher], tmp_path, victim)
    done = sim_run("-m", *SWEEP, *launcher, f"hydra.sweep.dir={tmp_path}", "+resume=true")
    assert done.returncode == 0, done.stderr
    assert "is complete; skipped" in done.stderr
    assert summaries(tmp_path) == summaries(reference_sweep)


@pytest.mark.slow
@pytest.mark.parametrize("n_jobs", [1, 2])
def test_joblib_launcher_gives_byte_identical_summaries(reference_sweep, tmp_path, n_jobs):
    done = sim_run(
        "-m", *SWEEP, *JOBLIB, f"hydra.launcher.n_jobs={n_jobs}", f"hydra.sweep.dir={tmp_path}"
    )
    assert done.returncode == 0, done.stderr
    assert summaries(tmp_path) == summaries(reference_sweep)
    assert len(summaries(tmp_path)) == 4


@pytest.mark.slow
def test_failed_job_inside_a_sweep_is_recorded_and_reported(tmp_path):
    done = sim_run(
        "-m",
        "scenario=mmc",
        "run.days=2",
        "scenario.servers=0,2",
        *QUIET,
        f"hydra.sweep.dir={tmp_path}",
    )
    assert done.returncode == 2  # every failure was a config error
    assert "1 failed" in done.stderr
    by_servers = {
        json.loads(p.read_text())["status"]: p.parent.name for p in tmp_path.glob("*/summary.json")
    }
    assert set(by_servers) == {"ok", "error"}
    assert "scenario.servers=0" in by_servers["error"]
    analysis = subprocess.run(
        [sys.executable, "-m", "sim.studies.analysis", str(tmp_path), "--no-plots"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    report = analysis.stdout + analysis.stderr
    assert "FAILED" in report and "scenario.servers" in report, report


def test_resume_accepts_only_a_complete_summary_of_the_same_settings(tmp_path):
    from sim.runs.outputs import write_json
    from sim.runs.recovery import completed_summary

    assert completed_summary(tmp_path, "abc") is None  # no summary: rerun
    write_json(tmp_path / "summary.json", {"status": "ok", "config_hash": "abc", "x": 1})
    assert completed_summary(tmp_path, "abc") == {"status": "ok", "config_hash": "abc", "x": 1}
    assert completed_summary(tmp_path, "other") is None  # settings changed: rerun
    write_json(tmp_path / "summary.json", {"status": "error", "config_hash": "abc"})
    assert completed_summary(tmp_path, "abc") is None  # failed before: rerun
    (tmp_path / "summary.json").write_text('{"status": "ok", "config_')  # torn by hand
    assert completed_summary(tmp_path, "abc") is None
    assert not list(tmp_path.glob(".summary.json*"))  # atomic writes leave no temporaries


def test_a_stop_after_the_summary_is_written_leaves_the_job_complete(tmp_path, monkeypatch):
    """SIGTERM between a job's summary.json and its return (the table it prints) kept
    interrupting the sweep test: the job is complete once its summary is written, and a
    stop asked for then leaves it so (status ok), while the command still stops (143)."""
    import sim.run

    def stopped(*args, **kwargs):
        raise sim.run.Interrupted("interrupted by SIGTERM before the job finished")

    monkeypatch.setattr(sim.run, "format_table", stopped)
    out = tmp_path / "job"
    monkeypatch.setattr(sys, "argv", ["sim.run", "scenario=mmc", "run.days=2",
                                      "output.report=false", "output.plots=false",
                                      f"hydra.run.dir={out}"])  # fmt: skip
    assert sim.run.cli() == 143
    assert json.loads((out / "summary.json").read_text())["status"] == "ok"
