"""The benchmark harness's yardsticks (the benchmarks themselves are not tests)."""

from __future__ import annotations

import pytest

from benchmarks.__main__ import HAND_WRITTEN, Row, hand_written
from benchmarks.tasks import ARRIVAL_RATE, SERVERS, SERVICE_RATE, bare_mmc, erlang_c_wait


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
    result = bare_mmc("1000000", "0")
    theory = erlang_c_wait(ARRIVAL_RATE, SERVICE_RATE, SERVERS)
    assert result["dossiers"] == 1_000_000
    assert result["mean_wait_hours"] == pytest.approx(theory, rel=0.05)


def test_a_new_run_keeps_the_hand_written_part_of_the_results(tmp_path):
    path = tmp_path / "RESULTS.md"
    assert hand_written(path) == ""
    path.write_text(f"# old table\n| a |\n{HAND_WRITTEN}\n## Targets\nwhy\n", encoding="utf-8")
    assert hand_written(path) == f"\n{HAND_WRITTEN}\n## Targets\nwhy\n"
    path.write_text("# a table and nothing written by hand\n", encoding="utf-8")
    assert hand_written(path) == ""
