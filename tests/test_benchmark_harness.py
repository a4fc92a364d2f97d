"""The benchmark harness's yardsticks and arithmetic (the benchmarks themselves are not
tests: their figures depend on the machine)."""

from __future__ import annotations

import sys

import pytest

from benchmarks.figures import cold_start_extra, fixed_cost, line_fit, marginal_rate
from benchmarks.measure import run_command, sim_run
from benchmarks.sections import (
    QUIET,
    cold_table,
    country_dask_table,
    linear_table,
    mmc_table,
    province_table,
    sobol_table,
)
from benchmarks.table import HAND_WRITTEN, Row, hand_written
from benchmarks.tasks import (
    ARRIVAL_RATE,
    SERVERS,
    SERVICE_RATE,
    SHORT_FRACTION,
    erlang_c_wait,
    heapq_mmc,
    marginal_runs,
    scale_demand,
)


def test_erlang_c_reduces_to_mm1_and_grows_with_load():
    # M/M/1: Wq = rho / (mu - lambda)
    assert erlang_c_wait(0.5, 1.0, 1) == pytest.approx(0.5 / 0.5)
    assert erlang_c_wait(0.9, 1.0, 1) == pytest.approx(0.9 / 0.1)
    # M/M/2 at lambda=1, mu=1: C = 1/3, Wq = C / (2 - 1)
    assert erlang_c_wait(1.0, 1.0, 2) == pytest.approx(1 / 3)
    assert erlang_c_wait(9.0, 1.0, 10) > erlang_c_wait(8.0, 1.0, 10)


def test_row_reports_median_and_range():
    row = Row("g", "m", [3.0, 1.0, 2.0], "{:.1f}", "<= 2", True)
    assert row.cells() == ["g", "m", "2.0", "1.0 - 3.0", "3", "<= 2", "holds"]
    single = Row("g", "m", [5.0], "{:.0f}", "", False)
    assert single.cells()[3:] == ["(one run)", "1", "", "**missed**"]


def test_floor_loop_simulates_the_same_queue_as_the_engine():
    # 1 million customers: the mean wait's standard error is about 1% at load 0.9, so
    # 5% is about five standard errors
    served, wait = heapq_mmc(1_000_000, 0)
    assert served == 1_000_000
    assert wait == pytest.approx(erlang_c_wait(ARRIVAL_RATE, SERVICE_RATE, SERVERS), rel=0.05)


def test_a_new_run_keeps_the_hand_written_part_of_the_results(tmp_path):
    path = tmp_path / "RESULTS.md"
    assert hand_written(path) == ""
    path.write_text(f"# old table\n| a |\n{HAND_WRITTEN}\n## Targets\nwhy\n", encoding="utf-8")
    assert hand_written(path) == f"\n{HAND_WRITTEN}\n## Targets\nwhy\n"
    path.write_text("# a table and nothing written by hand\n", encoding="utf-8")
    assert hand_written(path) == ""


def run(dossiers: int, rate: float, once: float, **more) -> dict:
    """A result that pays ``once`` CPU s and then ``rate`` dossiers per CPU s."""
    return {"dossiers": dossiers, "cpu_s": once + dossiers / rate, **more}


def test_marginal_rate_cancels_what_every_run_pays_once():
    short, long = run(30_000, 5_000.0, 2.0), run(400_000, 5_000.0, 2.0)
    assert marginal_rate(short, long) == pytest.approx(5_000)
    # the long run's own average is well below: the fixed 2 s weighs on it
    assert long["dossiers"] / long["cpu_s"] < 4_900
    assert fixed_cost(long, 5_000) == pytest.approx(2.0)
    timed = {"dossiers": 10, "cpu_s": 99.0, "run_cpu_s": 1.0}
    assert marginal_rate({"dossiers": 0, "run_cpu_s": 0.5}, timed, "run_cpu_s") == 20
    with pytest.raises(ValueError, match="make it longer"):
        marginal_rate(long, short)
    with pytest.raises(ValueError, match="3.000 CPU s"):
        marginal_rate(run(10, 1.0, 3.0 - 10), run(20, 1.0, 3.0 - 20))


def test_cold_start_is_the_first_run_beyond_the_warm_one():
    cold = {"elapsed_s": 34.5, "cpu_s": 31.0}
    warm = {"elapsed_s": 4.0, "cpu_s": 3.5}
    assert cold_start_extra(cold, warm) == pytest.approx(30.5)
    assert cold_start_extra(cold, warm, "cpu_s") == pytest.approx(27.5)


def test_line_fit_splits_cost_per_dossier_from_cost_per_day():
    days, per_day, per_dossier = 90, 0.002, 25e-6
    dossiers = [100_000, 200_000, 400_000]
    slope, intercept = line_fit(dossiers, [per_day * days + per_dossier * d for d in dossiers])
    assert slope == pytest.approx(per_dossier)
    assert intercept == pytest.approx(per_day * days)
    with pytest.raises(ValueError, match="distinct"):
        line_fit([1, 1], [2, 3])


def mmc_results(rate: float, first_s: float, waits: float) -> dict:
    """A ``marginal_runs`` result of a simulator at ``rate`` with 0.5 s per run."""
    short, long = run(100_000, rate, 0.5), run(1_000_000, rate, 0.5)
    for piece in (short, long):
        piece.update(wall_s=piece["cpu_s"], mean_wait_hours=waits)
    return {"first": {"cpu_s": first_s}, "short": short, "long": long}


def find(rows: list[Row], start: str) -> Row:
    """The one row whose measure starts with ``start``."""
    (row,) = [row for row in rows if row.measure.startswith(start)]
    return row


def test_mmc_target_is_on_marginal_rates_against_ciw():
    theory = erlang_c_wait(ARRIVAL_RATE, SERVICE_RATE, SERVERS)
    ciw = [mmc_results(5_000.0, 0.0, theory * 1.01)]
    bare = [mmc_results(1_000_000.0, 0.0, theory)]
    # 101x Ciw at the margin, though far from it per CPU s of the whole long run
    rows = mmc_table([mmc_results(505_000.0, 3.0, theory * 1.06)], ciw, bare, 1_000_000)
    ratio = find(rows, "engine / Ciw, marginal")
    assert ratio.values == [pytest.approx(101)] and ratio.target == ">= 100x" and ratio.holds
    assert find(rows, "engine / Ciw, dossiers per wall second").values[0] < 90
    assert "a 100,000-dossier run subtracted" in find(rows, "engine (scenario=mmc)").measure
    assert find(rows, "engine: CPU s of a process's first run").values == [3.0]
    assert find(rows, "floor / engine speed ratio").values == [pytest.approx(1e6 / 505_000)]
    assert find(rows, "engine mean wait vs Erlang C").holds is False  # 6% off
    assert find(rows, "Ciw mean wait vs Erlang C").holds is True
    slower = mmc_table([mmc_results(495_000.0, 3.0, theory)], ciw, bare, 1_000_000)
    assert find(slower, "engine / Ciw, marginal").holds is False


def command(dossiers: int, rate: float, once: float, wall: float, rss: float) -> dict:
    return run(dossiers, rate, once, elapsed_s=wall, peak_rss_mb=rss, communes=65)


def test_province_targets_marginal_rate_whole_command_and_memory():
    short = [command(33_000, 561_000.0, 3.0, 3.1, 200.0)]
    long = [command(403_000, 561_000.0, 3.0, 4.9, 1023.0)]
    rows = province_table(short, long, [50_000.0, 55_000.0, 60_000.0], 30, 365)
    ratio = next(r for r in rows if r.target == ">= 10x")
    assert ratio.values == [pytest.approx(10.2)] and ratio.holds  # against the median, 55,000
    wall = next(r for r in rows if r.target == "<= 5 s")
    assert "python -m sim.run scenario=province run.days=365" in wall.measure
    assert wall.values == [4.9] and wall.holds
    memory = next(r for r in rows if r.target == "< 1,024 MB")
    assert memory.holds
    once = next(r for r in rows if r.measure.startswith("CPU s the command pays once"))
    assert once.values == [pytest.approx(3.0)]
    assert rows[0].measure == "dossiers" and rows[0].values == [403_000]
    short = [command(33_000, 540_000.0, 3.0, 3.1, 200.0)]
    over = [command(403_000, 540_000.0, 3.0, 5.1, 1024.0)]
    missed = [r for r in province_table(short, over, [55_000.0], 30, 365) if r.target]
    assert [r.holds for r in missed] == [False, False, False]  # 9.8x, 5.1 s, 1 GB


def test_cold_start_target_is_on_the_extra_wall_seconds():
    def pair(cold: float, warm: float, files: int) -> dict:
        return {"cold": {"elapsed_s": cold, "cpu_s": cold}, "warm": {"elapsed_s": warm,
                "cpu_s": warm}, "cache_files": files}  # fmt: skip

    rows = cold_table([pair(35.0, 4.0, 12), pair(30.0, 4.5, 12), pair(33.0, 4.2, 12)], 5)
    extra = next(r for r in rows if r.target == "<= 30 s")
    assert extra.values == [pytest.approx(31.0), pytest.approx(25.5), pytest.approx(28.8)]
    assert extra.holds  # median 28.8 s
    assert not next(r for r in cold_table([pair(35.0, 4.0, 12)], 5) if r.target).holds
    assert rows[-1].values == [12, 12, 12]


def test_sobol_extrapolates_to_n_256_by_the_measured_seconds_per_run():
    # N = 8 over 20 factors: 8 x 22 = 176 runs measured in 88 s, 0.5 s a run
    measured = [{"wall_s": 88.0, "runs": 176, "factors": 20, "cpu_s": 264.0}]
    rows = sobol_table(measured, 8, 2, 92)
    full = next(r for r in rows if r.target == "<= 30 min")
    assert "N = 256 (5,632 runs)" in full.measure and "extrapolated" in full.measure
    assert full.values == [pytest.approx(5632 * 0.5 / 60)] and not full.holds  # 46.9 min
    assert next(r for r in rows if r.measure.startswith("CPU s per run")).values == [1.5]
    fast = [{"wall_s": 44.0, "runs": 176, "factors": 20, "cpu_s": 88.0}]
    assert next(r for r in sobol_table(fast, 8, 2, 92) if r.target).holds  # 23.5 min


def test_country_on_dask_must_give_the_local_pool_numbers():
    def result(wall: float, dossiers: int) -> dict:
        return {"wall_s": wall, "cluster_start_s": 2.0, "dossiers": dossiers,
                "communes": 3321, "cpu_s": 2 * wall}  # fmt: skip

    rows = country_dask_table([result(100.0, 7)], [result(110.0, 7)], 365, 2)
    ratio = next(r for r in rows if r.measure.startswith("Dask / local pool"))
    assert ratio.values == [pytest.approx(1.1)]
    with pytest.raises(RuntimeError, match="other numbers"):
        country_dask_table([result(100.0, 7)], [result(110.0, 8)], 365, 2)


def test_linearity_reports_cost_per_dossier_and_per_day():
    days = 90

    def result(dossiers: int) -> dict:
        return {"dossiers": dossiers, "run_cpu_s": 0.002 * days + 25e-6 * dossiers,
                "build_cpu_s": 0.4, "utilization": dossiers / 500_000}  # fmt: skip

    by_factor = {f: [result(100_000 * f), result(101_000 * f)] for f in (1, 2, 4)}
    rows = linear_table(by_factor, days)
    assert find(rows, "CPU microseconds per extra dossier").values == [pytest.approx(25)] * 2
    assert (
        find(rows, "CPU ms per simulated day beyond the dossiers").values
        == [pytest.approx(2.0)] * 2
    )


def test_marginal_runs_time_a_first_a_short_and_a_long_run():
    asked = []

    def simulate(n: int) -> tuple[int, float]:
        asked.append(n)
        return n, 0.5 * n

    result = marginal_runs(simulate, 50_000)
    assert asked == [round(24 * ARRIVAL_RATE), 50_000 // SHORT_FRACTION, 50_000]
    assert result["short"]["dossiers"] == 5_000
    assert result["dossiers"] == 50_000 and result["mean_wait_hours"] == 25_000
    assert all(result[k]["cpu_s"] >= 0 for k in ("first", "short", "long"))


def test_demand_scales_the_national_rate_where_per_year_rates_are_derived():
    derived = {"citizen_dossiers_per_year": None, "business_dossiers_per_year": None,
               "national": {"dossiers_per_commune_per_working_day": 37}}  # fmt: skip
    scale_demand(derived, 2.0)
    assert derived["national"]["dossiers_per_commune_per_working_day"] == 74
    given = {"citizen_dossiers_per_year": 1.0, "business_dossiers_per_year": 0.5}
    scale_demand(given, 4.0)
    assert given == {"citizen_dossiers_per_year": 4.0, "business_dossiers_per_year": 2.0}


def test_commands_get_the_cache_folder_and_write_outside_the_repository(tmp_path):
    cache = tmp_path / "cache"
    measures, out = run_command(
        [sys.executable, "-c", "import os; print(os.environ['NUMBA_CACHE_DIR'])"],
        env={"NUMBA_CACHE_DIR": str(cache)},
    )
    assert out.strip() == str(cache) and measures["elapsed_s"] > 0
    # the command the cold start measures, as the harness runs it
    result = sim_run(["scenario=mmc", "run.days=1", *QUIET], tmp_path / "out")
    assert (tmp_path / "out" / "summary.json").exists()
    assert result["dossiers"] > 0 and result["communes"] == 1
    assert result["cpu_s"] > 0 and result["peak_rss_mb"] > 0
    with pytest.raises(RuntimeError, match="no_such_key"):
        sim_run(["scenario=mmc", "run.no_such_key=1"], tmp_path / "bad")
