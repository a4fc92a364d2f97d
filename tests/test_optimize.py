"""``python -m sim.optimize``: where should the money go.

The scenario is built so that the best allocation is known: commune ``alpha`` is short
of land staff (its two clerks face more work than they can do), ``beta`` and ``gamma``
have twice the staff for less work. Money should go to alpha.
"""

from __future__ import annotations

import copy
import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import optuna
import pandas as pd
import pytest
import yaml
from optuna.storages import JournalStorage
from optuna.storages.journal import JournalFileBackend

from sim.api import RunSpec, run_many
from sim.optimize.app import run_optimize
from sim.optimize.search import Evaluator, greedy
from sim.spec.config import ConfigError
from sim.spec.scenario import ScenarioSpec
from sim.studies.budget_space import Cell, build_space
from sim.studies.selection import select
from tests.helpers import ROOT, command

SHORT_LAND = {
    "name": "short_land",
    "calendar": {"kind": "always_open"},
    "dispatch": "fifo",
    "procedures": {
        "land_case": {
            "field": "land",
            "share": 1.0,
            "work_hours": {"dist": "exponential", "rate_per_hour": 0.5},
            "deadline_hours": 8.0,
            "online_eligible": False,
        }
    },
    "applicants": {"citizen": {"units_per_agent": 1, "digital_propensity_mean": 0.0}},
    "communes": [
        {
            "name": "alpha",
            "arrivals_per_hour": 1.2,
            "clerks": [{"count": 2, "skills": {"land": 1.0}}],
        },
        {
            "name": "beta",
            "arrivals_per_hour": 0.9,
            "clerks": [{"count": 4, "skills": {"land": 1.0}}],
        },
        {
            "name": "gamma",
            "arrivals_per_hour": 0.9,
            "clerks": [{"count": 4, "skills": {"land": 1.0}}],
        },
    ],
}
ALLOWANCE = 3_000_000  # configs/costs secondment_allowance_vnd_per_month
DAYS = 10


def _container(**optimize) -> dict:
    from hydra import compose, initialize_config_dir
    from omegaconf import OmegaConf

    with initialize_config_dir(config_dir=str(ROOT / "configs"), version_base="1.3"):
        cfg = compose("optimize", overrides=["policy.second_staff.from_department=0"])
    container = OmegaConf.to_container(cfg, resolve=True)
    container["scenario"] = copy.deepcopy(SHORT_LAND)
    container["run"]["days"] = DAYS
    container["optimize"].update(optimize)
    return container


def _space(levers=("second_staff",), budget=3_000_000.0, max_staff=None):
    container = _container()
    configs = {lever: container["policy"][lever] for lever in levers}
    return build_space(
        ScenarioSpec.read(SHORT_LAND),
        configs,
        fields=["land"],
        days=DAYS,
        budget_vnd=budget,
        max_staff=max_staff,
        max_per_commune=4,
    )


def test_unit_costs_are_what_the_policy_ledger_charges():
    space = _space(levers=("second_staff", "training"), budget=None, max_staff=10)
    allocation = {Cell("second_staff", "land", "alpha"): 2, Cell("training", "land", "beta"): 1}
    # a seconded specialist costs the allowance for the run's days (opportunity salary aside)
    assert space.unit_cost[Cell("second_staff", "land", "beta")] == pytest.approx(
        ALLOWANCE * DAYS / (365.25 / 12)
    )
    spec = RunSpec(SHORT_LAND, tuple(space.policies(allocation)), days=DAYS, seed=1)
    (summary,) = run_many([spec])
    assert summary["policy_cost_vnd"] == pytest.approx(space.cost(allocation))
    by_commune = summary["policy_costs"]["second_staff_land"]["by_commune"]
    assert by_commune["alpha"] > 0 and by_commune["beta"] == 0 == by_commune["gamma"]


def test_repair_cuts_back_to_the_budget_and_the_staff_cap_and_never_adds():
    space = _space(budget=2_500_000.0, max_staff=2)
    rng = np.random.default_rng(5)
    for _ in range(50):
        wanted = {c: int(rng.integers(0, 6)) for c in space.cells}
        repaired = space.repair(wanted)
        assert space.fits(repaired)
        assert all(n <= wanted[c] for c, n in repaired.items())
        assert sum(repaired.values()) == min(
            2, sum(min(n, space.upper[c]) for c, n in wanted.items())
        )
    feasible = {Cell("second_staff", "land", "alpha"): 2}
    assert space.repair(feasible) == feasible
    # the largest pile is cut first: the shape is kept
    three = {Cell("second_staff", "land", "alpha"): 2, Cell("second_staff", "land", "beta"): 1}
    assert space.repair(three) == {
        Cell("second_staff", "land", "alpha"): 1,
        Cell("second_staff", "land", "beta"): 1,
    }


def test_selection_takes_the_cheapest_of_those_it_cannot_tell_apart():
    noise = [0.3, -0.2, 0.1, -0.4, 0.2, 0.0]
    base = [10.0 + n for n in noise]
    values = {
        "dear": base,
        "cheap": [v + d for v, d in zip(base, [0.1, -0.1, 0.2, -0.2, 0.0, 0.05], strict=True)],
        "poor": [v + 3.0 for v in base],
    }
    costs = {"dear": 5.0, "cheap": 1.0, "poor": 0.0}
    winner, tied = select(values, costs, "overdue_dossiers")
    assert (winner, sorted(tied)) == ("cheap", ["cheap", "dear"])
    values["cheap"] = [v + 1.0 for v in base]  # now clearly worse than dear
    assert select(values, costs, "overdue_dossiers")[0] == "dear"
    # a rate is maximised
    assert select({"a": [0.9, 0.91], "b": [0.5, 0.52]}, {"a": 1, "b": 0}, "on_time_rate")[0] == "a"


def test_the_money_goes_to_the_commune_short_of_land_staff(tmp_path):
    container = _container(
        levers=["second_staff", "training"],
        budget_vnd=3_200_000,
        trials=6,
        replications=2,
        final_replications=5,
        finalists=3,
    )
    result = run_optimize(container, tmp_path)
    rows = pd.read_csv(tmp_path / "allocation.csv")
    staff = rows[rows.lever == "second_staff"].groupby("commune").amount.sum()
    assert (
        staff.get("alpha", 0) >= 2
        and staff.get("alpha", 0) > staff.drop("alpha", errors="ignore").sum()
    )
    assert rows.cost_vnd.sum() <= 3_200_000
    best, baselines = result["best"], result["baselines"]
    assert best["cost_vnd"] <= 3_200_000
    equal = baselines["equal_split"]
    assert best["objective_ci95"][1] < equal["objective_mean"]
    assert best["objective_mean"] < baselines["none"]["objective_ci95"][0]
    # every baseline ran on the same replications as the winner
    assert set(baselines) == {"none", "equal_split", "greedy", "worst_overdue", "largest_backlog"}


def test_greedy_adds_the_best_unit_per_vnd_and_runs_few_candidates_after_the_first():
    space = _space(budget=3_000_000.0)
    evaluator = Evaluator(
        scenario=SHORT_LAND, space=space, objectives=["overdue_dossiers"], days=DAYS,
        warmup_days=0, start_date="2025-07-01", seed=42,
    )  # fmt: skip
    allocation, steps = greedy(evaluator, space.cells, [0, 1], max_steps=10)
    assert steps[1]["added"] == "second_staff.land.alpha"
    assert allocation.get(Cell("second_staff", "land", "alpha"), 0) >= 2
    assert space.fits(allocation) and sum(allocation.values()) == 3
    assert [s["loss"] for s in steps] == sorted((s["loss"] for s in steps), reverse=True)
    # the first step runs every unit; later ones only those that could still win
    assert steps[1]["runs"] == 3 * 2
    assert all(s["runs"] < 3 * 2 for s in steps[2:])


def test_screening_the_first_step_on_one_replication_runs_fewer_and_adds_the_same():
    space = _space(budget=3_000_000.0)

    def run(screen):
        evaluator = Evaluator(
            scenario=SHORT_LAND, space=space, objectives=["overdue_dossiers"], days=DAYS,
            warmup_days=0, start_date="2025-07-01", seed=42,
        )  # fmt: skip
        allocation, steps = greedy(evaluator, space.cells, [0, 1, 2, 3], 10, screen=screen)
        return allocation, steps, evaluator.runs

    full, full_steps, full_runs = run(None)
    screened, steps, runs = run(1)
    assert full_steps[1]["runs"] == 3 * 4  # every unit on every replication
    # three units on one replication, then the best-ranked on all four
    assert 3 * 1 + 4 <= steps[1]["runs"] < 3 * 4 and runs < full_runs
    assert screened == full and [s["added"] for s in steps] == [s["added"] for s in full_steps]


def test_cma_es_searches_within_the_caps(tmp_path):
    container = _container(
        levers=["second_staff"], budget_vnd=2_000_000, max_staff=2, sampler="cmaes",
        trials=4, final_replications=2, finalists=2,
    )  # fmt: skip
    result = run_optimize(container, tmp_path)
    assert result["trials"] == 4
    assert result["best"]["cost_vnd"] <= 2_000_000 and result["best"]["staff"] <= 2


def test_config_errors_name_the_setting(tmp_path):
    with pytest.raises(ConfigError, match="optimize.objective: 'nonsense'"):
        run_optimize(_container(objective="nonsense", trials=1), tmp_path / "a")
    with pytest.raises(ConfigError, match="optimize.levers: \\['bribes'\\] not allowed"):
        run_optimize(_container(levers=["bribes"]), tmp_path / "b")
    with pytest.raises(ConfigError, match="optimize.budget_vnd and optimize.max_staff"):
        run_optimize(_container(budget_vnd=None, max_staff=None), tmp_path / "c")


def _cli(tmp_path: Path, out: Path, *extra: str) -> subprocess.CompletedProcess:
    configs = tmp_path / "configs" / "scenario"
    configs.mkdir(parents=True, exist_ok=True)
    (configs / "short_land.yaml").write_text(yaml.safe_dump(SHORT_LAND), encoding="utf-8")
    command = [
        sys.executable, "-m", "sim.optimize",
        f"hydra.searchpath=[file://{tmp_path / 'configs'}]",
        "scenario=short_land", f"run.days={DAYS}", "policy.second_staff.from_department=0",
        "optimize.levers=[second_staff]", "optimize.budget_vnd=3000000",
        "optimize.final_replications=3", "optimize.finalists=3",
        f"hydra.run.dir={out}", *extra,
    ]  # fmt: skip
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_command_line_writes_the_files_and_resumes(tmp_path):
    out = tmp_path / "out"
    two = "optimize.objective=[overdue_dossiers,policy_cost_vnd]"
    done = _cli(tmp_path, out, two, "optimize.trials=5", "optimize.population=4")
    assert done.returncode == 0, done.stderr
    result = json.loads((out / "optimize.json").read_text())
    assert list(result) == ["objective", "trials", "best", "baselines"]
    assert (result["objective"], result["trials"]) == ("overdue_dossiers", 5)
    four = ["objective_mean", "objective_ci95", "cost_vnd", "staff"]
    assert list(result["best"]) == four
    assert all(list(v) == four for v in result["baselines"].values())
    allocation = pd.read_csv(out / "allocation.csv")
    assert list(allocation.columns) == ["commune", "lever", "field", "amount", "cost_vnd"]
    pareto = pd.read_csv(out / "pareto.csv")
    assert {"overdue_dossiers", "policy_cost_vnd", "on_front"} <= set(pareto.columns)
    assert pareto.on_front.any()
    report = (out / "report.html").read_text()
    assert "Allocation by commune" in report and "Gain over the best existing heuristic" in report
    assert (out / "pareto.png").stat().st_size > 1000
    # the same command with more trials continues the study instead of starting again
    again = _cli(tmp_path, out, two, "optimize.trials=7", "optimize.population=4")
    assert again.returncode == 0, again.stderr
    assert json.loads((out / "optimize.json").read_text())["trials"] == 7
    storage = JournalStorage(JournalFileBackend(str(out / "study.journal")))
    (name,) = optuna.get_all_study_names(storage)  # one study, continued
    trials = optuna.load_study(study_name=name, storage=storage).trials
    assert len({t.user_attrs["worker"] for t in trials}) == 2  # two processes, one after the other


@pytest.mark.slow
def test_two_worker_processes_share_one_journal(tmp_path):
    journal = tmp_path / "shared.journal"
    shared = [f"optimize.storage={journal}", "optimize.study_name=shared", "optimize.trials=8"]
    configs = tmp_path / "configs" / "scenario"
    configs.mkdir(parents=True, exist_ok=True)
    (configs / "short_land.yaml").write_text(yaml.safe_dump(SHORT_LAND), encoding="utf-8")
    workers = [
        subprocess.Popen(
            [sys.executable, "-m", "sim.optimize",
             f"hydra.searchpath=[file://{tmp_path / 'configs'}]",
             "scenario=short_land", f"run.days={DAYS}", "policy.second_staff.from_department=0",
             "optimize.levers=[second_staff]", "optimize.budget_vnd=3000000",
             "optimize.final_replications=2", "optimize.finalists=2",
             f"hydra.run.dir={tmp_path / f'worker{i}'}", *shared],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        for i in range(2)
    ]  # fmt: skip
    for worker in workers:
        _, err = worker.communicate(timeout=300)
        assert worker.returncode == 0, err
    study = optuna.load_study(
        study_name="shared", storage=JournalStorage(JournalFileBackend(str(journal)))
    )
    complete = [t for t in study.trials if t.state == optuna.trial.TrialState.COMPLETE]
    assert 8 <= len(complete) <= 9  # a worker may finish one trial already under way
    assert len({t.user_attrs["worker"] for t in complete}) == 2


@pytest.mark.slow
def test_the_worker_count_does_not_change_the_answer(tmp_path):
    settings = dict(levers=["second_staff", "training"], budget_vnd=3_200_000, trials=5)
    settings.update(final_replications=3, finalists=2)
    one = run_optimize(_container(**settings, workers=1), tmp_path / "one")
    two = run_optimize(_container(**settings, workers=2), tmp_path / "two")
    assert (one["best"], one["baselines"]) == (two["best"], two["baselines"])
    files = [(tmp_path / d / "allocation.csv").read_text() for d in ("one", "two")]
    assert files[0] == files[1]


def test_help_names_the_settings(capsys):
    from sim.optimize.__main__ import cli

    assert cli(["--help"]) == 0
    text = capsys.readouterr().out
    assert "usage: python -m sim.optimize" in text and "optimize.budget_vnd" in text


def test_a_note_names_the_fields_where_the_overdue_dossiers_are():
    from sim.optimize.app import field_notes

    def field(late, open_):
        return {"dossiers_late": late, "overdue_open": open_}

    baseline = {
        "by_field": {
            "land": field(5, 2),
            "civil_status": field(400, 120),
            "certification": field(300, 196),
            "business": field(40, 10),
        }
    }
    (note,) = field_notes(baseline, ["land"])
    assert "holds 7 of the 1073" in note and "(1%)" in note
    assert "civil_status (520), certification (496)" in note
    assert "optimize.fields=[civil_status,certification]" in note
    assert field_notes(baseline, ["civil_status"]) == []  # 48% of them: no note
    assert field_notes({"by_field": {"land": field(0, 0)}}, ["land"]) == []


def test_the_command_says_when_the_fields_searched_are_not_where_dossiers_go_overdue(tmp_path):
    done = command(
        "sim.optimize", "scenario=gia_lai_rural", "optimize.budget_vnd=20000000",
        "run.days=20", "optimize.trials=2", "optimize.final_replications=2",
        "optimize.fields=[construction]", "optimize.levers=[second_staff]",
        f"hydra.run.dir={tmp_path}",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    # construction holds few of the overdue dossiers; the note names where they are
    assert re.search(r"note: optimize.fields = \[construction\] holds [0-9] of the", done.stderr)
    assert "set optimize.fields=[civil_status" in done.stderr
