"""Synthetic provinces: drawn from the documented distributions, fixed by layout_seed."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from sim.abm.model import GovernanceModel
from sim.spec.config import ConfigError
from sim.spec.scenario import ScenarioSpec
from sim.spec.synthetic import expand, province_sizes
from tests.helpers import resolved

CONFIG_DIR = str(Path(__file__).resolve().parent.parent / "configs")


def scenario(*overrides: str) -> dict:
    return resolved(list(overrides))["scenario"]


def test_province_has_n_communes_with_unique_names_and_staff():
    spec = ScenarioSpec.read(scenario("scenario=province"))
    assert len(spec.communes) == 65
    assert len({c.name for c in spec.communes}) == 65
    fields_served = set()
    for commune in spec.communes:
        staff = sum(g.count for g in commune.clerks)
        assert 5 <= staff <= 20  # 32-70 positions x 0.25 handlers, never zero
        for group in commune.clerks:
            fields_served |= {f for f, p in group.skills.items() if p > 0 and group.count}
        assert commune.households > 0 and commune.businesses > 0
    assert fields_served == set(spec.fields)
    per_commune = scenario("scenario=province")["layout"]["department_staff_per_commune"]
    assert spec.departments["land"].staff == round(per_commune["land"] * 65)


def test_layout_is_fixed_by_layout_seed_and_changes_with_it():
    a = expand(scenario("scenario=province"))
    b = expand(scenario("scenario=province"))
    c = expand(scenario("scenario=province", "scenario.layout_seed=2"))
    assert a["communes"] == b["communes"]
    assert a["communes"] != c["communes"]


def test_communes_list_and_n_communes_together_are_refused():
    data = scenario("scenario=province")
    data["communes"] = scenario()["communes"]
    with pytest.raises(ConfigError, match="scenario.n_communes"):
        ScenarioSpec.read(data)


def test_bad_layout_value_names_the_key():
    with pytest.raises(ConfigError, match="scenario.layout.handling_share"):
        ScenarioSpec.read(scenario("scenario=province", "scenario.layout.handling_share=1.5"))


def test_demand_of_the_mean_commune_is_the_national_rate_less_provincial_filings():
    """SOURCES.md: 37 per commune per working day, 20% filed at provincial level."""
    data = scenario("scenario=province")
    layout = data["layout"]
    rates = ScenarioSpec.read(data).dossiers_per_unit_per_year
    households = layout["households_mean"]
    per_year = households * rates["citizen"] + (
        households * layout["businesses_per_household"] * rates["business"]
    )
    assert per_year / 250 == pytest.approx(37 * (1 - 0.2), rel=0.01)


def test_staffing_factor_reproduces_ha_tinh_over_and_under_quota_counts():
    """Normal(mean, sd) x 37 positions, rounded: 41 of 69 over, 21 under (SOURCES.md)."""
    layout = scenario("scenario=province")["layout"]
    mean, sd = layout["staffing_factor_mean"], layout["staffing_factor_sd"]
    half = 0.5 / 37  # within half a person of the quota rounds to "at quota"
    over = 1 - stats.norm.cdf(1 + half, mean, sd)
    under = stats.norm.cdf(1 - half, mean, sd)
    assert over == pytest.approx(41 / 69, abs=0.01)
    assert under == pytest.approx(21 / 69, abs=0.01)


def test_province_sizes_add_up_to_the_national_total():
    sizes = province_sizes(3321, 34, 0.35, np.random.default_rng(0))
    assert len(sizes) == 34 and sum(sizes) == 3321 and min(sizes) >= 1
    assert province_sizes(5, 5, 2.0, np.random.default_rng(1)) == [1] * 5
    with pytest.raises(ConfigError, match="scenario.n_provinces"):
        province_sizes(3, 4, 0.3, np.random.default_rng(0))


def test_small_province_runs_conserves_dossiers_and_matches_online_share():
    data = scenario("scenario=province", "scenario.n_communes=12")
    model = GovernanceModel(data, seed=3)
    model.run(40)
    audit = model.audit()
    assert audit["created"] > 5000
    assert audit["created"] == audit["resolved"] + audit["open"] + audit["withdrawn"]
    summary = model.summary()
    assert len(summary["by_commune"]) == 12
    # SOURCES.md 74.7% online; learning from on-time online results only raises it
    assert 0.70 < summary["online_share"] < 0.80
