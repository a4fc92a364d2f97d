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
import statistics
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.measure import run_task
from benchmarks.profiles import profile_table
from benchmarks.tasks import ARRIVAL_RATE, SERVERS, SERVICE_RATE, erlang_c_wait

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
# RESULTS.md from this line on is written by hand (targets, gaps, what was changed): a
# new run replaces the table and profiles above it and keeps the rest
HAND_WRITTEN = "<!-- written by hand below: kept by python -m benchmarks -->"
SECTIONS = ("mmc", "province", "country", "sweep", "linear", "profiles")


class Row:
    """One line of the results table: a measure over runs, and its target."""

    def __init__(self, group: str, measure: str, values: list[float], fmt: str,
                 target: str = "", holds: bool | None = None) -> None:  # fmt: skip
        self.group, self.measure, self.values, self.fmt = group, measure, values, fmt
        self.target, self.holds = target, holds

    @property
    def median(self) -> float:
        return statistics.median(self.values)

    def cells(self) -> list[str]:
        spread = (
            f"{self.fmt.format(min(self.values))} - {self.fmt.format(max(self.values))}"
            if len(self.values) > 1
            else "(one run)"
        )
        status = "" if self.holds is None else ("holds" if self.holds else "**missed**")
        return [self.group, self.measure, self.fmt.format(self.median), spread,
                str(len(self.values)), self.target, status]  # fmt: skip


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


def repeat(n: int, task: str, *args: str) -> list[dict]:
    results = []
    for i in range(n):
        results.append(run_task(task, *[a.replace("{i}", str(i)) for a in args]))
        print(f"  {task} {' '.join(args)} run {i + 1}/{n}: {results[-1]['wall_s']:.2f} s",
              file=sys.stderr)  # fmt: skip
    return results


def mmc_rows(runs: int, dossiers: int) -> list[Row]:
    """Engine vs Ciw on the same M/M/c queue, and both against Erlang C."""
    engine = repeat(runs, "engine_mmc", str(dossiers), "{i}")
    ciw = repeat(runs, "ciw_mmc", str(dossiers), "{i}")
    bare = repeat(runs, "bare_mmc", str(dossiers), "{i}")
    theory = erlang_c_wait(ARRIVAL_RATE, SERVICE_RATE, SERVERS)
    rate_e = [r["dossiers"] / r["wall_s"] for r in engine]
    rate_c = [r["dossiers"] / r["wall_s"] for r in ciw]
    ratios = [e / c for e, c in zip(rate_e, rate_c, strict=True)]
    cpu_ratio = [
        (c["cpu_s"] / c["dossiers"]) / (e["cpu_s"] / e["dossiers"])
        for e, c in zip(engine, ciw, strict=True)
    ]
    rate_b = [r["dossiers"] / r["wall_s"] for r in bare]
    err_e = [abs(r["mean_wait_hours"] / theory - 1) for r in engine]
    err_c = [abs(r["mean_wait_hours"] / theory - 1) for r in ciw]
    err_b = [abs(r["mean_wait_hours"] / theory - 1) for r in bare]
    load = ARRIVAL_RATE / SERVERS / SERVICE_RATE
    group = f"M/M/{SERVERS}, load {load:.1f}, {dossiers:,} dossiers"
    return [
        Row(group, "engine (scenario=mmc) dossiers/s", rate_e, "{:,.0f}"),
        Row(group, "Ciw dossiers/s", rate_c, "{:,.0f}"),
        Row(group, "engine / Ciw speed ratio", ratios, "{:.1f}x", ">= 20x",
            statistics.median(ratios) >= 20),
        Row(group, "engine / Ciw, CPU s per dossier of the whole process", cpu_ratio,
            "{:.1f}x"),
        Row(group, "floor: bare heapq loop, no model, dossiers/s", rate_b, "{:,.0f}"),
        Row(group, "floor / Ciw speed ratio",
            [b / c for b, c in zip(rate_b, rate_c, strict=True)], "{:.1f}x"),
        Row(group, "floor / engine speed ratio",
            [b / e for b, e in zip(rate_b, rate_e, strict=True)], "{:.1f}x"),
        Row(group, f"engine mean wait vs Erlang C ({theory:.4f} h), rel. error", err_e,
            "{:.2%}", "<= 5%", max(err_e) <= 0.05),
        Row(group, "Ciw mean wait vs Erlang C, rel. error", err_c, "{:.2%}", "<= 5%",
            max(err_c) <= 0.05),
        Row(group, "floor mean wait vs Erlang C, rel. error", err_b, "{:.2%}"),
    ]  # fmt: skip


def province_rows(runs: int, days: int) -> list[Row]:
    results = repeat(runs, "province", str(days), "{i}")
    group = f"province-year ({results[0]['communes']} communes, {days} days)"
    walls = [r["wall_s"] for r in results]
    return [
        Row(group, "wall s per replication", walls, "{:.1f}", "<= 10 s",
            statistics.median(walls) <= 10),
        Row(group, "dossiers", [r["dossiers"] for r in results], "{:,.0f}"),
        Row(group, "dossiers/s", [r["dossiers"] / r["wall_s"] for r in results], "{:,.0f}"),
        Row(group, "CPU s (whole process)", [r["cpu_s"] for r in results], "{:.1f}"),
        Row(group, "peak RSS MB", [r["peak_rss_mb"] for r in results], "{:,.0f}",
            "<= 1,024 MB", max(r["peak_rss_mb"] for r in results) <= 1024),
    ]  # fmt: skip


def country_rows(runs: int, days: int, workers: int) -> list[Row]:
    results = repeat(runs, "country", str(days), "{i}", str(workers))
    group = f"country-year ({results[0]['communes']:,} communes, {days} days, {workers} workers)"
    walls = [r["wall_s"] for r in results]
    return [
        Row(group, "wall s", walls, "{:.0f}", "<= 300 s", statistics.median(walls) <= 300),
        Row(group, "dossiers", [r["dossiers"] for r in results], "{:,.0f}"),
        Row(group, "dossiers/s", [r["dossiers"] / r["wall_s"] for r in results], "{:,.0f}"),
        Row(group, "CPU s (all processes)", [r["cpu_s"] for r in results], "{:.0f}"),
        Row(group, "peak RSS MB (all processes)", [r["peak_rss_mb"] for r in results],
            "{:,.0f}", "<= 8,192 MB", max(r["peak_rss_mb"] for r in results) <= 8192),
    ]  # fmt: skip


def sweep_rows(runs: int, jobs: int) -> list[Row]:
    group = f"sweep: {jobs} jobs (lang_son_wards, 92 days), joblib launcher"
    walls = {}
    with tempfile.TemporaryDirectory() as tmp:
        for workers in (1, 2):
            results = repeat(runs, "sweep", str(workers), str(jobs), f"{tmp}/w{workers}_{{i}}")
            if any(r["jobs_ok"] != jobs for r in results):
                raise RuntimeError(f"sweep with {workers} workers: not every job succeeded")
            walls[workers] = [r["wall_s"] for r in results]
    speedup = [a / b for a, b in zip(walls[1], walls[2], strict=True)]
    return [
        Row(group, "wall s, 1 worker", walls[1], "{:.1f}"),
        Row(group, "wall s, 2 workers", walls[2], "{:.1f}"),
        Row(group, "speed-up 1 -> 2 workers", speedup, "{:.2f}x"),
    ]


def linear_rows(runs: int, days: int) -> list[Row]:
    """Cost per dossier at 1x, 2x and 4x the province's demand (same staff)."""
    rows = []
    for factor in (1, 2, 4):
        results = repeat(runs, "province", str(days), "{i}", str(factor))
        group = f"linearity: province, {days} days, {factor}x demand"
        rows += [
            Row(group, "dossiers", [r["dossiers"] for r in results], "{:,.0f}"),
            Row(group, "wall s", [r["wall_s"] for r in results], "{:.2f}"),
            Row(group, "microseconds per dossier",
                [1e6 * r["wall_s"] / r["dossiers"] for r in results], "{:.1f}"),
            Row(group, "staff utilisation", [r["utilization"] for r in results], "{:.2f}"),
        ]  # fmt: skip
    return rows


def markdown(rows: list[Row], info: dict, notes: list[str], profiles: str) -> str:
    header = ["benchmark", "measure", "median", "min - max", "runs", "target", "status"]
    lines = [
        "# Benchmark results",
        "",
        f"Written by `python -m benchmarks` on {info['date']} in {info['minutes']:.1f} min, "
        f"at commit {info['commit']}.",
        f"Machine: {info['cpu']}, {info['cores']} cores; Python {info['python']} "
        f"({info['platform']}). Load average before / after: {info['load_before']} / "
        f"{info['load_after']}.",
        "",
        "| " + " | ".join(header) + " |",
        "|" + "---|" * len(header),
    ]
    lines += ["| " + " | ".join(row.cells()) + " |" for row in rows]
    lines += ["", *notes, "", profiles]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="tiny sizes: check the harness")
    parser.add_argument("--runs", type=int, default=3, help="runs per measure (default 3)")
    parser.add_argument("--output", type=Path, default=RESULTS, help="the Markdown file")
    parser.add_argument("--sections", nargs="+", default=list(SECTIONS), choices=SECTIONS,
                        help="which measures to run (default: all)")  # fmt: skip
    parser.add_argument("--linear-days", type=int, default=90,
                        help="days of each linearity run (default 90)")  # fmt: skip
    parser.add_argument("--country-days", type=int, default=365,
                        help="days of the country run (default 365)")  # fmt: skip
    parser.add_argument("--sweep-runs", type=int, default=2,
                        help="runs of each sweep setting (default 2)")  # fmt: skip
    args = parser.parse_args(argv)
    quick = args.quick
    runs = 1 if quick else args.runs
    started = time.perf_counter()
    info = machine()
    info["commit"] = _commit()
    info["load_before"] = " ".join(f"{x:.1f}" for x in os.getloadavg())
    notes = [
        "Each run is a fresh process; peak RSS is the resident memory of the process and "
        "its joblib workers, sampled every 0.05 s; CPU s is the user + system time of the "
        "same process tree (imports and set-up included). The country-year runs once (it "
        "is the longest measure). The machine is shared, so wall times carry noise from "
        "other work on it; the load averages above show how much, and CPU s shows the "
        "work itself.",
    ]
    sections = {
        "mmc": lambda: mmc_rows(runs, 20_000 if quick else 1_000_000),
        "province": lambda: province_rows(runs, 10 if quick else 365),
        "country": lambda: country_rows(1, 3 if quick else args.country_days, 2),
        "sweep": lambda: sweep_rows(1 if quick else args.sweep_runs, 2 if quick else 16),
        "linear": lambda: linear_rows(runs, 5 if quick else args.linear_days),
    }
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
        text = markdown(rows, info, notes, profiles) + hand_written(args.output)
        args.output.write_text(text, encoding="utf-8")  # after each section: partial results
    print(text)
    print(f"written: {args.output}", file=sys.stderr)


def hand_written(path: Path) -> str:
    """The hand-written part of an existing results file (from its marker on), or ''."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return ""
    at = text.find(HAND_WRITTEN)
    return "" if at < 0 else "\n" + text[at:]


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
