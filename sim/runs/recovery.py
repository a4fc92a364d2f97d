"""Failed jobs and interrupted sweeps: what a job leaves behind, and how to resume.

A job's ``summary.json`` is written last and atomically, so it exists with
``"status": "ok"`` only when every output of the job is complete. A job that fails
writes ``"status": "error"`` instead; a job that is killed leaves none. Re-running a
sweep with ``+resume=true`` into the same ``hydra.sweep.dir`` skips jobs whose summary is
ok and whose ``config_hash`` matches, and reruns every other job.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from hydra.experimental.callback import Callback
from omegaconf import DictConfig

from sim.runs.outputs import read_json

OUTPUT_FILES = (
    "summary.json",
    "daily.csv",
    "backlog.png",
    "report.html",
    "replications.csv",
    "daily_replications.csv",
)


class _State:
    """What the command-line entry point needs to know after Hydra returns."""

    started = False  # Hydra composed the config and began the run or sweep
    failed: list[tuple[str, dict]] = []
    sweep_dir: str | None = None  # the sweep's folder, once it began
    finished: Path | None = None  # the job whose summary.json is written: it is complete


STATE = _State()


def completed_summary(out_dir: Path, config_hash: str) -> dict | None:
    """The job's summary if it finished successfully with the same settings, else None."""
    path = Path(out_dir) / "summary.json"
    try:
        summary = read_json(path)
    except (OSError, ValueError):
        return None
    if not isinstance(summary, dict):
        return None
    if summary.get("status") != "ok" or summary.get("config_hash") != config_hash:
        return None
    return summary


def clear_outputs(out_dir: Path) -> None:
    """Remove a previous attempt's outputs, so none can pass for this attempt's."""
    for name in OUTPUT_FILES:
        (Path(out_dir) / name).unlink(missing_ok=True)


def sweep_results(sweep_dir: Path) -> list[tuple[Path, dict]]:
    """Every job summary under a sweep directory, sorted by path (unreadable ones too)."""
    results = []
    for path in sorted(Path(sweep_dir).rglob("summary.json")):
        try:
            summary = read_json(path)
        except (OSError, ValueError) as error:
            summary = {"status": "error", "error": f"unreadable summary.json: {error}"}
        results.append((path.parent, summary))
    return results


class SweepReport(Callback):
    """Hydra callback: notes that the run began, and reports failed jobs of a sweep."""

    def on_run_start(self, config: DictConfig, **kwargs: Any) -> None:
        STATE.started = True

    def on_multirun_start(self, config: DictConfig, **kwargs: Any) -> None:
        STATE.started = True
        STATE.sweep_dir = str(config.hydra.sweep.dir)

    def on_multirun_end(self, config: DictConfig, **kwargs: Any) -> None:
        results = sweep_results(Path(config.hydra.sweep.dir))
        STATE.failed = [(str(d), s) for d, s in results if s.get("status") != "ok"]
        print(
            f"sweep: {len(results)} job(s), {len(STATE.failed)} failed ({config.hydra.sweep.dir})",
            file=sys.stderr,
        )
        for directory, summary in STATE.failed:
            print(f"  failed: {directory}: {summary.get('error')}", file=sys.stderr)


def sweep_exit_code() -> int:
    """0 if no job failed, 2 if every failure was a config error, else 1."""
    if not STATE.failed:
        return 0
    if all(s.get("error_kind") == "config" for _, s in STATE.failed):
        return 2
    return 1
