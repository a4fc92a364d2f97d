"""Demand at the national rate: the arithmetic of docs/SOURCES.md, reached from the CLI."""

from __future__ import annotations

import json

import pytest

from sim.run import run_job
from sim.spec.config import ConfigError
from sim.spec.scenario import ScenarioSpec
from tests.helpers import compose_config, scenario

RURAL = ("lang_son_communes", "gia_lai_rural", "gia_lai_ia_ly", "nghe_an_do_luong", "province")


@pytest.mark.parametrize("name", RURAL)
def test_rural_scenarios_use_37_per_commune_day_less_the_provincial_share(name):
    rates = ScenarioSpec.read(scenario(name)).dossiers_per_unit_per_year
    # 0.92 * 37 * (1 - 0.2) * 250 / 8,500 and 0.08 * 37 * 0.8 * 250 / 850
    assert rates["citizen"] == pytest.approx(0.8009, abs=1e-4)
    assert rates["business"] == pytest.approx(0.6965, abs=1e-4)


def test_lang_son_wards_keeps_its_own_calibration():
    rates = ScenarioSpec.read(scenario("lang_son_wards")).dossiers_per_unit_per_year
    assert rates == {"citizen": 2.826, "business": 0.854}


def test_both_a_rate_and_the_national_block_is_an_error():
    data = scenario("gia_lai_rural", "scenario.demand.citizen_dossiers_per_year=1.0")
    with pytest.raises(ConfigError, match=r"citizen_dossiers_per_year = 1.0 and .*national"):
        ScenarioSpec.read(data)


def test_provincial_share_override_moves_the_demand_through_the_cli(tmp_path):
    """`python -m sim.run scenario=gia_lai_rural scenario.demand.national.provincial_share=X`."""
    created = {}
    for share in (0.1, 0.4):
        cfg = compose_config(
            [
                "scenario=gia_lai_rural",
                f"scenario.demand.national.provincial_share={share}",
                "run.days=20",
                "output.plots=false",
                "output.report=false",
                "output.table=false",
            ]
        )
        run_job(cfg, tmp_path / str(share))
        created[share] = json.loads((tmp_path / str(share) / "summary.json").read_text())[
            "dossiers_created"
        ]
    # expected ratio (1 - 0.4) / (1 - 0.1) = 0.667; Poisson noise on ~2,000 is about 2%
    assert created[0.4] / created[0.1] == pytest.approx(0.6 / 0.9, rel=0.06)
