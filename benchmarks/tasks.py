"""Benchmark tasks, each run in its own process by ``benchmarks.measure``.

``python -m benchmarks.tasks TASK ARGS`` prints one JSON line: wall seconds of the timed
part, dossiers, and what the task checks. The model runs through the same code as
``python -m sim.run``: the scenario is composed by Hydra from ``configs/``.
"""

from __future__ import annotations

import json
import math
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path

from hydra import compose, initialize_config_dir
from omegaconf import OmegaConf

CONFIG_DIR = str(Path(__file__).resolve().parent.parent / "configs")
ARRIVAL_RATE = 9.0  # per hour: load 0.9 on 10 servers at rate 1
SERVERS = 10
SERVICE_RATE = 1.0


def compose_config(overrides: list[str]) -> dict:
    with initialize_config_dir(config_dir=CONFIG_DIR, version_base="1.3"):
        cfg = compose("config", overrides=overrides)
    return OmegaConf.to_container(cfg, resolve=True)


def erlang_c_wait(arrival: float, service: float, servers: int) -> float:
    """Mean wait in queue of an M/M/c queue (Erlang C formula)."""
    a = arrival / service
    rho = a / servers
    top = a**servers / math.factorial(servers) / (1 - rho)
    bottom = sum(a**k / math.factorial(k) for k in range(servers)) + top
    return top / bottom / (servers * service - arrival)


def mmc_hours(dossiers: int) -> float:
    return dossiers / ARRIVAL_RATE


# the short run of a marginal rate simulates this fraction of the long run's dossiers
SHORT_FRACTION = 10


def _timed(run: Callable[[], tuple[int, float]]) -> dict:
    """Wall and CPU seconds of ``run()`` in this process, and the dossiers and mean wait
    in hours it returns."""
    wall, cpu = time.perf_counter(), time.process_time()
    dossiers, wait = run()
    return {
        "wall_s": time.perf_counter() - wall,
        "cpu_s": time.process_time() - cpu,
        "dossiers": dossiers,
        "mean_wait_hours": wait,
    }


def marginal_runs(simulate: Callable[[int], tuple[int, float]], dossiers: int) -> dict:
    """Three runs of one M/M/c simulator in this process, each timed (``_timed``).

    ``simulate(n)`` simulates the queue long enough for ``n`` dossiers (from an empty
    queue, built anew) and returns the dossiers served and their mean wait. ``first``
    simulates one day: it pays for what a process pays once (compiling or loading
    compiled code); ``short`` then simulates ``dossiers / SHORT_FRACTION`` and ``long``
    ``dossiers``. Their difference is the marginal rate (``benchmarks.figures``): the
    cost of the dossiers, without what every run or process pays once. The top-level
    ``wall_s``, ``dossiers`` and ``mean_wait_hours`` are the long run's.
    """
    first = _timed(lambda: simulate(round(24 * ARRIVAL_RATE)))
    short = _timed(lambda: simulate(dossiers // SHORT_FRACTION))
    long = _timed(lambda: simulate(dossiers))
    return {
        "first": first,
        "short": short,
        "long": long,
        **{key: long[key] for key in ("wall_s", "dossiers", "mean_wait_hours")},
    }


def engine_mmc(dossiers: str, seed: str) -> dict:
    """``scenario=mmc`` with 10 servers at load 0.9, long enough for ``dossiers``
    (``marginal_runs``: three runs, the model built anew for each)."""
    from sim.abm.model import GovernanceModel

    cfg = compose_config(
        [
            "scenario=mmc",
            f"scenario.arrival_rate_per_hour={ARRIVAL_RATE}",
            f"scenario.servers={SERVERS}",
            f"scenario.service_rate_per_hour={SERVICE_RATE}",
        ]
    )

    def simulate(n: int) -> tuple[int, float]:
        model = GovernanceModel(cfg["scenario"], seed=int(seed))
        model.run(math.ceil(mmc_hours(n) / 24))
        summary = model.summary()
        return summary["dossiers_resolved"], summary["mean_wait_hours"]

    return marginal_runs(simulate, int(dossiers))


def ciw_mmc(dossiers: str, seed: str) -> dict:
    """The same M/M/c queue through Ciw, for the same simulated time (``marginal_runs``)."""
    import ciw

    network = ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(ARRIVAL_RATE)],
        service_distributions=[ciw.dists.Exponential(SERVICE_RATE)],
        number_of_servers=[SERVERS],
    )

    def simulate(n: int) -> tuple[int, float]:
        ciw.seed(int(seed))
        simulation = ciw.Simulation(network)
        simulation.simulate_until_max_time(mmc_hours(n))
        records = simulation.get_all_records()
        return len(records), sum(r.waiting_time for r in records) / len(records)

    return marginal_runs(simulate, int(dossiers))


def bare_mmc(dossiers: str, seed: str) -> dict:
    """The floor: the same M/M/c queue as a bare ``heapq`` loop with no model around it
    (``marginal_runs``).

    Only arrivals, a FIFO queue and service completions: no calendar, deadline, agent,
    metric or record per dossier. It shows what a pure-Python event loop costs per
    dossier before any of the model's work.
    """
    return marginal_runs(lambda n: heapq_mmc(n, int(seed)), int(dossiers))


def heapq_mmc(n: int, seed: int) -> tuple[int, float]:
    """``n`` customers through the bare loop: served and mean wait in queue (hours)."""
    import collections
    import heapq
    import random

    expo = random.Random(seed).expovariate
    push, pop = heapq.heappush, heapq.heappop
    free, queue, finishes = SERVERS, collections.deque(), []
    wait_sum, served = 0.0, 0
    next_arrival = expo(ARRIVAL_RATE)
    while served < n:
        if finishes and finishes[0] <= next_arrival:
            now = pop(finishes)
            served += 1
            if queue:
                wait_sum += now - queue.popleft()
                push(finishes, now + expo(SERVICE_RATE))
            else:
                free += 1
        else:
            now = next_arrival
            next_arrival = now + expo(ARRIVAL_RATE)
            if free:
                free -= 1
                push(finishes, now + expo(SERVICE_RATE))
            else:
                queue.append(now)
    # customers served without waiting add zero wait
    return served, wait_sum / served


def province(days: str, seed: str, demand: str = "1") -> dict:
    """One replication of ``scenario=province`` (65 communes); ``demand`` scales needs.

    A one-day run of another model first pays for what a process pays once (compiling
    or loading compiled code); then the model is built (``build_cpu_s``) and run
    (``run_cpu_s``, ``wall_s``), each timed on its own.
    """
    from sim.abm.model import GovernanceModel
    from sim.policies import build_policies

    cfg = compose_config(["scenario=province"])
    scenario = cfg["scenario"]
    scale_demand(scenario["demand"], float(demand))

    def build() -> GovernanceModel:
        return GovernanceModel(
            scenario,
            seed=int(seed),
            start_date=cfg["run"]["start_date"],
            policies=build_policies(cfg["policy"]),
        )

    build().run(1)
    cpu = time.process_time()
    model = build()
    build_cpu = time.process_time() - cpu
    started, cpu = time.perf_counter(), time.process_time()
    model.run(int(days))
    run_cpu, wall = time.process_time() - cpu, time.perf_counter() - started
    summary = model.summary()
    return {
        "wall_s": wall,
        "run_cpu_s": run_cpu,
        "build_cpu_s": build_cpu,
        "dossiers": summary["dossiers_created"],
        "utilization": summary["utilization"],
        "communes": len(model.communes),
    }


def scale_demand(demand: dict, factor: float) -> None:
    """Multiply a scenario's ``demand`` block by ``factor``: the dossiers per year per
    applicant kind where they are set, and the national rate they are derived from
    where they are not (sim/spec/demand_rate.py)."""
    derived = False
    for key in ("citizen_dossiers_per_year", "business_dossiers_per_year"):
        if demand.get(key) is None:
            derived = True
        else:
            demand[key] *= factor
    if derived:
        demand["national"]["dossiers_per_commune_per_working_day"] *= factor


def country(days: str, seed: str, workers: str, where: str = "local") -> dict:
    """One replication of ``scenario=country`` (34 provinces, 3,321 communes) on a local
    pool of ``workers`` processes, or (``where="dask"``) on a loopback Dask cluster of
    ``workers`` worker processes started here (its start is not in ``wall_s``)."""
    import contextlib

    from sim.runs.country import read_scenario, run_country

    cfg = compose_config(["scenario=country"])
    with contextlib.ExitStack() as stack:
        cluster, start_s = None, 0.0
        if where == "dask":
            from distributed import LocalCluster

            began = time.perf_counter()
            local = stack.enter_context(
                LocalCluster(
                    host="127.0.0.1",
                    dashboard_address=None,
                    n_workers=int(workers),
                    threads_per_worker=1,
                    processes=True,
                )
            )
            cluster, start_s = local.scheduler_address, time.perf_counter() - began
        started = time.perf_counter()
        spec = read_scenario(cfg["scenario"])
        summary, _ = run_country(
            spec,
            cfg["policy"],
            seed=int(seed),
            replication=0,
            days=int(days),
            warmup_days=0,
            start_date=cfg["run"]["start_date"],
            workers=int(workers),
            cluster=cluster,
        )
        wall = time.perf_counter() - started
    return {
        "wall_s": wall,
        "cluster_start_s": start_s,
        "dossiers": summary["dossiers_created"],
        "communes": len(summary["by_commune"]),
    }


def sobol_runs(samples: str, workers: str, factors: str, days: str) -> dict:
    """The runs of a Sobol analysis (Saltelli's ``samples * (factors + 2)`` points, one
    seed each) of ``scenario=province`` over the first ``factors`` ranges of its
    uncertainty file, through ``sim.api.run_many`` on ``workers`` processes."""
    import numpy as np
    from SALib.sample import sobol as sobol_sample

    from sim.api import RunSpec, run_many
    from sim.spec.uncertainty import load_uncertainty
    from sim.studies.sensitivity import restricted

    cfg = compose_config(["scenario=province"])
    uncertainty = load_uncertainty("province", Path(CONFIG_DIR) / "uncertainty", cfg)
    uncertainty = restricted(uncertainty, uncertainty.factors[: int(factors)])
    points = sobol_sample.sample(
        uncertainty.unit_problem(), int(samples), calc_second_order=False, scramble=True, seed=1
    )
    specs = [
        RunSpec("province", parameters=uncertainty.parameters(point), days=int(days), seed=1)
        for point in points
    ]
    started = time.perf_counter()
    summaries = run_many(specs, workers=int(workers))
    wall = time.perf_counter() - started
    return {
        "wall_s": wall,
        "runs": len(specs),
        "factors": len(uncertainty.factors),
        "dossiers": int(np.sum([s["dossiers_created"] for s in summaries])),
    }


def sweep(workers: str, jobs: str, out_dir: str) -> dict:
    """A ``jobs``-job study through ``python -m sim.run -m`` and the joblib launcher."""
    import subprocess

    command = [
        sys.executable,
        "-m",
        "sim.run",
        "-m",
        "hydra/launcher=joblib",
        f"hydra.launcher.n_jobs={workers}",
        f"hydra.sweep.dir={out_dir}",
        f"seed=range(0,{jobs})",
        "run.days=92",
        "run.progress=false",
        "output.table=false",
    ]
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, cwd=Path(CONFIG_DIR).parent)
    wall = time.perf_counter() - started
    summaries = list(Path(out_dir).glob("*/summary.json"))
    ok = sum(json.loads(p.read_text()).get("status") == "ok" for p in summaries)
    return {"wall_s": wall, "jobs": len(summaries), "jobs_ok": ok}


TASKS = {
    "engine_mmc": engine_mmc,
    "ciw_mmc": ciw_mmc,
    "bare_mmc": bare_mmc,
    "province": province,
    "country": country,
    "sobol_runs": sobol_runs,
    "sweep": sweep,
}


if __name__ == "__main__":
    import logging

    logging.getLogger("MESA").setLevel(logging.WARNING)
    result = TASKS[sys.argv[1]](*sys.argv[2:])
    result["self_peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result))
