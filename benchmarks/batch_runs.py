"""``python -m benchmarks.batch_runs``: runs per second of many small runs, three ways.

``scenario=mmc run.days=30`` run N times with different seeds: by ``sim.api.run_many``
with 1 and with 2 workers (a first call, which starts the pool and composes the
config, and a second call), and by one ``python -m sim.run`` process per run (what a shell loop or a
Hydra sweep of separate commands costs). Prints runs per second and the load average,
since a shared machine makes timings noisy.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sim.api import RunSpec, run_many

ROOT = Path(__file__).resolve().parent.parent


def specs(runs: int, days: int) -> list[RunSpec]:
    return [RunSpec("mmc", days=days, seed=seed) for seed in range(runs)]


def by_api(runs: int, days: int, workers: int) -> float:
    started = time.perf_counter()
    run_many(specs(runs, days), workers=workers)
    return runs / (time.perf_counter() - started)


def by_command(runs: int, days: int) -> float:
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        for seed in range(runs):
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "sim.run",
                    "scenario=mmc",
                    f"run.days={days}",
                    f"seed={seed}",
                    f"hydra.run.dir={folder}/{seed}",
                    "output.report=false",
                    "output.plots=false",
                    "output.table=false",
                ],
                cwd=ROOT,
                check=True,
                capture_output=True,
            )
    return runs / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=40, help="runs of the API measures")
    parser.add_argument("--command-runs", type=int, default=8, help="python -m sim.run runs")
    parser.add_argument("--days", type=int, default=30)
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()}")
    for workers in (1, 2):
        # the first call starts the pool (workers > 1) and composes the config
        first = by_api(args.runs, args.days, workers)
        again = by_api(args.runs, args.days, workers)
        print(
            f"run_many workers={workers}: {first:.2f} runs/s on the first call, "
            f"{again:.2f} on the next ({args.runs} runs each)"
        )
    rate = by_command(args.command_runs, args.days)
    print(f"python -m sim.run per run: {rate:.2f} runs/s ({args.command_runs} runs)")
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
