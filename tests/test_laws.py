"""Laws every run must obey: Little's law, conservation, super-individual invariance."""

import math

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.abm.model import GovernanceModel
from tests.helpers import resolved, run_model


def test_littles_law_on_lang_son_wards():
    """Time-averaged backlog = arrival rate x mean time to resolution, within the edge terms.

    Over a finite window the two sides differ only through the dossiers that enter one
    side and not the other: those open when the window starts or ends, and those
    withdrawn (their time counts in the backlog, not in the time to resolution). Each
    differs by a few mean times in the system at most, so the tolerance is three such
    times per edge dossier, relative to all dossiers, computed from the run itself.

    Little's law needs a stationary system: resignations without full replacement let
    an overloaded ward lose staff for good, so they are switched off here; everything
    else (Tet, absences, fatigue, supplements, escalation) stays on.
    """
    warmup = 60
    model = run_model(
        ["scenario=lang_son_wards", "scenario.staff.fatigue.resignation_hazard_per_day=0"],
        days=730,
        seed=11,
        warmup_days=warmup,
    )
    summary = model.summary()
    daily = model.daily_frame()
    window_hours = (len(daily) - warmup) * 24.0
    arrivals = daily["received"].iloc[warmup:].sum()
    arrival_rate = arrivals / window_hours
    assert model.metrics.total.resolved_counted > 100_000
    expected_backlog = arrival_rate * summary["mean_sojourn_hours"]
    edge = (
        daily["backlog"].iloc[warmup - 1]
        + daily["backlog"].iloc[-1]
        + daily["withdrawn"].iloc[warmup:].sum()
    )
    tolerance = 3 * edge / arrivals
    # the edges are a small part of the run, so the check has teeth (a land dossier stays
    # open for weeks in its workflow: the backlog at either edge is some 500 to 800)
    assert tolerance < 0.03
    assert math.isclose(summary["mean_backlog"], expected_backlog, rel_tol=tolerance), (
        summary["mean_backlog"],
        expected_backlog,
        tolerance,
    )
    # the backlog is stable: no trend between the first and the second year
    backlog = daily["backlog"].to_numpy()
    assert backlog[-365:].mean() < 1.15 * backlog[warmup:365].mean()


@st.composite
def small_scenarios(draw) -> dict:
    """A random small scenario in the lang_son_wards structure."""
    base = resolved(["scenario=lang_son_wards"])["scenario"]
    fields = base["fields"]
    communes = []
    for i in range(draw(st.integers(1, 3))):
        groups = [{"count": 1, "skills": {draw(st.sampled_from(fields)): 1.0}}]
        for _ in range(draw(st.integers(0, 3))):
            skills = draw(st.lists(st.sampled_from(fields), min_size=1, max_size=3, unique=True))
            groups.append(
                {
                    "count": draw(st.integers(0, 3)),
                    "skills": {f: draw(st.floats(0.2, 1.5)) for f in skills},
                    "switch_hours": draw(st.floats(0, 0.5)),
                }
            )
        communes.append(
            {
                "name": f"c{i}",
                "households": draw(st.integers(0, 3000)),
                "businesses": draw(st.integers(0, 500)),
                "clerks": groups,
            }
        )
    base["communes"] = communes
    base["dispatch"] = draw(st.sampled_from(["fifo", "edf"]))
    if draw(st.booleans()):
        base["calendar"] = {"kind": "always_open"}
    for procedure in base["procedures"].values():
        procedure["supplement_probability"] = draw(st.floats(0, 1))
    for kind in base["applicants"].values():
        kind["give_up_probability"] = draw(st.floats(0, 1))
        kind["units_per_agent"] = draw(st.sampled_from([1, 7, 50]))
    base["province"]["handoff_hours"] = draw(st.floats(0, 30))
    base["province"]["departments"]["land"]["staff"] = draw(st.integers(1, 3))
    return base


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenario=small_scenarios(), seed=st.integers(0, 2**16), warmup=st.integers(0, 5))
def test_conservation_holds_every_day(scenario, seed, warmup):
    """created = resolved + open + withdrawn, and every open dossier is somewhere."""
    model = GovernanceModel(scenario, seed=seed, warmup_days=warmup)
    for _ in range(20):
        model.step()
        audit = model.audit()
        assert audit["created"] == audit["resolved"] + audit["open"] + audit["withdrawn"]
        assert audit["open"] == (
            audit["queued"] + audit["in_service"] + audit["with_applicant"] + audit["in_transit"]
        ), audit
        for place in ("queued", "in_service", "with_applicant", "in_transit"):
            assert audit[place] == audit[f"status_{place}"], (place, audit)
        last = model.daily_frame().iloc[-1]
        assert last["backlog"] == audit["open"]


def test_super_individual_weight_leaves_statistics_unchanged():
    """1 or 10 households per agent: same volumes and backlog within sampling error.

    Seed s drives both weights' runs (paired), so the tolerance is three standard errors
    of the paired differences.
    """
    figures = {}
    for weight in (1, 10):
        runs = [
            run_model(
                [f"scenario.applicants.citizen.units_per_agent={weight}"], days=40, seed=s
            ).summary()
            for s in range(8)
        ]
        figures[weight] = {
            key: np.array([r[key] for r in runs])
            for key in ("dossiers_created", "mean_backlog", "online_share", "on_time_rate")
        }
    for key in figures[1]:
        a, b = figures[1][key], figures[10][key]
        diffs = b - a
        se = diffs.std(ddof=1) / math.sqrt(len(diffs))
        assert abs(diffs.mean()) <= 3 * se + 1e-12, (key, a.mean(), b.mean(), se)
        assert se < 0.05 * abs(a.mean()), f"{key}: too noisy to tell"
