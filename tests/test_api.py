"""The batch API (sim/api.py): the numbers of `python -m sim.run`, any worker count."""

import json
import math
import subprocess
import sys

import pytest

import sim.runs.batch
from sim.api import RunError, RunSpec, run_many
from sim.spec.config import ConfigError
from tests.helpers import ROOT, loopback_cluster, sim_run

SKIP = {"schema_version", "code_version", "config_hash", "status", "scenario", "policies"}


def assert_same_figures(ours, theirs, where="summary"):
    """Every figure of ``ours`` equals the one in ``theirs`` (NaN written as null)."""
    if isinstance(ours, dict):
        for key, value in ours.items():
            if where == "summary" and key in SKIP:
                continue
            assert key in theirs, f"{where}.{key} missing"
            assert_same_figures(value, theirs[key], f"{where}.{key}")
    elif isinstance(ours, float) and math.isnan(ours):
        assert theirs is None or math.isnan(theirs), where
    elif isinstance(ours, int | float) and not isinstance(ours, bool):
        assert ours == theirs, f"{where}: {ours} != {theirs}"
    else:
        assert ours == theirs, where


@pytest.mark.parametrize(
    ("args", "spec"),
    [
        (
            ["scenario=mmc", "seed=7", "run.days=20", "scenario.servers=6"],
            RunSpec("mmc", seed=7, days=20, parameters={"servers": 6}),
        ),
        (
            [
                "scenario=lang_son_wards",
                "policy=[second_staff]",
                "seed=3",
                "run.days=15",
                "policy.second_staff.count=2",
                "scenario.staff.error_probability_unskilled=0.1",
            ],
            RunSpec(
                "lang_son_wards",
                policies=("second_staff",),
                seed=3,
                days=15,
                parameters={
                    "policy.second_staff.count": 2,
                    "staff.error_probability_unskilled": 0.1,
                },
            ),
        ),
    ],
)
def test_a_runspec_gives_the_numbers_of_sim_run(tmp_path, args, spec):
    done = sim_run(*args, f"hydra.run.dir={tmp_path}", "output.report=false", "output.plots=false")
    assert done.returncode == 0, done.stderr
    theirs = json.loads((tmp_path / "summary.json").read_text())
    (ours,) = run_many([spec])
    assert ours["dossiers_created"] > 100
    ours.pop("capacity")  # sim.run writes it to capacity.csv, not summary.json
    assert_same_figures(ours, theirs)
    # and the parameters took effect: the defaults give other numbers
    (default,) = run_many([RunSpec(spec.scenario, spec.policies, seed=spec.seed, days=spec.days)])
    assert default["mean_wait_hours"] != ours["mean_wait_hours"]


def mmc_specs():
    return [
        RunSpec(
            "mmc",
            parameters={"servers": servers, "procedures.*.work_hours.rate_per_hour@scale": scale},
            days=10,
            seed=5,
            replication=replication,
            outputs=("mean_wait_hours", "on_time_rate", "dossiers_created"),
        )
        for servers, scale, replication in [(5, 1.0, 0), (5, 1.0, 1), (6, 1.0, 0), (5, 1.3, 0)]
    ]


def test_results_are_the_same_for_one_and_two_workers():
    one = run_many(mmc_specs(), workers=1)
    two = run_many(mmc_specs(), workers=2)
    assert one == two
    assert [set(r) for r in one] == [{"mean_wait_hours", "on_time_rate", "dossiers_created"}] * 4
    waits = [r["mean_wait_hours"] for r in one]
    assert len(set(waits)) == 4  # replication, servers and speed each change the run
    assert waits[2] < waits[0] and waits[3] < waits[0]  # more or faster clerks: shorter waits
    assert one[0]["dossiers_created"] == one[2]["dossiers_created"]  # common random numbers


def test_specs_are_checked_before_anything_runs(monkeypatch):
    ran = []
    monkeypatch.setattr(sim.runs.batch, "run_task", lambda base, task: ran.append(task))
    with pytest.raises(ConfigError, match="scenario 'mcc'.*mmc"):
        run_many([RunSpec("mmc"), RunSpec("mcc")])
    with pytest.raises(ConfigError, match="policy 'traning'.*training"):
        run_many([RunSpec("mmc", policies=("traning",))])
    with pytest.raises(ConfigError, match="sevrers.*servers"):
        run_many([RunSpec("mmc"), RunSpec("mmc", parameters={"sevrers": 3})])
    with pytest.raises(ConfigError, match="days"):
        RunSpec("mmc", days=-1)
    assert ran == []


def test_a_failing_run_is_named_and_the_others_still_run():
    specs = [
        RunSpec("mmc", days=2, parameters={"servers": 3}),
        RunSpec("mmc", days=2, parameters={"servers": -1}),
    ]
    refused = r"count = -1.*1 of 2 runs were refused; the first, run 1, with servers=-1"
    with pytest.raises(RunError, match=refused) as raised:
        run_many(specs)
    assert isinstance(raised.value, ConfigError)  # a user's error: one line, exit 2


def test_outputs_must_be_summary_keys():
    with pytest.raises(ConfigError, match="on_time_rat not in the summary.*on_time_rate"):
        run_many([RunSpec("mmc", days=1, outputs=("on_time_rat",))])


def counting_runs(monkeypatch) -> list:
    """Count model runs made in this process (workers=1 runs them here)."""
    ran = []
    real = sim.runs.batch.run_task

    def counted(base, task):
        ran.append(task.index)
        return real(base, task)

    monkeypatch.setattr(sim.runs.batch, "run_task", counted)
    return ran


def test_a_store_keeps_finished_runs_and_a_second_call_runs_only_the_rest(tmp_path, monkeypatch):
    specs = mmc_specs()
    fresh = run_many(specs)
    ran = counting_runs(monkeypatch)
    store = tmp_path / "runs.sqlite"
    assert run_many(specs[:2], store=store) == fresh[:2]
    assert len(ran) == 2
    # an interrupted batch: the third run fails, the others are kept
    broken = [*specs[:2], RunSpec("mmc", days=10, parameters={"servers": -1}), specs[3]]
    with pytest.raises(RunError, match="run 2"):
        run_many(broken, store=store)
    assert len(ran) == 4  # runs 0 and 1 came from the store; 2 failed, 3 ran
    assert run_many(specs, store=store) == fresh
    assert len(ran) == 5  # only the run that failed before
    assert run_many(specs[::-1], store=store) == fresh[::-1]
    assert len(ran) == 5
    # a changed parameter or seed is another run
    changed = [RunSpec("mmc", days=10, seed=5, parameters={"servers": 7})]
    run_many(changed, store=store)
    assert len(ran) == 6


def test_the_same_run_twice_in_one_batch_runs_once(monkeypatch):
    ran = counting_runs(monkeypatch)
    spec = RunSpec("mmc", days=5, outputs=("mean_wait_hours",))
    first, second = run_many([spec, spec])
    assert first == second
    assert len(ran) == 1


def test_a_dask_cluster_gives_the_numbers_of_the_local_pool(tmp_path):
    specs = mmc_specs()
    local = run_many(specs, workers=2)
    with loopback_cluster(tmp_path) as address:
        assert run_many(specs, address=address) == local


def test_without_dask_an_address_names_the_extra_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)  # as if not installed
    with pytest.raises(ImportError, match=r"pip install -e '\.\[cluster\]'"):
        run_many([RunSpec("mmc", days=1)], address="tcp://127.0.0.1:1")


def test_the_readme_example_runs_as_written(tmp_path):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Batch runs from Python", 1)[1]
    script = tmp_path / "example.py"
    script.write_text(section.split("```python\n", 1)[1].split("```", 1)[0])
    done = subprocess.run(
        [sys.executable, str(script)], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert [line.split("}")[0] + "}" for line in lines] == [
        "{'servers': 5}",
        "{'servers': 6}",
        "{'servers': 7}",
    ]
    assert all("'on_time_rate':" in line and "'mean_wait_hours':" in line for line in lines)


def test_run_many_composes_from_inside_a_running_hydra_app():
    from hydra import compose, initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra

    import sim.runs.api

    sim.runs.api._composed.cache_clear()  # compose now, inside the app
    with initialize_config_dir(config_dir=str(ROOT / "configs"), version_base="1.3"):
        (summary,) = run_many([RunSpec("tandem", days=2, outputs=("dossiers_created",))])
        assert summary["dossiers_created"] > 0
        assert GlobalHydra.instance().is_initialized()  # the app's state is back
        assert compose("config", overrides=["scenario=mmc"])["scenario"]["name"] == "mmc"
