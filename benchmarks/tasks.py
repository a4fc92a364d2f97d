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


def engine_mmc(dossiers: str, seed: str) -> dict:
    """``scenario=mmc`` with 10 servers at load 0.9, long enough for ``dossiers``."""
    from sim.abm.model import GovernanceModel

    days = math.ceil(mmc_hours(int(dossiers)) / 24)
    cfg = compose_config(
        [
            "scenario=mmc",
            f"scenario.arrival_rate_per_hour={ARRIVAL_RATE}",
            f"scenario.servers={SERVERS}",
            f"scenario.service_rate_per_hour={SERVICE_RATE}",
        ]
    )
    started = time.perf_counter()
    model = GovernanceModel(cfg["scenario"], seed=int(seed))
    model.run(days)
    wall = time.perf_counter() - started
    summary = model.summary()
    return {
        "wall_s": wall,
        "dossiers": summary["dossiers_resolved"],
        "mean_wait_hours": summary["mean_wait_hours"],
    }


def ciw_mmc(dossiers: str, seed: str) -> dict:
    """The same M/M/c queue through Ciw, for the same simulated time."""
    import ciw

    network = ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(ARRIVAL_RATE)],
        service_distributions=[ciw.dists.Exponential(SERVICE_RATE)],
        number_of_servers=[SERVERS],
    )
    ciw.seed(int(seed))
    started = time.perf_counter()
    simulation = ciw.Simulation(network)
    simulation.simulate_until_max_time(mmc_hours(int(dossiers)))
    wall = time.perf_counter() - started
    records = simulation.get_all_records()
    return {
        "wall_s": wall,
        "dossiers": len(records),
        "mean_wait_hours": sum(r.waiting_time for r in records) / len(records),
    }


def bare_mmc(dossiers: str, seed: str) -> dict:
    """The floor: the same M/M/c queue as a bare ``heapq`` loop with no model around it.

    Only arrivals, a FIFO queue and service completions: no calendar, deadline, agent,
    metric or record per dossier. It shows what a pure-Python event loop costs per
    dossier before any of the model's work, and so what a speed ratio over Ciw can reach
    in CPython at all.
    """
    import collections
    import heapq
    import random

    expo = random.Random(int(seed)).expovariate
    n = int(dossiers)
    push, pop = heapq.heappush, heapq.heappop
    started = time.perf_counter()
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
    wall = time.perf_counter() - started
    # customers served without waiting add zero wait
    return {"wall_s": wall, "dossiers": served, "mean_wait_hours": wait_sum / served}


def province(days: str, seed: str, demand: str = "1") -> dict:
    """One replication of ``scenario=province`` (65 communes); ``demand`` scales needs."""
    from sim.abm.model import GovernanceModel
    from sim.policies import build_policies

    cfg = compose_config(["scenario=province"])
    scenario = cfg["scenario"]
    for key in ("citizen_dossiers_per_year", "business_dossiers_per_year"):
        scenario["demand"][key] *= float(demand)
    started = time.perf_counter()
    model = GovernanceModel(
        scenario,
        seed=int(seed),
        start_date=cfg["run"]["start_date"],
        policies=build_policies(cfg["policy"]),
    )
    model.run(int(days))
    summary = model.summary()
    wall = time.perf_counter() - started
    return {
        "wall_s": wall,
        "dossiers": summary["dossiers_created"],
        "utilization": summary["utilization"],
        "communes": len(model.communes),
    }


def country(days: str, seed: str, workers: str) -> dict:
    """One replication of ``scenario=country`` (34 provinces, 3,321 communes)."""
    from sim.runs.country import read_scenario, run_country

    cfg = compose_config(["scenario=country"])
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
    )
    wall = time.perf_counter() - started
    return {
        "wall_s": wall,
        "dossiers": summary["dossiers_created"],
        "communes": len(summary["by_commune"]),
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
    "sweep": sweep,
}


if __name__ == "__main__":
    import logging

    logging.getLogger("MESA").setLevel(logging.WARNING)
    result = TASKS[sys.argv[1]](*sys.argv[2:])
    result["self_peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result))
