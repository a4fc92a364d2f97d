"""Validation: the engine reproduces M/M/c (Erlang C) and Jackson tandem results.

`scenario=mmc` and `scenario=tandem` run through the same model as every scenario.
Each case runs independent replications; the test checks both the figure and that its
tolerance is at least three standard errors wide, so a pass is not luck.
"""

import math

import numpy as np
import pytest

from sim.core import queueing_theory as theory
from tests.helpers import run_model

WARMUP_DAYS = 2


def replicate(overrides, days, replications, keys):
    values = {key: [] for key in keys}
    for seed in range(replications):
        summary = run_model(overrides, days=days, seed=1000 + seed, warmup_days=WARMUP_DAYS)
        summary = summary.summary()
        for key in keys:
            values[key].append(summary[key])
    return {
        key: (float(np.mean(v)), float(np.std(v, ddof=1) / math.sqrt(len(v))))
        for key, v in values.items()
    }


MMC_CASES = [
    # arrival rate, servers, service rate, deadline hours, days, replications
    pytest.param(2.0, 3, 1.0, 2.0, 2400, 10, id="load0.67-c3"),
    pytest.param(4.0, 5, 1.0, 3.0, 1500, 12, id="load0.80-c5"),
    pytest.param(8.5, 10, 1.0, 2.0, 600, 16, id="load0.85-c10"),
    pytest.param(4.5, 5, 1.5, 1.5, 900, 12, id="load0.60-c5-fast"),
]


@pytest.mark.slow
@pytest.mark.parametrize("arrival, servers, service, deadline, days, replications", MMC_CASES)
def test_mmc_matches_erlang_c(arrival, servers, service, deadline, days, replications):
    overrides = [
        "scenario=mmc",
        f"scenario.arrival_rate_per_hour={arrival}",
        f"scenario.servers={servers}",
        f"scenario.service_rate_per_hour={service}",
        f"scenario.deadline_hours={deadline}",
    ]
    result = replicate(overrides, days, replications, ["mean_wait_hours", "on_time_rate"])
    wait, wait_se = result["mean_wait_hours"]
    exact_wait = theory.mmc_mean_wait(servers, arrival, service)
    assert abs(wait / exact_wait - 1) <= 0.05, (wait, exact_wait)
    assert 3 * wait_se <= 0.05 * exact_wait, "too few samples for a 5% check"
    on_time, on_time_se = result["on_time_rate"]
    exact_on_time = theory.mmc_sojourn_cdf(deadline, servers, arrival, service)
    assert abs(on_time - exact_on_time) <= 0.015, (on_time, exact_on_time)
    assert 3 * on_time_se <= 0.015


@pytest.mark.slow
def test_tandem_matches_jackson_network():
    arrival, servers, service = 3.0, 4, 1.0
    p, province_servers, province_service = 0.4, 2, 1.0
    overrides = [
        "scenario=tandem",
        f"scenario.arrival_rate_per_hour={arrival}",
        f"scenario.servers={servers}",
        f"scenario.service_rate_per_hour={service}",
        f"scenario.escalation_probability={p}",
        f"scenario.province_servers={province_servers}",
        f"scenario.province_service_rate_per_hour={province_service}",
    ]
    result = replicate(overrides, 1500, 10, ["mean_sojourn_hours"])
    sojourn, se = result["mean_sojourn_hours"]
    exact = theory.tandem_mean_sojourn(
        servers, arrival, service, p, province_servers, province_service
    )
    assert abs(sojourn / exact - 1) <= 0.05, (sojourn, exact)
    assert 3 * se <= 0.05 * exact


def test_mmc_short_run_is_close_to_erlang_c():
    """A quick smoke version of the slow check, with its own (wider) honest bound."""
    result = replicate(
        ["scenario=mmc", "scenario.arrival_rate_per_hour=3", "scenario.servers=4"],
        days=300,
        replications=4,
        keys=["mean_wait_hours", "mean_sojourn_hours"],
    )
    exact = theory.mmc_mean_sojourn(4, 3.0, 1.0)
    sojourn, se = result["mean_sojourn_hours"]
    assert abs(sojourn - exact) <= max(4 * se, 1e-9), (sojourn, exact, se)
    assert se < 0.05 * exact


def test_theory_sojourn_cdf_agrees_with_numeric_integration():
    from scipy import integrate

    servers, arrival, service, t = 3, 2.0, 1.0, 1.7
    c = theory.erlang_c(servers, arrival, service)
    theta = servers * service - arrival

    def density_wait(x):
        return c * theta * math.exp(-theta * x)

    served = integrate.quad(lambda x: density_wait(x) * (1 - math.exp(-service * (t - x))), 0, t)
    numeric = (1 - c) * (1 - math.exp(-service * t)) + served[0]
    assert theory.mmc_sojourn_cdf(t, servers, arrival, service) == pytest.approx(numeric, 1e-9)
