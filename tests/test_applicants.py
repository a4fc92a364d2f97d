"""Applicants are arrays: building a model makes no object per household or business."""

from __future__ import annotations

import numpy as np
import pytest

from sim.abm.agents.applicant import Business, Citizen
from tests.helpers import run_model


def test_a_province_builds_no_agent_per_applicant():
    model = run_model(["scenario=province"], days=0)
    applicants = sum(p.size for c in model.communes for p in c.populations.values())
    clerks = sum(len(c.office.clerks) for c in model.communes)
    assert applicants > 10_000
    assert len(model.agents) < clerks + 10 * len(model.communes) + 100  # roles, not households
    assert len(model.agents) < applicants / 5


def test_an_applicant_is_a_view_of_its_population_arrays():
    model = run_model(["scenario=lang_son_wards"], days=0)
    populations = model.communes[0].populations
    citizen = populations["citizen"].agent(3)
    assert isinstance(citizen, Citizen)
    assert citizen.weight == pytest.approx(populations["citizen"].weight[3])
    citizen.digital_propensity = 1.7  # clipped, and written into the array
    assert populations["citizen"].propensity[3] == 1.0
    if "business" in populations:
        assert isinstance(populations["business"].agent(0), Business)
    with pytest.raises(IndexError, match="applicant"):
        populations["citizen"].agent(populations["citizen"].size)


def test_every_population_is_a_slice_of_the_models_applicant_arrays():
    """A write through a population (a policy's campaign) is what the day's channel
    choice reads for all communes at once, and the other way round."""
    model = run_model(["scenario=lang_son_wards"], days=0)
    applicants = model.applicants
    population = model.communes[1].populations["citizen"]
    start = int(applicants.start[population.index])
    population.close_online_gap(0.5)
    assert applicants.propensity[start : start + population.size] == pytest.approx(
        population.propensity
    )
    applicants.propensity[start] = 0.0
    assert population.propensity[0] == 0.0


def test_the_pick_for_all_communes_is_each_populations_own_search():
    """``Applicants.pick`` against NumPy's searchsorted in each population's cumulative
    weights (the rule one population at a time), edges included."""
    model = run_model(["scenario=province"], days=0)
    applicants = model.applicants
    rng = np.random.default_rng(3)
    population = rng.integers(0, len(model.populations), 20_000)
    u = np.concatenate([rng.random(19_996), [0.0, 1.0 - 1e-16, 0.5, 1.0]])
    for i in range(0, 2_000, 10):  # needs that fall exactly on an agent's upper edge
        p = model.populations[population[i]]
        k = i % p.size
        if p.cumulative_weight[k] / p.total_weight * p.total_weight == p.cumulative_weight[k]:
            u[i] = p.cumulative_weight[k] / p.total_weight
    expected = np.array([
        min(np.searchsorted(model.populations[p].cumulative_weight,
                            ui * model.populations[p].total_weight, side="right"),
            model.populations[p].size - 1)
        for p, ui in zip(population.tolist(), u.tolist(), strict=True)
    ])  # fmt: skip
    assert np.array_equal(applicants.pick(population, u), expected)
