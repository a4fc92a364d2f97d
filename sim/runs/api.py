"""Many runs from Python: ``run_many([RunSpec(...), ...], workers=N)`` returns summaries.

For calibration, sensitivity analysis and optimisation, which need thousands of runs:
Hydra configs are composed once per distinct scenario and policy selection (cached in
the process), not once per run; each run applies its parameters (dotted paths, see
sim/spec/parameters.py) to the composed config and runs through the same checks, seeds
and code as ``python -m sim.run``, so a RunSpec gives the numbers that command gives for
the same scenario, policies, seed and days. Runs go, in chunks of several runs per
task, to a process pool of ``workers`` or to a Dask cluster at ``address`` (one
executor, sim/runs/executor.py); the results do not depend on either. With
``store=PATH`` every finished run is kept in an SQLite file, and a later call with the
same store runs only what is missing.

Example::

    from sim.api import RunSpec, run_many

    specs = [
        RunSpec("mmc", parameters={"servers": servers}, days=30, seed=1,
                outputs=("on_time_rate", "mean_wait_hours"))
        for servers in (5, 6, 7)
    ]
    for spec, summary in zip(specs, run_many(specs, workers=2)):
        print(spec.parameters, summary)
"""

from __future__ import annotations

import copy
import functools
import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from omegaconf import OmegaConf
from tqdm import tqdm

from sim.runs.batch import CHUNKS_PER_WORKER, Task, chunks, run_chunk
from sim.runs.executor import InProcess, executor
from sim.runs.run_store import RunStore
from sim.spec.config import ConfigError
from sim.spec.parameters import parameter_paths
from sim.spec.paths import CONFIG_DIR, config_names


@dataclass(frozen=True)
class RunSpec:
    """One run: what ``python -m sim.run scenario=S policy=[P] seed=X run.days=D`` runs,
    with parameters set by dotted path.

    Args:
        scenario: a scenario name (``configs/scenario/NAME.yaml``) or a scenario block
            (a dict as composed configs hold it).
        policies: policy names (``configs/policy/NAME.yaml``) or ``(name, config)``
            pairs; applied in this order, like ``policy=[a,b]``.
        parameters: dotted path to value (sim/spec/parameters.py: ``*``, ``@scale``,
            ``policy.NAME.key``).
        days, warmup_days, start_date, seed: as ``run.days``, ``run.warmup_days``,
            ``run.start_date`` and ``seed`` of ``python -m sim.run``.
        replication: which replication of ``seed`` (the model seed is
            ``replication_seed(seed, replication)``, as in a job's replications).
        outputs: summary keys to keep (all when empty).
        open_dossiers: dossiers open before the first day (a warm start from a
            planner's data, sim/abm/warm_start.py): ``(commune, field, received_date,
            deadline_date)`` tuples, dates ``YYYY-MM-DD``.
        cell_series: add ``daily_cells`` to the summary: per day and commune x field,
            received, resolved, backlog and overdue (``GovernanceModel.cell_series()``).
    """

    scenario: str | dict = "lang_son_wards"
    policies: tuple = ("baseline",)
    parameters: Mapping[str, float | int | str] = field(default_factory=dict)
    days: int = 92
    warmup_days: int = 0
    start_date: str = "2025-07-01"
    seed: int = 42
    replication: int = 0
    outputs: tuple[str, ...] = ()
    open_dossiers: tuple = ()
    cell_series: bool = False

    def __post_init__(self) -> None:
        policies = (self.policies,) if isinstance(self.policies, str) else tuple(self.policies)
        for item in policies:
            pair = isinstance(item, tuple | list) and len(item) == 2
            if not (isinstance(item, str) or (pair and isinstance(item[1], dict))):
                raise ConfigError(
                    f"RunSpec.policies: {item!r} is neither a policy name nor a (name, "
                    "config dict) pair",
                    "policies",
                )
        object.__setattr__(self, "policies", tuple(_pair(p) for p in policies))
        object.__setattr__(self, "parameters", dict(self.parameters))
        outputs = (self.outputs,) if isinstance(self.outputs, str) else tuple(self.outputs)
        object.__setattr__(self, "outputs", outputs)
        carried = tuple(tuple(str(x) for x in item) for item in self.open_dossiers)
        if any(len(item) != 4 for item in carried):
            raise ConfigError(
                "RunSpec.open_dossiers: each item is (commune, field, received_date, "
                "deadline_date)",
                "open_dossiers",
            )
        object.__setattr__(self, "open_dossiers", carried)
        if not isinstance(self.scenario, str | dict):
            raise ConfigError(
                f"RunSpec.scenario = {self.scenario!r}: a scenario name or a scenario dict",
                "scenario",
            )
        for name in ("days", "warmup_days", "seed", "replication"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ConfigError(f"RunSpec.{name} = {value!r}: an integer >= 0", name)


def _pair(item: Any) -> str | tuple[str, dict]:
    return item if isinstance(item, str) else (str(item[0]), dict(item[1]))


class RunError(RuntimeError):
    """Some runs of a batch failed; the others' results are in the store, if one."""


class RunConfigError(RunError, ConfigError):
    """Every run of a batch that failed was refused for its configuration: a user's error
    (one line, exit 2), named by the first such run and the values the batch gave it."""

    key: str | None = None


def run_many(
    specs: Iterable[RunSpec],
    workers: int = 1,
    store: str | Path | None = None,
    address: str | None = None,
    progress: bool = False,
) -> list[dict]:
    """Each run's summary, in the order of ``specs``.

    Args:
        specs: the runs.
        workers: processes of the local pool (1: in this process).
        store: an SQLite file that keeps finished runs; runs already there are not run
            again (resume after an interruption).
        address: a Dask scheduler (``tcp://HOST:PORT``) to send the runs to instead of
            the local pool (needs the ``cluster`` extra).
        progress: show a progress bar.

    Raises:
        ConfigError: a bad spec or parameter path, found before anything runs.
        RunError: runs that failed, named by their index and message, after the others
            finished (and were stored).
    """
    specs = list(specs)
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ConfigError(f"workers = {workers!r}: an integer >= 1", "workers")
    bases: dict[str, dict] = {}
    tasks: list[Task] = []
    keys: list[str] = []
    for index, spec in enumerate(specs):
        if not isinstance(spec, RunSpec):
            raise ConfigError(f"specs[{index}] = {spec!r}: a RunSpec", f"specs[{index}]")
        base_key, base = _base(spec)
        bases.setdefault(base_key, base)
        _check_paths(base_key, bases[base_key], tuple(spec.parameters))
        tasks.append(_task(index, base_key, spec))
        keys.append(run_key(base_key, tasks[-1]))
    results: list[dict | None] = [None] * len(specs)
    runs_store = RunStore(store) if store is not None else None
    try:
        stored = runs_store.get_many(keys) if runs_store is not None else {}
        first_of: dict[str, int] = {}
        for index, key in enumerate(keys):
            if key in stored:
                results[index] = stored[key]
            else:
                first_of.setdefault(key, index)  # the same run twice is run once
        todo = [tasks[index] for index in first_of.values()]
        failures: list[str] = []
        refused: list[tuple[int, str]] = []  # runs whose configuration the model refused
        with tqdm(total=len(todo), disable=not progress, unit="run", desc="runs") as bar:
            for index, status, value in _execute(bases, todo, workers, address):
                bar.update(1)
                if status != "ok":
                    failures.append(f"run {index} ({_describe(specs[index])}): {value}")
                    refused += [(index, value)] if status == "config" else []
                    continue
                summary = json.loads(json.dumps(value))  # as the store gives it back
                results[index] = summary
                if runs_store is not None:
                    runs_store.put(keys[index], _spec_record(specs[index]), summary)
    finally:
        if runs_store is not None:
            runs_store.close()
    if failures and len(refused) == len(failures):
        raise _refused(refused, len(todo), specs)
    if failures:
        shown = "\n".join(failures[:3])
        more = f"\n(and {len(failures) - 3} more)" if len(failures) > 3 else ""
        raise RunError(f"{len(failures)} of {len(todo)} runs failed:\n{shown}{more}")
    for index, key in enumerate(keys):
        if results[index] is None:
            results[index] = results[first_of[key]]
    return [_select(summary, spec.outputs) for summary, spec in zip(results, specs, strict=True)]


def engine(cluster: str | None) -> SimpleNamespace:
    """The run engine the forecasting commands receive (``RunSpec``, ``run_many``): this
    module, with every batch sent to the Dask scheduler ``cluster`` (``run.cluster``)
    when one is given."""
    return SimpleNamespace(RunSpec=RunSpec, run_many=functools.partial(run_many, address=cluster))


def _execute(
    bases: dict[str, dict], tasks: list[Task], workers: int, address: str | None
) -> Iterator[tuple[int, str, Any]]:
    """Run the tasks where asked (sim/runs/executor.py), in chunks of several runs;
    yields ``(index, status, value)`` as the chunks finish."""
    if not tasks:
        return
    with executor(workers, address, key="address") as where:
        in_process = isinstance(where, InProcess)  # one run per chunk: progress run by run
        count = len(tasks) if in_process else where.workers * CHUNKS_PER_WORKER
        parts = chunks(bases, tasks, count)
        for _position, done in where.starmap(run_chunk, parts, ordered=False):
            yield from done


def _task(index: int, base_key: str, spec: RunSpec) -> Task:
    return Task(
        index=index,
        base=base_key,
        parameters=tuple(spec.parameters.items()),
        days=spec.days,
        warmup_days=spec.warmup_days,
        start_date=str(spec.start_date),
        seed=spec.seed,
        replication=spec.replication,
        open_dossiers=spec.open_dossiers,
        cell_series=spec.cell_series,
    )


def run_key(base_key: str, task: Task) -> str:
    """The store key of a run: its composed config's hash, parameters and settings."""
    data = {**asdict(task), "base": base_key, "parameters": [list(p) for p in task.parameters]}
    data.pop("index")
    for name in ("open_dossiers", "cell_series"):  # left out when unused: older keys hold
        if not data[name]:
            data.pop(name)
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _base(spec: RunSpec) -> tuple[str, dict]:
    """The composed (unresolved) config of a spec's scenario and policies, and its hash."""
    names = tuple(p for p in spec.policies if isinstance(p, str))
    scenario = spec.scenario if isinstance(spec.scenario, str) else None
    composed = _composed(scenario, names or ("baseline",))
    base = dict(composed)
    if not isinstance(spec.scenario, str):
        base["scenario"] = spec.scenario
    base["policy"] = {}
    for item in spec.policies:
        name, config = (item, composed["policy"][item]) if isinstance(item, str) else item
        base["policy"][name] = config
    text = json.dumps(base, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:20], base


@functools.lru_cache(maxsize=256)
def _composed(scenario: str | None, policies: tuple[str, ...]) -> dict:
    """The config ``python -m sim.run scenario=S policy=[P...]`` composes (unresolved)."""
    overrides = [f"policy=[{','.join(policies)}]"]
    if scenario is not None:
        overrides.append(f"scenario={scenario}")
    for group, names in (("scenario", [scenario] if scenario else []), ("policy", policies)):
        available = config_names(group)
        for name in names:
            if name not in available:
                raise ConfigError(
                    f"{group} {name!r}: no configs/{group}/{name}.yaml; available: "
                    f"{', '.join(n for n in available if not n.startswith('_'))}",
                    group,
                )
    return copy.deepcopy(_compose(overrides))


def _compose(overrides: list[str]) -> dict:
    """Hydra's compose API, also from inside a running Hydra app (whose global state is
    put aside meanwhile and restored)."""
    from hydra import compose, initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra
    from hydra.core.singleton import Singleton

    saved = Singleton._instances.pop(GlobalHydra, None)
    try:
        with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
            config = compose("config", overrides=overrides)
        return OmegaConf.to_container(config, resolve=False)
    finally:
        Singleton._instances.pop(GlobalHydra, None)
        if saved is not None:
            Singleton._instances[GlobalHydra] = saved


def _check_paths(base_key: str, base: dict, paths: tuple[str, ...]) -> None:
    """ConfigError for a parameter path that matches nothing (checked once per set)."""
    if paths and (base_key, paths) not in _CHECKED:
        parameter_paths(base["scenario"], base.get("policy") or {}, list(paths))
        _CHECKED.add((base_key, paths))


_CHECKED: set[tuple[str, tuple[str, ...]]] = set()


def _select(summary: dict, outputs: Sequence[str]) -> dict:
    if not outputs:
        return summary
    missing = [key for key in outputs if key not in summary]
    if missing:
        raise ConfigError(
            f"RunSpec.outputs: {', '.join(missing)} not in the summary; its keys: "
            f"{', '.join(summary)}",
            "outputs",
        )
    return {key: summary[key] for key in outputs}


def _refused(refused: list[tuple[int, str]], runs: int, specs: list[RunSpec]) -> RunConfigError:
    """One line for runs refused for their configuration: the first one's message (key,
    value, what is allowed) and the values the batch set in it, with how to avoid them."""
    index, message = min(refused)
    spec = specs[index]
    given = ", ".join(f"{k}={v!r}" for k, v in spec.parameters.items())
    refusals = f"{len(refused)} of {runs} runs were refused"
    if not given:
        return RunConfigError(f"{message} ({refusals})")
    return RunConfigError(
        f"{message} ({refusals}; the first, run {index}, with {given} set by the batch: a "
        "value sampled from the ranges, configs/uncertainty/<scenario>.yaml or "
        "thresholds.ranges, or an allocation searched; narrow the range or the setting "
        "that reaches it)"
    )


def _describe(spec: RunSpec) -> str:
    scenario = spec.scenario if isinstance(spec.scenario, str) else "scenario dict"
    return f"{scenario}, seed {spec.seed}, replication {spec.replication}, {spec.parameters}"


def _spec_record(spec: RunSpec) -> dict:
    return {
        "scenario": spec.scenario if isinstance(spec.scenario, str) else "dict",
        "policies": [p if isinstance(p, str) else p[0] for p in spec.policies],
        "parameters": spec.parameters,
        "days": spec.days,
        "warmup_days": spec.warmup_days,
        "start_date": spec.start_date,
        "seed": spec.seed,
        "replication": spec.replication,
        "open_dossiers": len(spec.open_dossiers),
    }


def composed_config(scenario: str, policies: Sequence[str]) -> dict:
    """The (unresolved) config ``python -m sim.run scenario=S policy=[P, ...]`` composes:
    what a study reads the ranges of its assumptions against."""
    return copy.deepcopy(_composed(scenario, tuple(policies)))
