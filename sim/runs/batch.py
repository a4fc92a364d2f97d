"""One model run from a composed config and a set of parameters: the work of batch runs.

``sim.api.run_many`` composes each distinct scenario and policy selection once, then
sends chunks of runs to worker processes (a local pool or a Dask cluster). A chunk
carries the composed configs it needs once (``bases``, keyed by their hash) and, per
run, only the base's key, the parameters and the run settings, so that pickling stays
small beside the runs. Each run goes through the same checks and the same
``run_replication`` as ``python -m sim.run``, so a run gives the numbers that command
gives for the same settings.
"""

from __future__ import annotations

import logging
import math
import traceback
from dataclasses import dataclass
from typing import Any

from omegaconf import OmegaConf

from sim.runs.job_check import check_job, interpolated_knobs
from sim.runs.replications import run_replication
from sim.spec.config import ConfigError
from sim.spec.parameters import apply_parameters

CHUNKS_PER_WORKER = 4  # chunks per worker: several runs per task, yet a balanced load


@dataclass(frozen=True)
class Task:
    """One run of a batch: which composed config, which parameters, which settings."""

    index: int  # position in the caller's list (results go back in that order)
    base: str  # key of the composed config in the chunk's ``bases``
    parameters: tuple[tuple[str, Any], ...]
    days: int
    warmup_days: int
    start_date: str
    seed: int
    replication: int
    open_dossiers: tuple = ()  # (commune, field, received_date, deadline_date): a warm start
    cell_series: bool = False  # add daily_cells to the summary


def job_config(base: dict, task: Task) -> tuple[dict, dict]:
    """The (resolved, unresolved) job config of a task: the base config with the task's
    parameters applied and its run settings (one replication, no files written)."""
    scenario, policies = apply_parameters(
        base["scenario"], base.get("policy") or {}, dict(task.parameters), context=base
    )
    # a knob (``servers: 5`` that ``count: ${scenario.servers}`` reads) whose every use a
    # parameter replaced is read by nothing now: left out, as it no longer means anything
    if isinstance(scenario, dict):
        unused = interpolated_knobs(base["scenario"]) - interpolated_knobs(scenario)
        scenario = {key: value for key, value in scenario.items() if key not in unused}
    unresolved = {
        **base,
        "scenario": scenario,
        "policy": policies,
        "seed": task.seed,
        "run": {
            **base.get("run", {}),
            "days": task.days,
            "warmup_days": task.warmup_days,
            "start_date": task.start_date,
            "replications": 1,
            "workers": 1,
            "cluster": None,
            "progress": False,
        },
        "output": {
            **base.get("output", {}),
            "plots": False,
            "table": False,
            "report": False,
            "excel": False,
        },
    }
    try:
        resolved = OmegaConf.to_container(OmegaConf.create(unresolved), resolve=True)
    except Exception as error:  # noqa: BLE001 - an interpolation that does not resolve
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise ConfigError(f"config could not be resolved: {reason}") from None
    return resolved, unresolved


def run_task(base: dict, task: Task) -> dict:
    """The summary of one run (``GovernanceModel.summary()``; a country's merged one)."""
    logging.getLogger("MESA").setLevel(logging.WARNING)  # Mesa logs every step at INFO
    resolved, unresolved = job_config(base, task)
    job = check_job(resolved, unresolved)
    summary, _daily = run_replication(
        job.spec,
        job.policy_cfg,
        seed=task.seed,
        replication=task.replication,
        days=task.days,
        warmup_days=task.warmup_days,
        start_date=task.start_date,
        workers=1,
        open_dossiers=task.open_dossiers,
        cell_series=task.cell_series,
    )
    return summary


def run_chunk(bases: dict[str, dict], tasks: list[Task]) -> list[tuple[int, str, Any]]:
    """Run tasks one after the other: ``(index, "ok", summary)``, ``(index, "config",
    message)`` (a user's error: a configuration the model refuses) or ``(index, "error",
    message)`` each, so that one failing run does not lose the others' results."""
    done: list[tuple[int, str, Any]] = []
    for task in tasks:
        try:
            done.append((task.index, "ok", run_task(bases[task.base], task)))
        except ConfigError as error:
            done.append((task.index, "config", str(error)))
        except Exception as error:  # noqa: BLE001 - reported with the run's index
            done.append((task.index, "error", f"{error!r}\n{traceback.format_exc()}"))
    return done


def chunks(
    bases: dict[str, dict], tasks: list[Task], count: int
) -> list[tuple[dict[str, dict], list[Task]]]:
    """About ``count`` chunks of consecutive tasks, each with the bases it needs."""
    size = max(1, math.ceil(len(tasks) / count))
    found = []
    for start in range(0, len(tasks), size):
        part = tasks[start : start + size]
        found.append(({t.base: bases[t.base] for t in part}, part))
    return found
