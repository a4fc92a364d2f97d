"""The locality scenarios say what their reports say (docs/SOURCES.md), each checked here.

Every check runs the scenario as shipped (competing duties, the national Land Data
Cleaning Campaign from 1 September 2025 and the chair's weekly reassignment included)
over the first quarter of the reform, on fixed seeds.
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd

from sim.abm.model import GovernanceModel
from sim.spec.scenario import ScenarioSpec
from tests.helpers import scenario

QUARTER = 92  # 1 July - 30 September 2025
SEEDS = (0, 1, 2, 3)


@functools.cache
def quarter(name: str, seed: int) -> tuple[dict, pd.DataFrame]:
    model = GovernanceModel(scenario(name), seed=seed, start_date="2025-07-01")
    model.run(QUARTER)
    return model.summary(), model.daily_frame()


def field_rates(name: str) -> dict[str, float]:
    """Mean on-time rate per field over the seeds."""
    runs = [quarter(name, seed)[0]["by_field"] for seed in SEEDS]
    return {f: float(np.mean([r[f]["on_time_rate"] for r in runs])) for f in runs[0]}


def monthly_on_time(daily: pd.DataFrame) -> pd.Series:
    months = daily.assign(month=daily["date"].str[:7]).groupby("month")
    return months["resolved_on_time"].sum() / months["resolved"].sum()


def test_gia_lai_rural_land_is_the_slowest_field():
    """S2: handling still slow, "especially land records"."""
    rates = field_rates("gia_lai_rural")
    assert rates["land"] < min(r for f, r in rates.items() if f != "land") - 0.05, rates


def test_gia_lai_rural_is_short_of_workstations():
    """S2: small headquarters lacking rooms; the communes ask for equipment."""
    for commune in ScenarioSpec.read(scenario("gia_lai_rural")).communes:
        clerks = sum(g.count for g in commune.clerks)
        assert commune.workstations is not None and commune.workstations < clerks, commune.name


def test_nghe_an_land_or_construction_is_the_slowest_field():
    """S4: shortage of specialist staff in land and construction."""
    rates = field_rates("nghe_an_do_luong")
    assert min(rates, key=rates.get) in ("land", "construction"), rates


def test_nghe_an_monthly_on_time_rate_rises_over_the_first_quarter():
    """S4: the rate of dossiers resolved on time increased, with the campaign from September."""
    assert "land_data_cleaning" in {
        d.name for d in ScenarioSpec.read(scenario("nghe_an_do_luong")).staff.duties
    }
    monthly = pd.DataFrame([monthly_on_time(quarter("nghe_an_do_luong", s)[1]) for s in SEEDS])
    july, august, september = (monthly[m] for m in ("2025-07", "2025-08", "2025-09"))
    assert august.mean() > july.mean() + 0.005, monthly
    assert september.mean() > july.mean() + 0.005, monthly
    assert (september > july).sum() >= 3, monthly


def test_ia_ly_pascs_are_on_time_despite_multi_field_clerks():
    """S3: one civil servant for many fields, yet the PASCs "handle procedures promptly"."""
    spec = ScenarioSpec.read(scenario("gia_lai_ia_ly"))
    assert all(len(g.skills) >= 3 for c in spec.communes for g in c.clerks)
    overall = np.mean([quarter("gia_lai_ia_ly", seed)[0]["on_time_rate"] for seed in SEEDS])
    assert overall > 0.95
    rates = field_rates("gia_lai_ia_ly")
    # the PASCs' own fields are prompt; land runs late at the provincial land branch and
    # in its waits (SOURCES.md: land offices about 10% late before the merger)
    assert min(r for f, r in rates.items() if f != "land") > 0.90, rates


def test_lang_son_wards_most_dossiers_come_back_on_time_many_ahead_of_the_deadline():
    """S1: "most were processed and returned on time and ahead of the deadline".

    Ahead: resolved on a day before the deadline's day (``ahead_of_deadline_rate``); a
    same-day procedure (two thirds of the dossiers: certified copies, births) cannot be
    ahead, so "most ahead" is read as most on time, a large share ahead (docs/VALIDATION.md
    compares it with Long An's 39% early).
    """
    on_time, ahead = [], []
    for seed in (0, 1):
        model = GovernanceModel(scenario("lang_son_wards"), seed=seed)
        model.run(30)
        summary = model.summary()
        on_time.append(summary["on_time_rate"])
        ahead.append(summary["ahead_of_deadline_rate"])
    assert min(on_time) > 0.95, on_time
    assert min(ahead) > 0.25, ahead
