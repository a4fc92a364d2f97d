"""Run one benchmark task or command in a fresh process and watch its memory.

Each measurement runs ``python -m benchmarks.tasks TASK ARGS`` or ``python -m sim.run
...`` so that imports, caches and memory start from nothing; a thread samples the
resident memory of the process and of all its children (joblib workers) and keeps the
peak of their sum.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_SECONDS = 0.05


def tree_rss(process) -> int:
    """Resident bytes of a ``psutil.Process`` and all its descendants."""
    import psutil

    total = 0
    try:
        members = [process, *process.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0
    for member in members:
        try:
            total += member.memory_info().rss
        except psutil.NoSuchProcess:
            pass
    return total


def run_command(
    command: list[str], env: dict[str, str] | None = None, timeout: float = 3600
) -> tuple[dict, str]:
    """Run ``command`` in a fresh process from the repository root; its measures and stdout.

    The measures: ``elapsed_s`` (wall seconds of the whole process, interpreter start and
    imports included), ``cpu_s`` (user + system seconds of the process and the children
    it waited for: unlike wall time, it hardly grows when other work shares the machine)
    and ``peak_rss_mb`` (the peak of the sampled resident memory of the process tree).
    ``env`` adds to or replaces variables of this process's environment.
    """
    import psutil  # the bench extra: needed to measure, not to import this harness

    env = dict(os.environ, PYTHONPATH=str(ROOT), **(env or {}))
    started = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    child = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    peak = 0
    done = threading.Event()

    def watch() -> None:
        nonlocal peak
        process = psutil.Process(child.pid)
        while not done.is_set():
            peak = max(peak, tree_rss(process))
            time.sleep(SAMPLE_SECONDS)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        out, err = child.communicate(timeout=timeout)
    finally:
        done.set()
        watcher.join()
    elapsed = time.perf_counter() - started
    if child.returncode != 0:
        raise RuntimeError(
            f"benchmark command {' '.join(command)} exited {child.returncode}:\n{err[-3000:]}"
        )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"elapsed_s": elapsed, "cpu_s": cpu, "peak_rss_mb": peak / 2**20}, out


def run_task(task: str, *args: str, timeout: float = 3600) -> dict:
    """The task's JSON result, plus ``peak_rss_mb``, ``cpu_s`` and ``elapsed_s`` of its
    whole process (``run_command``)."""
    measures, out = run_command(
        [sys.executable, "-m", "benchmarks.tasks", task, *args], timeout=timeout
    )
    result = json.loads(out.strip().splitlines()[-1])
    measures["peak_rss_mb"] = max(measures["peak_rss_mb"], result.get("self_peak_rss_mb", 0))
    result.update(measures)
    return result


def sim_run(overrides: list[str], out_dir: Path, env: dict[str, str] | None = None) -> dict:
    """``python -m sim.run OVERRIDES hydra.run.dir=OUT_DIR`` in a fresh process.

    The measures of ``run_command``, ``dossiers`` (the dossiers received in the run) and
    ``communes``, from the ``summary.json`` the command wrote into ``out_dir``.
    """
    command = [sys.executable, "-m", "sim.run", *overrides, f"hydra.run.dir={out_dir}"]
    measures, _ = run_command(command, env=env)
    summary = json.loads((Path(out_dir) / "summary.json").read_text(encoding="utf-8"))
    if summary.get("status") != "ok":
        raise RuntimeError(f"{' '.join(command)}: summary.json says {summary.get('error')}")
    measures["dossiers"] = summary["dossiers_created"]
    measures["communes"] = len(summary.get("by_commune", {}))
    return measures
