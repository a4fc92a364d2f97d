"""The summary-figures list and the statistics module: one source for every figure and CI."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from sim.core.metrics import Tally
from sim.core.stats import flatten, half_width, mean_interval, paired_differences
from sim.core.summary import (
    ALL_VIEWS,
    BY_KEY,
    FIGURES,
    FROM_TALLIES,
    HEADLINE,
    KIND_BOUNDS,
    Slice,
    assemble,
    merge_slices,
    shown_in,
    slice_figures,
)
from sim.reports import figure_text
from tests.helpers import run_model


def _slice(created: int, resolved: int, on_time: int, busy: float, available: float) -> Slice:
    tally = Tally()
    tally.created = tally.created_counted = created
    tally.resolved = tally.resolved_counted = resolved
    tally.on_time = on_time
    tally.sojourn_sum = 10.0 * resolved
    tally.open_hours = 40.0
    return Slice(tally, 8.0, 2, window_hours=24.0, busy_hours=busy, available_hours=available)


def test_figures_have_unique_keys_known_kinds_and_views():
    assert len(BY_KEY) == len(FIGURES)
    for figure in FIGURES:
        assert figure.kind in KIND_BOUNDS, figure.key
        assert set(figure.views) <= set(ALL_VIEWS), figure.key
        assert all(figure_text.TEXT[figure.key]), figure.key
    assert set(figure_text.TEXT) == set(BY_KEY)  # words for every figure, none left over
    for view in ALL_VIEWS:
        assert shown_in(view), view
    with pytest.raises(ValueError, match="unknown"):
        shown_in("nowhere")


def test_slice_figures_from_a_tally():
    figures = slice_figures(_slice(created=10, resolved=8, on_time=6, busy=3.0, available=12.0))
    assert list(figures) == [f.key for f in FROM_TALLIES]
    assert figures["dossiers_open"] == 2
    assert figures["on_time_rate"] == pytest.approx(0.75)
    assert figures["dossiers_late"] == 2
    assert figures["overdue_open"] == 2
    assert figures["mean_sojourn_hours"] == pytest.approx(10.0)
    assert figures["mean_backlog"] == pytest.approx(48.0 / 24.0)
    assert figures["utilization"] == pytest.approx(0.25)
    assert math.isnan(figures["mean_wait_hours"])  # nobody started service: no figure


def test_merged_slices_give_the_figures_of_the_sums_not_the_mean_of_rates():
    a = _slice(created=10, resolved=10, on_time=10, busy=1.0, available=10.0)
    b = _slice(created=30, resolved=30, on_time=0, busy=9.0, available=10.0)
    merged = slice_figures(merge_slices([a, b]))
    assert merged["on_time_rate"] == pytest.approx(10 / 40)  # the mean of rates would be 0.5
    assert merged["utilization"] == pytest.approx(10 / 20)
    assert merged["overdue_open"] == 4


def test_assemble_sorts_fields_and_keeps_commune_order():
    piece = _slice(created=1, resolved=1, on_time=1, busy=1.0, available=2.0)
    fields = {"land": piece, "civil": piece}
    summary = assemble({"total": {"": piece}, "field": fields, "commune": {"z": piece, "a": piece}})
    assert list(summary["by_field"]) == ["civil", "land"]
    assert list(summary["by_commune"]) == ["z", "a"]


def test_a_model_summary_has_every_figure_of_the_list():
    summary = run_model(["scenario=mmc"], days=3).summary()
    in_summary = [f.key for f in FIGURES]
    assert [k for k in in_summary if k not in summary] == []
    tally_keys = [f.key for f in FROM_TALLIES]
    for slice_figures_ in [*summary["by_field"].values(), *summary["by_commune"].values()]:
        assert [k for k in tally_keys if k not in slice_figures_] == []
    assert [f.key for f in shown_in(HEADLINE)][0] == "dossiers_created"


def test_mean_interval_is_the_t_interval():
    values = [1.0, 2.0, 4.0, None, float("nan")]
    mean, low, high = mean_interval(values)
    finite = np.array([1.0, 2.0, 4.0])
    half = stats.t.ppf(0.975, 2) * finite.std(ddof=1) / math.sqrt(3)
    assert mean == pytest.approx(7 / 3)
    assert (low, high) == pytest.approx((7 / 3 - half, 7 / 3 + half))
    assert half_width(finite.std(ddof=1), 3) == pytest.approx(half)


def test_mean_interval_with_too_few_values_and_bounds():
    assert all(math.isnan(v) for v in mean_interval([]))
    mean, low, high = mean_interval([0.5])
    assert mean == 0.5 and math.isnan(low) and math.isnan(high)
    mean, low, high = mean_interval([0.0, 0.0, 0.3], bounds=(0.0, 1.0))
    assert low == 0.0 and high > mean  # clipped below, not above
    assert mean_interval([0.0, 0.0, 0.3])[1] < 0


def test_paired_differences_pair_the_common_replications():
    diffs = paired_differences([5.0, 6.0, 7.0, 100.0], [1.0, 2.0, 3.0])
    assert diffs.tolist() == [4.0, 4.0, 4.0]
    assert mean_interval(diffs)[1:] == pytest.approx((4.0, 4.0))


def test_flatten_keeps_numbers_and_none_and_drops_the_rest():
    flat = flatten({"a": 1, "b": {"c": 2.5, "d": None, "e": "text", "f": True}, "g": [1, 2]})
    assert flat == {"a": 1, "b.c": 2.5, "b.d": None}
    assert isinstance(flat["a"], int)


def test_a_group_absent_from_some_replications_is_averaged_where_present():
    """A sample point of the uncertainty ranges may leave a commune without businesses:
    its equity group is missing from that replication's summary, not an error."""
    from sim.runs.replications import aggregate

    with_group = {
        "dossiers_created": 10,
        "by_group": {"a/citizen": {"n": 4}, "a/business": {"n": 2}},
    }
    without = {"dossiers_created": 14, "by_group": {"a/citizen": {"n": 6}}}
    result = aggregate([without, with_group])
    assert result["dossiers_created"] == 12
    assert result["by_group"]["a/citizen"]["n"] == 5
    assert result["by_group"]["a/business"]["n"] == 2


def test_a_run_over_sampled_ranges_survives_a_commune_without_businesses(tmp_path):
    from tests.helpers import command

    result = command(
        "sim.run", "scenario=gia_lai_ia_ly", "uncertainty.samples=2", "run.days=10",
        "output.report=false", "output.plots=false", "output.table=false",
        f"hydra.run.dir={tmp_path}",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "summary.json").exists()
