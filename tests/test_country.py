"""A country runs one model per province; merged results do not depend on the workers."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from sim.abm.model import GovernanceModel
from sim.runs.country import (
    CountrySpec,
    largest_first,
    province_seed,
    read_scenario,
    run_country,
    run_province,
)
from sim.spec.config import ConfigError
from sim.spec.scenario import ScenarioSpec
from tests.helpers import resolved

RUN = {"days": 12, "warmup_days": 2, "start_date": "2025-07-01"}


def config(*overrides: str) -> dict:
    return resolved(list(overrides))


def small_country(n_provinces: int, n_communes: int) -> tuple[CountrySpec, dict]:
    cfg = config(
        "scenario=country",
        f"scenario.n_provinces={n_provinces}",
        f"scenario.n_communes={n_communes}",
    )
    return read_scenario(cfg["scenario"]), cfg["policy"]


def same(a, b) -> bool:
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, float) and math.isnan(a):
        return isinstance(b, float) and math.isnan(b)
    return a == b


def test_country_config_reads_34_provinces_and_3321_communes():
    spec = read_scenario(config("scenario=country")["scenario"])
    assert isinstance(spec, CountrySpec)
    assert len(spec.provinces) == 34
    names = [c.name for p in spec.provinces for c in p.communes]
    assert len(names) == 3321 == len(set(names))
    assert all(c.name.startswith(p.name + "_") for p in spec.provinces for c in p.communes)


def test_the_largest_provinces_are_dispatched_first():
    spec = read_scenario(config("scenario=country")["scenario"])
    order = largest_first(spec.provinces)
    assert sorted(order) == list(range(34))
    sizes = [sum(c.households + c.businesses for c in spec.provinces[i].communes) for i in order]
    assert sizes == sorted(sizes, reverse=True)
    assert order[0] != 0  # the layout's largest province is not the first one


def test_a_country_is_not_read_as_one_province():
    with pytest.raises(ConfigError, match="scenario.n_provinces"):
        ScenarioSpec.read(config("scenario=country")["scenario"])


def test_results_do_not_depend_on_the_number_of_workers():
    spec, policy = small_country(3, 7)
    serial = run_country(spec, policy, seed=5, replication=0, workers=1, **RUN)
    parallel = run_country(spec, policy, seed=5, replication=0, workers=2, **RUN)
    assert same(serial[0], parallel[0])
    pd.testing.assert_frame_equal(serial[1], parallel[1])


def test_one_province_country_equals_its_model_exactly():
    """The merge recomputes figures from tallies: with one province nothing may move."""
    spec, policy = small_country(1, 3)
    summary, daily = run_country(spec, policy, seed=9, replication=1, workers=1, **RUN)
    model = GovernanceModel(
        spec.provinces[0],
        seed=province_seed(9, 1, 0),
        start_date=RUN["start_date"],
        warmup_days=RUN["warmup_days"],
    )
    model.run(RUN["days"])
    expected = model.summary()
    assert summary.pop("provinces") == 1
    assert same(summary, expected)
    pd.testing.assert_frame_equal(daily, model.daily_frame().reset_index(drop=True))


def test_merged_counts_are_the_provinces_sums_and_conserve_dossiers():
    spec, policy = small_country(3, 8)
    summary, daily = run_country(spec, policy, seed=2, replication=0, workers=1, **RUN)
    parts = [
        run_province(p, policy, province_seed(2, 0, i), **RUN) for i, p in enumerate(spec.provinces)
    ]
    for key in ("dossiers_created", "dossiers_resolved", "dossiers_open", "overdue_open"):
        assert summary[key] == sum(p.summary[key] for p in parts)
    assert len(summary["by_commune"]) == 8
    assert summary["dossiers_created"] == (
        summary["dossiers_resolved"] + summary["dossiers_open"] + summary["dossiers_withdrawn"]
    )
    assert daily["received"].sum() == summary["dossiers_created"]
    rates = [p.summary["on_time_rate"] for p in parts]
    assert min(rates) <= summary["on_time_rate"] <= max(rates)
    for field, figures in summary["by_field"].items():
        assert figures["dossiers_created"] == sum(
            p.summary["by_field"].get(field, {}).get("dossiers_created", 0) for p in parts
        )
