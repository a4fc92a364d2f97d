"""Global sensitivity analysis over the assumptions' ranges: Morris screening, then Sobol.

The analysis works in the unit hypercube of an :class:`~sim.spec.uncertainty.Uncertainty`
(one coordinate per factor; a group of ranges is one factor): SALib draws the points,
``evaluate`` turns points into outputs (the model through the batch API, or any function
of the parameter values, such as the Ishigami test function), SALib analyses them.
Elementary effects and indices are therefore per the whole plausible range of a factor,
so that factors in different units compare.

``evaluate(points) -> {output: array}`` gets an ``(n, k)`` array of unit points and
returns one value per point and output. The model's evaluation averages
``replications`` seeds per point and uses the same seeds at every point (common random
numbers), so that a difference between two points is the factors' effect, not a new
draw of arrivals.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from SALib.analyze import morris as morris_analyze
from SALib.analyze import sobol as sobol_analyze
from SALib.sample import morris as morris_sample
from SALib.sample import sobol as sobol_sample

from sim.spec.uncertainty import Uncertainty

Evaluate = Callable[[np.ndarray], Mapping[str, np.ndarray]]
MORRIS_COLUMNS = ["output", "parameter", "category", "mu_star", "mu_star_conf", "sigma"]
SOBOL_COLUMNS = ["output", "parameter", "category", "S1", "S1_conf", "ST", "ST_conf"]


@dataclass(frozen=True)
class Settings:
    """How much sampling: SALib's N, Morris levels, bootstrap resamples, seed."""

    samples: int = 10
    levels: int = 4
    resamples: int = 1000
    conf_level: float = 0.95
    seed: int = 42


def _problem(factors: list[str]) -> dict:
    return {"num_vars": len(factors), "names": list(factors), "bounds": [[0.0, 1.0]] * len(factors)}


def _checked(outputs: Mapping[str, np.ndarray], n: int) -> dict[str, np.ndarray]:
    checked = {}
    for name, values in outputs.items():
        values = np.asarray(values, dtype=float)
        if values.shape != (n,):
            raise ValueError(f"output {name}: {values.shape} values for {n} points")
        missing = int(np.isnan(values).sum())
        if missing:
            raise ValueError(
                f"output {name} has no figure (NaN) in {missing} of {n} runs; choose an "
                "output every run has (a longer run, or a count instead of a rate)"
            )
        checked[name] = values
    return checked


def morris(
    uncertainty: Uncertainty, evaluate: Evaluate, settings: Settings
) -> tuple[pd.DataFrame, np.ndarray, dict[str, np.ndarray]]:
    """Morris elementary effects of every factor on every output.

    Returns the table (``MORRIS_COLUMNS`` plus ``mu``), the unit points and the outputs.
    ``mu_star`` is the mean absolute change of an output when a factor moves across
    ``2/3`` of its range (4 levels), so factors in different units compare.
    """
    factors = uncertainty.factors
    problem = _problem(factors)
    points = morris_sample.sample(
        problem, settings.samples, num_levels=settings.levels, seed=settings.seed
    )
    outputs = _checked(evaluate(points), len(points))
    rows = []
    for name, values in outputs.items():
        result = morris_analyze.analyze(
            problem,
            points,
            values,
            num_levels=settings.levels,
            num_resamples=settings.resamples,
            conf_level=settings.conf_level,
            seed=settings.seed,
        )
        for i, factor in enumerate(factors):
            rows.append(
                {
                    "output": name,
                    "parameter": factor,
                    "category": uncertainty.category(factor),
                    "mu_star": float(result["mu_star"][i]),
                    "mu_star_conf": float(result["mu_star_conf"][i]),
                    "sigma": float(result["sigma"][i]),
                    "mu": float(result["mu"][i]),
                }
            )
    return _ranked(pd.DataFrame(rows), "mu_star"), points, outputs


def sobol(
    uncertainty: Uncertainty, evaluate: Evaluate, settings: Settings
) -> tuple[pd.DataFrame, np.ndarray, dict[str, np.ndarray]]:
    """Sobol first-order (S1) and total (ST) indices with bootstrap intervals.

    Saltelli's scheme with a scrambled Sobol sequence: ``samples * (k + 2)`` points for
    ``k`` factors (``samples`` a power of 2).
    """
    factors = uncertainty.factors
    problem = _problem(factors)
    points = sobol_sample.sample(
        problem, settings.samples, calc_second_order=False, scramble=True, seed=settings.seed
    )
    outputs = _checked(evaluate(points), len(points))
    rows = []
    for name, values in outputs.items():
        if np.ptp(values) == 0:
            result = {key: np.zeros(len(factors)) for key in ("S1", "S1_conf", "ST", "ST_conf")}
        else:
            result = sobol_analyze.analyze(
                problem,
                values,
                calc_second_order=False,
                num_resamples=settings.resamples,
                conf_level=settings.conf_level,
                seed=settings.seed,
            )
        for i, factor in enumerate(factors):
            rows.append(
                {
                    "output": name,
                    "parameter": factor,
                    "category": uncertainty.category(factor),
                    **{key: float(result[key][i]) for key in ("S1", "S1_conf", "ST", "ST_conf")},
                }
            )
    return _ranked(pd.DataFrame(rows), "ST"), points, outputs


def _ranked(table: pd.DataFrame, by: str) -> pd.DataFrame:
    order = table.groupby("output", sort=False).cumcount()  # keeps the outputs' order
    first = table.groupby("output", sort=False).ngroup()
    table = table.assign(_o=first, _i=order).sort_values(["_o", by], ascending=[True, False])
    return table.drop(columns=["_o", "_i"]).reset_index(drop=True)


def kept_factors(table: pd.DataFrame, share: float = 0.1, top: int = 10) -> list[str]:
    """The factors Morris keeps for Sobol: mu* at least ``share`` of the largest mu* of
    some output; when more than ``top`` qualify, the ``top`` with the highest such ratio.
    """
    largest = table.groupby("output")["mu_star"].transform("max")
    ratio = (table["mu_star"] / largest.where(largest > 0)).fillna(0.0)
    best = ratio.groupby(table["parameter"]).max().sort_values(ascending=False, kind="stable")
    chosen = best[best >= share]
    return list(chosen.index[:top])


def restricted(uncertainty: Uncertainty, factors: list[str]) -> Uncertainty:
    """The same ranges with only ``factors`` sampled (the others stay at their defaults)."""
    ranges = tuple(r for r in uncertainty.ranges if r.factor in factors)
    return Uncertainty(ranges, uncertainty.not_sampled, uncertainty.targets, uncertainty.defaults)


def noise_floor(replicate_values: np.ndarray, levels: int = 4) -> float:
    """The elementary effect that seed noise alone could make, from ``(points, seeds)``.

    With ``R`` seeds a point's mean carries a standard error ``sd / sqrt(R)``; a
    difference of two independent means, divided by the step ``levels / (2 (levels - 1))``,
    carries ``sqrt(2)`` times that over the step. Common random numbers make the real noise
    of a difference smaller, so this is an upper bound. NaN with one seed.
    """
    values = np.asarray(replicate_values, dtype=float)
    if values.ndim != 2 or values.shape[1] < 2:
        return float("nan")
    standard_error = float(np.mean(values.std(axis=1, ddof=1))) / np.sqrt(values.shape[1])
    step = levels / (2 * (levels - 1))
    return float(np.sqrt(2) * standard_error / step)
