"""One executor behind every batch: this process, a local pool, a Dask cluster.

The numbers of a country run and of a ``sim.api.run_many`` batch are the same in one
process, on two local workers and on a loopback Dask cluster of two workers, also
through ``python -m sim.run ... run.cluster=tcp://...`` as a user types it.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pandas as pd
import pytest

from sim.api import RunSpec, run_many
from sim.runs.country import read_scenario, run_country
from sim.runs.executor import InProcess, LocalPool, executor
from tests.helpers import loopback_cluster, resolved, sim_run
from tests.test_country import same

COUNTRY = ("scenario=country", "scenario.n_provinces=3", "scenario.n_communes=9")
RUN = {"days": 6, "warmup_days": 1, "start_date": "2025-07-01"}


def late_square(value: int) -> int:
    """``value**2``, the first items finishing last (so order is not completion order)."""
    time.sleep(0.05 * (4 - value))
    return value * value


@pytest.fixture(scope="module")
def cluster(tmp_path_factory) -> str:
    with loopback_cluster(tmp_path_factory.mktemp("dask")) as address:
        yield address


def test_in_process_and_a_local_pool_give_results_in_submission_order():
    with executor(1) as here:
        assert isinstance(here, InProcess)
        assert list(here.map(late_square, range(4))) == [0, 1, 4, 9]
    with executor(2) as pool:
        assert isinstance(pool, LocalPool) and pool.workers == 2
        assert list(pool.map(late_square, range(4))) == [0, 1, 4, 9]
        finished = list(pool.map(late_square, range(4), ordered=False))
    assert sorted(finished) == [(0, 0), (1, 1), (2, 4), (3, 9)]
    assert executor(2) is pool  # kept for the next batch


def test_a_cluster_address_must_be_an_address():
    with pytest.raises(ValueError, match=r"run.cluster='nowhere': a Dask scheduler address"):
        executor(2, "nowhere")


def test_run_cluster_that_is_no_address_is_one_line_naming_the_key(tmp_path):
    done = sim_run(*COUNTRY, "run.days=2", "run.cluster=8786", f"hydra.run.dir={tmp_path}")
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert lines == [
        "error: run.cluster = 8786: a Dask scheduler address such as tcp://127.0.0.1:8786, "
        "or null for the local pool of run.workers"
    ]


@pytest.mark.slow
def test_a_dask_cluster_gives_results_in_submission_order(cluster):
    with executor(cluster=cluster) as where:
        assert where.workers == 2
        assert list(where.map(late_square, range(4))) == [0, 1, 4, 9]
        finished = list(where.map(late_square, range(4), ordered=False))
    assert sorted(finished) == [(0, 0), (1, 1), (2, 4), (3, 9)]


@pytest.mark.slow
def test_a_country_gives_the_same_numbers_in_one_process_two_workers_and_on_dask(cluster):
    cfg = resolved(list(COUNTRY))
    spec, policy = read_scenario(cfg["scenario"]), cfg["policy"]
    one = run_country(spec, policy, seed=3, replication=0, workers=1, **RUN)
    two = run_country(spec, policy, seed=3, replication=0, workers=2, **RUN)
    dask = run_country(spec, policy, seed=3, replication=0, cluster=cluster, **RUN)
    assert one[0]["dossiers_created"] > 0
    for other in (two, dask):
        assert same(one[0], other[0])
        pd.testing.assert_frame_equal(one[1], other[1])
    other_seed = run_country(spec, policy, seed=4, replication=0, workers=1, **RUN)
    assert not same(one[0], other_seed[0])  # the comparison can tell runs apart


@pytest.mark.slow
def test_run_many_gives_the_same_numbers_in_one_process_two_workers_and_on_dask(cluster):
    specs = [
        RunSpec("mmc", parameters={"servers": servers}, days=4, seed=seed)
        for servers in (5, 7)
        for seed in (1, 2, 3)
    ]
    one = run_many(specs, workers=1)
    assert len({json.dumps(s, sort_keys=True) for s in one}) == len(specs)
    assert run_many(specs, workers=2) == one
    assert run_many(specs, address=cluster) == one


def _summary(folder: Path) -> dict:
    return json.loads((folder / "summary.json").read_text())


@pytest.mark.slow
def test_sim_run_country_on_a_cluster_gives_the_one_process_numbers(cluster, tmp_path):
    common = (*COUNTRY, "run.days=5", "output.report=false", "output.plots=false")
    local = sim_run(*common, "run.workers=1", f"hydra.run.dir={tmp_path / 'one'}")
    assert local.returncode == 0, local.stderr
    on_dask = sim_run(*common, f"run.cluster={cluster}", f"hydra.run.dir={tmp_path / 'dask'}")
    assert on_dask.returncode == 0, on_dask.stderr
    assert _summary(tmp_path / "one") == _summary(tmp_path / "dask")
    assert _summary(tmp_path / "one")["dossiers_created"] > 0
    for name in ("daily.csv", "capacity.csv"):
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "dask" / name).read_bytes()


@pytest.mark.slow
def test_sim_run_with_a_cluster_no_scheduler_answers_is_one_line(tmp_path):
    done = sim_run(
        *COUNTRY, "run.days=2", "run.cluster=tcp://127.0.0.1:9", f"hydra.run.dir={tmp_path}"
    )
    assert done.returncode == 2
    assert (
        done.stderr.strip()
        .splitlines()[-1]
        .startswith("error: run.cluster='tcp://127.0.0.1:9': no Dask scheduler answered")
    )
