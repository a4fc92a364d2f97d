"""Fuzz: random valid configs always finish with conservation holding; random invalid
ones always end in a ConfigError that names the key (the CLI turns it into exit 2 and
one line), never in another exception.

Configs start from the shipped scenarios, shrunk so that a run takes a fraction of a
second, and are then perturbed by hypothesis.
"""

from __future__ import annotations

import copy
import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.abm.model import GovernanceModel
from sim.policies import build_policies
from sim.runs.job_check import check_job
from sim.spec.config import ConfigError
from tests.helpers import resolved, unresolved

BASES = ("mmc", "tandem", "lang_son_wards")
POLICIES = ("baseline", "second_staff", "training", "equipment", "overtime", "priority")


@pytest.fixture(scope="module")
def bases() -> dict[str, dict]:
    """Resolved configs of the shipped scenarios, shrunk to small sizes.

    Each keeps its unresolved form under ``"unresolved"``: the validation learns from it
    which top-level scenario keys are knobs that other values interpolate.
    """
    result = {}
    for name in BASES:
        overrides = [f"scenario={name}", f"policy=[{','.join(POLICIES)}]"]
        cfg = resolved(overrides)
        cfg["unresolved"] = unresolved(overrides)
        for commune in cfg["scenario"]["communes"]:
            for key in ("households", "businesses"):
                if key in commune:
                    commune[key] = commune[key] * 0.02
        result[name] = cfg
    return result


def _probability(draw) -> float:
    return draw(st.one_of(st.sampled_from([0.0, 1.0]), st.floats(0, 1)))


@st.composite
def valid_configs(draw, bases: dict[str, dict]) -> dict:
    base = bases[draw(st.sampled_from(BASES))]
    cfg = copy.deepcopy({k: v for k, v in base.items() if k != "unresolved"})
    cfg["unresolved"] = base["unresolved"]
    days = draw(st.integers(1, 12))
    cfg["seed"] = draw(st.integers(0, 2**32 - 1))
    cfg["run"].update(
        days=days,
        warmup_days=draw(st.integers(0, days - 1)),
        start_date=draw(st.dates(dt.date(2025, 1, 1), dt.date(2027, 12, 31))).isoformat(),
    )
    chosen = draw(st.lists(st.sampled_from(POLICIES), min_size=1, max_size=2, unique=True))
    cfg["policy"] = {name: cfg["policy"][name] for name in chosen}
    scenario = cfg["scenario"]
    scenario["dispatch"] = draw(st.sampled_from(["fifo", "edf"]))
    if draw(st.booleans()):
        weekdays = draw(st.lists(st.integers(1, 7), min_size=1, max_size=7, unique=True))
        start = draw(st.floats(0, 20))
        end = draw(st.floats(start + 0.5, 24))
        scenario["calendar"] = {
            "kind": "working",
            "opening_hours": [[start, end]],
            "working_weekdays": sorted(weekdays),
        }
    if "overtime" in chosen and scenario["calendar"].get("kind") == "always_open":
        scenario["calendar"] = {"kind": "working"}  # overtime needs closing hours
    for commune in scenario["communes"]:
        for group in commune["clerks"]:
            group["count"] = draw(st.integers(0, 3))
            group["skills"] = {f: draw(st.floats(0.2, 2.0)) for f in group["skills"]}
        commune["clerks"][0]["count"] = draw(st.integers(1, 3))
        covered: set[str] = set()
        for group in commune["clerks"]:  # every field keeps a clerk: else a config error
            if group["count"] == 0 and set(group["skills"]) - covered:
                group["count"] = 1
            if group["count"]:
                covered |= set(group["skills"])
        if "arrivals_per_hour" in commune:
            commune["arrivals_per_hour"] = draw(st.floats(0, 8))
    for procedure in scenario["procedures"].values():
        procedure["supplement_probability"] = _probability(draw)
        if procedure.get("escalation_probability"):
            procedure["escalation_probability"] = _probability(draw)
    for behaviour in scenario.get("applicants", {}).values():
        behaviour["give_up_probability"] = _probability(draw)
        behaviour["digital_propensity_mean"] = _probability(draw)
    for department in scenario.get("province", {}).get("departments", {}).values():
        department["staff"] = draw(st.integers(1, 4))
    return cfg


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_valid_configs_finish_with_dossiers_conserved(bases, data):
    cfg = data.draw(valid_configs(bases))
    job = check_job(cfg, cfg.pop("unresolved"))
    model = GovernanceModel(
        job.spec,
        seed=job.settings.seed,
        start_date=job.settings.start_date,
        warmup_days=job.settings.warmup_days,
        policies=build_policies(job.policy_cfg, job.spec),
    )
    for _ in range(job.settings.days):
        model.step()
        audit = model.audit()
        assert audit["created"] == audit["resolved"] + audit["open"] + audit["withdrawn"]
        assert audit["open"] == (
            audit["queued"] + audit["in_service"] + audit["with_applicant"] + audit["in_transit"]
        )
    summary = model.summary()
    assert summary["dossiers_created"] == audit["created"]


# Where a bad value can go, and what is wrong with it. Paths index into the resolved
# config; "*" takes the first key of a mapping.
BAD_VALUES = {
    "run.days": [0, -3, 2.5, "ten"],
    "run.warmup_days": [-1, 10_000],
    "run.replications": [0, -2],
    "run.start_date": ["2025-13-01", "yesterday", 2025],
    "seed": [-1, "abc", 1.5],
    "scenario.communes": [[], "none"],
    "scenario.communes.0.clerks.0.count": [-1, 1.5, "two"],
    "scenario.communes.0.clerks.0.skills": [{}, "all"],
    "scenario.procedures.*.supplement_probability": [-0.1, 1.01, float("nan"), "high"],
    "scenario.procedures.*.share": [-1.0],
    "scenario.procedures.*.work_hours.dist": ["uniform"],
    "scenario.applicants.citizen.give_up_probability": [1.5, -0.5],
    "scenario.dispatch": ["random", 3],
    "scenario.calendar.kind": ["lunar"],
    "scenario.calendar": [{"kind": "working", "working_weekdays": []}],
    "scenario.demand.monthly_factors": [[1, 2], [-1] * 12],
}


def _place(cfg: dict, path: str) -> tuple[dict | list, str | int, str]:
    """The container and key at a dotted path, and the path as error messages show it."""
    parts = path.split(".")
    node = cfg
    shown = []
    for part in parts[:-1]:
        key = next(iter(node)) if part == "*" else (int(part) if part.isdigit() else part)
        shown.append(f"[{key}]" if isinstance(key, int) else f".{key}")
        node = node[key]
    last = parts[-1]
    key = next(iter(node)) if last == "*" else (int(last) if last.isdigit() else last)
    shown.append(f"[{key}]" if isinstance(key, int) else f".{key}")
    return node, key, "".join(shown).lstrip(".")


@st.composite
def invalid_configs(draw, bases: dict[str, dict]) -> tuple[dict, str]:
    cfg = copy.deepcopy(bases["lang_son_wards"])
    del cfg["unresolved"]
    if draw(st.booleans()):
        path = draw(st.sampled_from(sorted(BAD_VALUES)))
        node, key, shown = _place(cfg, path)
        node[key] = draw(st.sampled_from(BAD_VALUES[path]))
        if path == "run.warmup_days":
            shown = "run.warmup_days"
        return cfg, shown
    # an unknown key (a typo) somewhere in the run, output, scenario or policy blocks
    mappings = []

    def walk(node, shown):
        if isinstance(node, dict):
            mappings.append((node, shown))
            for key, value in node.items():
                walk(value, f"{shown}.{key}")
        elif isinstance(node, list):
            for index, value in enumerate(node):
                walk(value, f"{shown}[{index}]")

    for block in ("run", "output", "scenario", "policy"):
        walk(cfg[block], block)
    node, shown = draw(st.sampled_from(mappings))
    name = "zz_" + draw(st.text("abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=8))
    node[name] = draw(st.one_of(st.integers(), st.text(max_size=5), st.booleans()))
    return cfg, f"{shown}.{name}"


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_invalid_configs_end_in_a_config_error_naming_the_key(bases, data):
    cfg, key = data.draw(invalid_configs(bases))
    with pytest.raises(ConfigError) as caught:
        check_job(cfg)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(key) or f"{key} " in message or f"{key}:" in message, (
        f"{key!r} not named in: {message}"
    )
