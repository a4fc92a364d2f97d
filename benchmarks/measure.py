"""Run one benchmark task in a fresh process and watch its memory.

Each measurement runs ``python -m benchmarks.tasks TASK ARGS`` so that imports, caches
and memory start from nothing; a thread samples the resident memory of the process and
of all its children (joblib workers) and keeps the peak of their sum.
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


def run_task(task: str, *args: str, timeout: float = 3600) -> dict:
    """The task's JSON result, plus ``peak_rss_mb`` and ``cpu_s`` (process tree) and
    ``elapsed_s``."""
    import psutil  # the bench extra: needed to measure, not to import this harness

    command = [sys.executable, "-m", "benchmarks.tasks", task, *args]
    env = dict(os.environ, PYTHONPATH=str(ROOT))
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
    if child.returncode != 0:
        raise RuntimeError(f"benchmark task {task} {args} failed:\n{err[-3000:]}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = json.loads(out.strip().splitlines()[-1])
    # CPU seconds of the task's whole process tree (workers included), imports and all:
    # unlike wall time, it hardly grows when other work shares the machine
    result["cpu_s"] = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    result["peak_rss_mb"] = max(peak, result.get("self_peak_rss_mb", 0) * 2**20) / 2**20
    result["elapsed_s"] = time.perf_counter() - started
    return result
