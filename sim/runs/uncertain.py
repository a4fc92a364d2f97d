"""Jobs over the ranges of the assumptions: a Latin-hypercube sample of configs/uncertainty/.

With ``uncertainty.samples=N`` a job runs each of N points of the scenario's ranges
(``configs/uncertainty/<scenario>.yaml``) with ``run.replications`` seeds each. The points
depend only on ``uncertainty.seed`` and on the factors the scenario's ranges file names
(every policy's factors included, selected or not), so every job of a study, whatever
its policies, runs the same points with the same seeds: the jobs are paired point by
point and seed by seed (common random numbers), which is what a robust comparison of
policies needs (sim/studies/robust.py). A job applies the values of the factors its own
configuration has (a policy that is not selected has nothing to set).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from sim.runs.job_check import CheckedJob, check_job
from sim.spec.config import Reader, reject_unknown, track_reads
from sim.spec.parameters import apply_parameters
from sim.spec.paths import CONFIG_DIR
from sim.spec.scenario import ScenarioSpec
from sim.spec.uncertainty import Range, Uncertainty, load_uncertainty, read_ranges

UNCERTAINTY_DIR = CONFIG_DIR / "uncertainty"
FACTOR_PREFIX = "factor."  # replications.csv columns holding a run's factor values


@dataclass(frozen=True)
class SamplePlan:
    """The points a job runs: ``points[s]`` is point s in the unit hypercube of ``factors``.

    ``first_ranges`` holds each factor's first range (what its value is reported in);
    ``uncertainty`` the ranges that act on this job's configuration.
    """

    factors: tuple[str, ...]
    first_ranges: tuple[Range, ...]
    points: np.ndarray
    uncertainty: Uncertainty

    def runs(self, replications: int) -> Iterator[tuple[int, int]]:
        """``(sample, replication)`` in the order every job runs them."""
        for sample in range(len(self.points)):
            for replication in range(replications):
                yield sample, replication

    def parameters(self, sample: int) -> dict[str, float | int]:
        """Parameter paths and values of point ``sample`` for this job's configuration."""
        position = {name: i for i, name in enumerate(self.factors)}
        own = [self.points[sample, position[f]] for f in self.uncertainty.factors]
        return self.uncertainty.parameters(own)

    def factor_values(self, sample: int) -> dict[str, float]:
        """Each factor's value at point ``sample`` (a scaled factor: its multiplier).

        Every factor of the ranges file is listed, acting on this job or not, so the
        columns are the same in every job of a study.
        """
        point = self.points[sample]
        return {
            f"{FACTOR_PREFIX}{r.factor}": float(r.value(u))
            for r, u in zip(self.first_ranges, point, strict=True)
        }


def plan_samples(
    scenario_name: str, samples: int, seed: int, resolved: dict, unresolved: dict
) -> SamplePlan:
    """The Latin-hypercube points of a job (``samples`` of them, seeded by ``seed``)."""
    ranges, _ = read_ranges(scenario_name, UNCERTAINTY_DIR)
    first: dict[str, Range] = {}
    for r in ranges:
        first.setdefault(r.factor, r)
    from scipy.stats import qmc  # scipy.stats is slow to import: only when sampling

    sampler = qmc.LatinHypercube(d=len(first), seed=np.random.default_rng(int(seed)))
    points = sampler.random(int(samples))
    uncertainty = load_uncertainty(scenario_name, UNCERTAINTY_DIR, resolved, unresolved)
    return SamplePlan(tuple(first), tuple(first.values()), points, uncertainty)


def sample_config(container: dict, parameters: dict) -> dict:
    """The job's resolved config with one point's parameter values set."""
    scenario, policies = apply_parameters(
        container["scenario"],
        container.get("policy") or {},
        parameters,
        context={"costs": container.get("costs", {})},
    )
    return {**container, "scenario": scenario, "policy": policies}


@dataclass(frozen=True)
class SampledJob:
    """A job's runs: each sample's checked configuration, then ``replications`` seeds each.

    Without samples (``uncertainty.samples=0``, the default) a job runs its own
    configuration ``run.replications`` times. The seed of run ``i`` (sample
    ``i // replications``) is ``replication_seed(seed, i)``, the same in every job of a
    study, so run ``i`` of two jobs is a pair.
    """

    job: CheckedJob
    seed: int = 0
    plan: SamplePlan | None = None
    sampled: tuple[CheckedJob, ...] = ()

    @property
    def samples(self) -> int:
        """Points of the sample (0: the job's own configuration only)."""
        return 0 if self.plan is None else len(self.plan.points)

    @property
    def replications(self) -> int:
        return self.job.settings.replications

    def runs(self) -> Iterator[tuple[ScenarioSpec, dict]]:
        """The scenario and policies of each run, in order."""
        if self.plan is None:
            for _ in range(self.replications):
                yield self.job.spec, self.job.policy_cfg
            return
        for sample, _ in self.plan.runs(self.replications):
            checked = self.sampled[sample]
            yield checked.spec, checked.policy_cfg

    def labels(self) -> list[dict]:
        """Columns that name each run in replications.csv (sample and factor values)."""
        if self.plan is None:
            return [{} for _ in range(self.replications)]
        return [
            {"sample": sample, **self.plan.factor_values(sample)}
            for sample, _ in self.plan.runs(self.replications)
        ]

    def record(self) -> dict:
        """What summary.json says of the sample (empty without one): the points, which
        jobs must share to be compared, and the factors that act on this job."""
        if self.plan is None:
            return {}
        return {
            "uncertainty": {"samples": self.samples, "seed": self.seed},
            "uncertainty_factors": self.plan.uncertainty.factors,  # those acting on this job
        }


def sampled_job(job: CheckedJob, container: dict, unresolved: dict) -> SampledJob:
    """Read ``uncertainty``, draw the points and check every point's configuration."""
    with track_reads() as log:
        reader = Reader(container, "").child("uncertainty", {})
        samples = reader.integer("samples", 0, low=0)
        seed = reader.integer("seed", 0, low=0)
    reject_unknown(log, "uncertainty")
    if samples == 0:
        return SampledJob(job)
    name = str(container["scenario"].get("name", ""))
    plan = plan_samples(name, samples, seed, container, unresolved)
    sampled = tuple(
        check_job(sample_config(container, plan.parameters(s)), unresolved) for s in range(samples)
    )
    return SampledJob(job, seed, plan, sampled)
