"""The measures of ``python -m benchmarks``, one function per section.

Each section measures in fresh processes (``benchmarks.measure``) and turns the results
into rows with a ``*_table`` function, which does the arithmetic alone (tested with
small inputs in tests/test_benchmark_harness.py).
"""

from __future__ import annotations

import statistics
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from benchmarks.figures import cold_start_extra, fixed_cost, line_fit, marginal_rate
from benchmarks.measure import run_task, sim_run
from benchmarks.table import Row
from benchmarks.tasks import ARRIVAL_RATE, SERVERS, SERVICE_RATE, SHORT_FRACTION, erlang_c_wait

# the targets (issue 15); a missed one stays missed: say why in RESULTS.md
MMC_RATIO = 100  # engine / Ciw, marginal dossiers per CPU-second, M/M/10 at load 0.9
PROVINCE_RATIO = 10  # province-year marginal rate / Ciw's M/M/10 rate
PROVINCE_WALL_S = 5  # the whole python -m sim.run scenario=province run.days=365 command
PROVINCE_RSS_MB = 1024  # peak memory of that command: under 1 GB
COUNTRY_WALL_S = 60  # country-year on 2 workers, the whole process
COUNTRY_RSS_MB = 4096
COLD_EXTRA_S = 30  # first run after install, compilation included, beyond a warm run
# what python -m sim.run scenario=province run.days=N is run with: no report or plots
# (the command); the outputs go to a temporary folder
QUIET = ["output.report=false", "output.plots=false"]


def repeat(n: int, task: str, *args: str) -> list[dict]:
    results = []
    for i in range(n):
        results.append(run_task(task, *[a.replace("{i}", str(i)) for a in args]))
        print(f"  {task} {' '.join(args)} run {i + 1}/{n}: {results[-1]['wall_s']:.2f} s",
              file=sys.stderr)  # fmt: skip
    return results


def commands(n: int, overrides: list[str], env: Callable[[Path], dict] | None = None,
             label: str = "") -> list[dict]:  # fmt: skip
    """``n`` runs of ``python -m sim.run OVERRIDES seed=i``, outputs in a temporary folder."""
    results = []
    for i in range(n):
        with tempfile.TemporaryDirectory() as tmp:
            results.append(sim_run([*overrides, f"seed={i}"], Path(tmp) / "out",
                                   env=env(Path(tmp)) if env else None))  # fmt: skip
        print(f"  python -m sim.run {' '.join(overrides)}{label} run {i + 1}/{n}: "
              f"{results[-1]['elapsed_s']:.2f} s", file=sys.stderr)  # fmt: skip
    return results


def warm_up() -> None:
    """One short run of each scenario measured, not timed: the compiled code is in its
    cache (``__pycache__``) before any measure, as after ``.ci/run`` or a first run."""
    for scenario in ("mmc", "province"):
        commands(1, [f"scenario={scenario}", "run.days=2", *QUIET], label=" (warm-up)")


def mmc_rows(runs: int, dossiers: int, ciw: Callable[[], list[dict]]) -> list[Row]:
    """Engine vs Ciw on the same M/M/c queue, and both against Erlang C."""
    engine = repeat(runs, "engine_mmc", str(dossiers), "{i}")
    bare = repeat(runs, "bare_mmc", str(dossiers), "{i}")
    return mmc_table(engine, ciw(), bare, dossiers)


def mmc_table(engine: list[dict], ciw: list[dict], bare: list[dict], dossiers: int) -> list[Row]:
    """Rows from ``marginal_runs`` results (benchmarks/tasks.py) of the three simulators."""
    theory = erlang_c_wait(ARRIVAL_RATE, SERVICE_RATE, SERVERS)

    def rates(results: list[dict]) -> list[float]:
        return [marginal_rate(r["short"], r["long"]) for r in results]

    def ratio(top: list[float], bottom: list[float]) -> list[float]:
        return [a / b for a, b in zip(top, bottom, strict=True)]

    def errors(results: list[dict]) -> list[float]:
        return [abs(r["long"]["mean_wait_hours"] / theory - 1) for r in results]

    def wall_rates(results: list[dict]) -> list[float]:
        return [r["long"]["dossiers"] / r["long"]["wall_s"] for r in results]

    rate_e, rate_c, rate_b = rates(engine), rates(ciw), rates(bare)
    ratios = ratio(rate_e, rate_c)
    err_e, err_c = errors(engine), errors(ciw)
    load = ARRIVAL_RATE / SERVERS / SERVICE_RATE
    group = f"M/M/{SERVERS}, load {load:.1f}, {dossiers:,} dossiers"
    marginal = f"marginal (a {dossiers // SHORT_FRACTION:,}-dossier run subtracted)"
    return [
        Row(group, f"engine (scenario=mmc) dossiers per CPU-second, {marginal}", rate_e,
            "{:,.0f}"),
        Row(group, f"Ciw dossiers per CPU-second, {marginal}", rate_c, "{:,.0f}"),
        Row(group, "engine / Ciw, marginal dossiers per CPU-second", ratios, "{:.1f}x",
            f">= {MMC_RATIO}x", statistics.median(ratios) >= MMC_RATIO),
        Row(group, "engine / Ciw, dossiers per wall second of the whole long run",
            ratio(wall_rates(engine), wall_rates(ciw)), "{:.1f}x"),
        Row(group, "engine: CPU s of a process's first run (one day: compiling or "
            "loading the compiled code, building the model)",
            [r["first"]["cpu_s"] for r in engine], "{:.2f}"),
        Row(group, "floor: bare heapq loop, no model, marginal dossiers per CPU-second",
            rate_b, "{:,.0f}"),
        Row(group, "floor / Ciw speed ratio", ratio(rate_b, rate_c), "{:.1f}x"),
        Row(group, "floor / engine speed ratio", ratio(rate_b, rate_e), "{:.1f}x"),
        Row(group, f"engine mean wait vs Erlang C ({theory:.4f} h), rel. error", err_e,
            "{:.2%}", "<= 5%", max(err_e) <= 0.05),
        Row(group, "Ciw mean wait vs Erlang C, rel. error", err_c, "{:.2%}", "<= 5%",
            max(err_c) <= 0.05),
        Row(group, "floor mean wait vs Erlang C, rel. error", errors(bare), "{:.2%}"),
    ]  # fmt: skip


def province_rows(runs: int, days: int, short_days: int,
                  ciw: Callable[[], list[dict]]) -> list[Row]:  # fmt: skip
    """The issue's command for ``days`` and ``short_days``, each a fresh process, paired
    by seed; Ciw's M/M/10 marginal rate from the same invocation."""
    short = commands(runs, ["scenario=province", f"run.days={short_days}", *QUIET])
    long = commands(runs, ["scenario=province", f"run.days={days}", *QUIET])
    ciw_rates = [marginal_rate(r["short"], r["long"]) for r in ciw()]
    return province_table(short, long, ciw_rates, short_days, days)


def province_table(short: list[dict], long: list[dict], ciw_rates: list[float],
                   short_days: int, days: int) -> list[Row]:  # fmt: skip
    """Rows from ``sim_run`` results of the short and long commands (paired by index)."""
    rates = [marginal_rate(s, g) for s, g in zip(short, long, strict=True)]
    ciw = statistics.median(ciw_rates)
    ratios = [rate / ciw for rate in rates]
    walls = [r["elapsed_s"] for r in long]
    memory = [r["peak_rss_mb"] for r in long]
    command = f"python -m sim.run scenario=province run.days={days} {' '.join(QUIET)}"
    group = f"province-year ({long[0]['communes']} communes, {days} days)"
    return [
        Row(group, "dossiers", [r["dossiers"] for r in long], "{:,.0f}"),
        Row(group, f"dossiers per CPU-second, marginal ({days}-day command minus "
            f"{short_days}-day command)", rates, "{:,.0f}"),
        Row(group, f"marginal rate / Ciw's M/M/{SERVERS} marginal rate ({ciw:,.0f} per "
            "CPU-second, median)", ratios, "{:.1f}x", f">= {PROVINCE_RATIO}x",
            statistics.median(ratios) >= PROVINCE_RATIO),
        Row(group, f"wall s of `{command}` (imports and model building included)", walls,
            "{:.1f}", f"<= {PROVINCE_WALL_S} s", statistics.median(walls) <= PROVINCE_WALL_S),
        Row(group, "CPU s of the command", [r["cpu_s"] for r in long], "{:.1f}"),
        Row(group, "CPU s the command pays once (its CPU s less its dossiers at the "
            "marginal rate: imports, config, model building, outputs)",
            [fixed_cost(g, rate) for g, rate in zip(long, rates, strict=True)], "{:.1f}"),
        Row(group, "peak RSS MB of the command", memory, "{:,.0f}",
            f"< {PROVINCE_RSS_MB:,} MB", max(memory) < PROVINCE_RSS_MB),
    ]  # fmt: skip


def country_rows(runs: int, days: int, workers: int) -> list[Row]:
    return country_table(repeat(runs, "country", str(days), "{i}", str(workers)), days, workers)


def country_table(results: list[dict], days: int, workers: int) -> list[Row]:
    group = f"country-year ({results[0]['communes']:,} communes, {days} days, {workers} workers)"
    walls = [r["elapsed_s"] for r in results]
    memory = [r["peak_rss_mb"] for r in results]
    return [
        Row(group, "wall s (the whole process: imports and set-up included)", walls,
            "{:.0f}", f"<= {COUNTRY_WALL_S} s", statistics.median(walls) <= COUNTRY_WALL_S),
        Row(group, "wall s of the simulation (after imports and config)",
            [r["wall_s"] for r in results], "{:.0f}"),
        Row(group, "dossiers", [r["dossiers"] for r in results], "{:,.0f}"),
        Row(group, "dossiers per wall second of the simulation",
            [r["dossiers"] / r["wall_s"] for r in results], "{:,.0f}"),
        Row(group, "CPU s (all processes)", [r["cpu_s"] for r in results], "{:.0f}"),
        Row(group, "peak RSS MB (all processes)", memory, "{:,.0f}",
            f"<= {COUNTRY_RSS_MB:,} MB", max(memory) <= COUNTRY_RSS_MB),
    ]  # fmt: skip


def country_dask_rows(days: int, workers: int) -> list[Row]:
    """The country-year on a local pool and on a loopback Dask cluster, one after the
    other under the same load: the same numbers, and the wall time of each."""
    local = repeat(1, "country", str(days), "0", str(workers), "local")
    dask = repeat(1, "country", str(days), "0", str(workers), "dask")
    return country_dask_table(local, dask, days, workers)


def country_dask_table(local: list[dict], dask: list[dict], days: int, workers: int) -> list[Row]:
    """Rows from ``country`` task results on the local pool and on the Dask cluster."""
    if [r["dossiers"] for r in local] != [r["dossiers"] for r in dask]:
        raise RuntimeError("the country-year on Dask gave other numbers than the local pool")
    group = (f"country-year ({local[0]['communes']:,} communes, {days} days): local pool "
             f"vs loopback Dask cluster, {workers} workers each")  # fmt: skip
    return [
        Row(group, "wall s of the simulation, local pool", [r["wall_s"] for r in local],
            "{:.0f}"),
        Row(group, "wall s of the simulation, Dask cluster (its start not included)",
            [r["wall_s"] for r in dask], "{:.0f}"),
        Row(group, "wall s of starting the Dask cluster", [r["cluster_start_s"] for r in dask],
            "{:.1f}"),
        Row(group, "Dask / local pool, wall s of the simulation",
            [d["wall_s"] / a["wall_s"] for a, d in zip(local, dask, strict=True)], "{:.2f}x"),
        Row(group, "CPU s (all processes), local pool", [r["cpu_s"] for r in local], "{:.0f}"),
        Row(group, "CPU s (all processes), Dask cluster", [r["cpu_s"] for r in dask], "{:.0f}"),
        Row(group, "dossiers (the same on both)", [r["dossiers"] for r in dask], "{:,.0f}"),
    ]  # fmt: skip


SOBOL_FULL_SAMPLES = 256  # the README's advice for a Sobol analysis: N >= 256
SOBOL_FACTORS = 20
SOBOL_WALL_S = 30 * 60  # the target: N = 256, 20 factors, 92 days, 2 cores


def sobol_rows(samples: int, workers: int, days: int) -> list[Row]:
    """The runs of a Sobol analysis at a small N, extrapolated to N = 256."""
    results = repeat(1, "sobol_runs", str(samples), str(workers), str(SOBOL_FACTORS), str(days))
    return sobol_table(results, samples, workers, days)


def sobol_table(results: list[dict], samples: int, workers: int, days: int) -> list[Row]:
    """Rows from ``sobol_runs`` results: measured at ``samples``, and N = 256 by the
    measured wall seconds per run (the pool's start and the composition included, so
    the extrapolation errs long)."""
    factors = results[0]["factors"]
    full = SOBOL_FULL_SAMPLES * (factors + 2)
    per_run_wall = [r["wall_s"] / r["runs"] for r in results]
    full_wall = [w * full for w in per_run_wall]
    group = (f"Sobol: province, {days} days, {factors} factors, {workers} workers "
             f"(N = {samples} measured, {results[0]['runs']} runs)")  # fmt: skip
    return [
        Row(group, "wall s of the runs (run_many)", [r["wall_s"] for r in results], "{:.0f}"),
        Row(group, "CPU s per run (all processes)",
            [r["cpu_s"] / r["runs"] for r in results], "{:.2f}"),
        Row(group, "wall s per run", per_run_wall, "{:.2f}"),
        Row(group, f"N = {SOBOL_FULL_SAMPLES} ({full:,} runs): wall minutes, extrapolated "
            "from the measured wall s per run", [w / 60 for w in full_wall], "{:.0f}",
            f"<= {SOBOL_WALL_S // 60} min", statistics.median(full_wall) <= SOBOL_WALL_S),
    ]  # fmt: skip


def cold_rows(runs: int, days: int) -> list[Row]:
    """The same short command twice on one fresh, empty Numba cache: the first compiles
    (as the first run after an install), the second finds the compiled code cached."""
    overrides = ["scenario=mmc", f"run.days={days}", *QUIET, "output.table=false"]
    pairs = []
    for i in range(runs):
        with tempfile.TemporaryDirectory() as tmp:
            cache = Path(tmp) / "numba_cache"
            cache.mkdir()
            env = {"NUMBA_CACHE_DIR": str(cache)}
            cold = sim_run([*overrides, f"seed={i}"], Path(tmp) / "cold", env=env)
            files = sum(1 for p in cache.rglob("*") if p.is_file())
            warm = sim_run([*overrides, f"seed={i}"], Path(tmp) / "warm", env=env)
        pairs.append({"cold": cold, "warm": warm, "cache_files": files})
        print(f"  cold start run {i + 1}/{runs}: {cold['elapsed_s']:.2f} s cold, "
              f"{warm['elapsed_s']:.2f} s warm, {files} cache files", file=sys.stderr)  # fmt: skip
    return cold_table(pairs, days)


def cold_table(pairs: list[dict], days: int) -> list[Row]:
    """Rows from pairs of ``sim_run`` results, ``cold`` and ``warm``, and ``cache_files``."""
    extra = [cold_start_extra(p["cold"], p["warm"]) for p in pairs]
    group = (f"cold start: python -m sim.run scenario=mmc run.days={days}, "
             "empty then filled NUMBA_CACHE_DIR")  # fmt: skip
    return [
        Row(group, "wall s, empty cache (first run after install)",
            [p["cold"]["elapsed_s"] for p in pairs], "{:.1f}"),
        Row(group, "wall s, cache filled by that run", [p["warm"]["elapsed_s"] for p in pairs],
            "{:.1f}"),
        Row(group, "extra wall s of the first run (compilation included)", extra, "{:.1f}",
            f"<= {COLD_EXTRA_S} s", statistics.median(extra) <= COLD_EXTRA_S),
        Row(group, "extra CPU s of the first run",
            [cold_start_extra(p["cold"], p["warm"], "cpu_s") for p in pairs], "{:.1f}"),
        Row(group, "files the first run wrote into the cache (0: nothing compiled)",
            [p["cache_files"] for p in pairs], "{:,.0f}"),
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


FACTORS = (1, 2, 4)


def linear_rows(runs: int, days: int) -> list[Row]:
    """Cost per dossier at 1x, 2x and 4x the province's demand (same staff)."""
    by_factor = {f: repeat(runs, "province", str(days), "{i}", str(f)) for f in FACTORS}
    return linear_table(by_factor, days)


def linear_table(by_factor: dict[int, list[dict]], days: int) -> list[Row]:
    """Rows from ``province`` task results per demand factor (paired by index)."""
    rows = []
    for factor, results in by_factor.items():
        group = f"linearity: province, {days} days, {factor}x demand"
        rows += [
            Row(group, "dossiers", [r["dossiers"] for r in results], "{:,.0f}"),
            Row(group, "CPU s of the run (model built, compiled code loaded)",
                [r["run_cpu_s"] for r in results], "{:.2f}"),
            Row(group, "CPU microseconds per dossier",
                [1e6 * r["run_cpu_s"] / r["dossiers"] for r in results], "{:.1f}"),
            Row(group, "staff utilisation", [r["utilization"] for r in results], "{:.2f}"),
        ]  # fmt: skip
    fits = [
        line_fit([r["dossiers"] for r in same], [r["run_cpu_s"] for r in same])
        for same in zip(*by_factor.values(), strict=True)
    ]
    group = (f"linearity: province, {days} days, line through "
             f"{', '.join(f'{f}x' for f in by_factor)}")  # fmt: skip
    return rows + [
        Row(group, "CPU microseconds per extra dossier (slope)", [1e6 * s for s, _ in fits],
            "{:.1f}"),
        Row(group, "CPU ms per simulated day beyond the dossiers (intercept / days)",
            [1e3 * b / days for _, b in fits], "{:.2f}"),
        Row(group, "CPU s of building the model (first demand)",
            [r["build_cpu_s"] for r in next(iter(by_factor.values()))], "{:.2f}"),
    ]  # fmt: skip
