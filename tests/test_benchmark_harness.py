"""The benchmark harness's yardsticks (the benchmarks themselves are not tests)."""

from __future__ import annotations

import pytest

from benchmarks.__main__ import Row
from benchmarks.tasks import erlang_c_wait


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
