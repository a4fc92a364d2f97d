"""Applicants are arrays: building a model makes no object per household or business."""

from __future__ import annotations

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
