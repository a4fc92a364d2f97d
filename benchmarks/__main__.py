"""``python -m benchmarks``: measure speed and memory, print the table, write RESULTS.md.

Every figure is the median of several runs in fresh processes, with the min-max; the
machine (CPU, cores, Python) and its load average before and after are recorded, since
a shared machine makes timings noisy. ``--quick`` runs tiny sizes to check the harness.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import sys
import time
from pathlib import Path

from benchmarks.intake_log import LOG_ROWS, intake_rows
from benchmarks.profiles import profile_table
from benchmarks.sections import (
    cold_rows,
    country_dask_rows,
    country_rows,
    linear_rows,
    mmc_rows,
    province_rows,
    repeat,
    sobol_rows,
    sweep_rows,
    warm_up,
)
from benchmarks.table import HAND_WRITTEN, Row, hand_written, markdown

__all__ = ["HAND_WRITTEN", "Row", "hand_written", "main"]
RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
SECTIONS = ("mmc", "province", "country", "country_dask", "sobol", "cold", "sweep", "linear",
            "intake", "profiles")  # fmt: skip
NOTES = [
    "Each run is a fresh process; peak RSS is the resident memory of the process and "
    "its worker processes (the local pool's or a loopback Dask cluster's), sampled every 0.05 s; CPU s is the user + system time of the "
    "same process tree. A marginal rate is the dossiers a long run has beyond a short "
    "one over the CPU seconds it takes beyond it, so start-up, model building and "
    "compilation cancel: for M/M/10 the short and long runs follow a one-day run in one "
    "process (each timed with the process's CPU clock); for the province-year they are "
    "two fresh `python -m sim.run` processes. Before any measure, a two-day run of "
    "`scenario=mmc` and of `scenario=province` fills the cache of compiled code; the "
    "cold start empties it on purpose (`NUMBA_CACHE_DIR` pointed at a new folder). The "
    "country-year runs once (it is the longest measure). The machine is shared, so wall "
    "times carry noise from other work on it; the load averages above show how much, and "
    "CPU s shows the work itself.",
]


def machine() -> dict[str, str]:
    cpu = platform.processor() or "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    add = parser.add_argument
    add("--quick", action="store_true", help="tiny sizes: check the harness")
    add("--runs", type=int, default=3, help="runs per measure (default 3)")
    add("--output", type=Path, default=RESULTS, help="the Markdown file")
    add("--sections", nargs="+", default=list(SECTIONS), choices=SECTIONS,
        help="which measures to run (default: all)")  # fmt: skip
    add("--mmc-dossiers", type=int, default=1_000_000,
        help="dossiers of the long M/M/10 runs (default 1,000,000)")  # fmt: skip
    add("--province-days", type=int, default=365,
        help="days of the long province command (default 365)")  # fmt: skip
    add("--province-short-days", type=int, default=30,
        help="days of the short province command (default 30)")  # fmt: skip
    add("--cold-days", type=int, default=5,
        help="days of the cold-start command, scenario=mmc (default 5)")  # fmt: skip
    add("--linear-days", type=int, default=90,
        help="days of each linearity run (default 90)")  # fmt: skip
    add("--country-days", type=int, default=365,
        help="days of the country run (default 365)")  # fmt: skip
    add("--sobol-samples", type=int, default=8,
        help="Sobol's N measured (a power of 2), extrapolated to N = 256 (default 8)")  # fmt: skip
    add("--sweep-runs", type=int, default=2, help="runs of each sweep setting (default 2)")
    add("--log-rows", type=int, default=LOG_ROWS,
        help=f"rows of the dossier log of python -m sim.intake (default {LOG_ROWS:,})")  # fmt: skip
    args = parser.parse_args(argv)
    quick = args.quick
    runs = 1 if quick else args.runs
    mmc_dossiers = 20_000 if quick else args.mmc_dossiers
    started = time.perf_counter()
    info = machine()
    info["commit"] = _commit()
    info["load_before"] = " ".join(f"{x:.1f}" for x in os.getloadavg())
    ciw_results: list[dict] = []

    def ciw() -> list[dict]:
        """Ciw's M/M/10 runs, measured once for the sections that compare with it."""
        if not ciw_results:
            ciw_results.extend(repeat(runs, "ciw_mmc", str(mmc_dossiers), "{i}"))
        return ciw_results

    sections = {
        "mmc": lambda: mmc_rows(runs, mmc_dossiers, ciw),
        "province": lambda: province_rows(
            runs,
            10 if quick else args.province_days,
            2 if quick else args.province_short_days,
            ciw,
        ),
        "country": lambda: country_rows(1, 3 if quick else args.country_days, 2),
        "country_dask": lambda: country_dask_rows(3 if quick else args.country_days, 2),
        "sobol": lambda: sobol_rows(1 if quick else args.sobol_samples, 2, 5 if quick else 92),
        "cold": lambda: cold_rows(runs, 1 if quick else args.cold_days),
        "sweep": lambda: sweep_rows(1 if quick else args.sweep_runs, 2 if quick else 16),
        "linear": lambda: linear_rows(runs, 5 if quick else args.linear_days),
        "intake": lambda: intake_rows(runs, 2_000 if quick else args.log_rows),
    }
    if set(args.sections) - {"cold"}:
        warm_up()
    rows: list[Row] = []
    profiles = ""
    for name in args.sections:
        if name == "profiles":
            profiles = profile_table(days=5 if quick else 60, mmc_days=20 if quick else 500)
        else:
            rows += sections[name]()
        info["load_after"] = " ".join(f"{x:.1f}" for x in os.getloadavg())
        info["date"] = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
        info["minutes"] = (time.perf_counter() - started) / 60
        text = markdown(rows, info, NOTES, profiles) + hand_written(args.output)
        args.output.write_text(text, encoding="utf-8")  # after each section: partial results
    print(text)
    print(f"written: {args.output}", file=sys.stderr)


def _commit() -> str:
    import subprocess

    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                             text=True, cwd=RESULTS.parent, check=True)  # fmt: skip
        return out.stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


if __name__ == "__main__":
    main()
