"""One-way threshold (break-even) analysis: which value of an assumption reverses a verdict.

A study compares policies pair by pair (sim/studies/analysis.py: each policy against the
baseline; here also against the study's best policy). For each comparison this module
takes the K factors of the scenario's ranges (configs/uncertainty/) that matter most for
it, moves each one alone across its range (every other assumption at its default) and
measures the comparison's paired difference ``policy - reference`` (the sign convention
of comparison.csv) with common random numbers: replication r of both policies, at every
value of the factor, runs the same seed. Where the difference has opposite signs at the
two ends of the range, the switching value is located by bisection, step by step, until
the replications can no longer tell the difference's sign at the midpoint (its 95%
interval holds 0) or ``steps`` halvings are done. The switching value is where the
straight line between the last bracketing points crosses 0; its interval spans the last
bracket and every value where the interpolated 95% band of the difference holds 0.

A one-way analysis sees a switch when the two ends of a range disagree; a factor whose
effect crosses 0 twice inside its range shows no switch. A factor is reported as
``sim.spec.uncertainty`` samples it: a path's value, a scaled range's multiplier
(``@scale``), a group of unscaled ranges by its quantile (0 to 1). The runs and the
search are in sim/studies/bisection.py; all runs go through the batch API
(``sim.runs.api.run_many``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from omegaconf import OmegaConf

from sim.runs.api import composed_config, run_many
from sim.spec.config import ConfigError
from sim.spec.paths import CONFIG_DIR
from sim.spec.tables import read_frame
from sim.spec.uncertainty import Range, Uncertainty, load_uncertainty
from sim.studies.bisection import (
    Comparison,
    Runs,
    Search,
    Setup,
    bisect,
    factor_of,
    located,
    own_parameters,
)
from sim.studies.sensitivity import Settings, morris

THRESHOLDS_FILE = "thresholds.csv"
TORNADO_FILE = "thresholds_tornado.png"
_STAMPED = re.compile(r"^\d{4}-\d\d-\d\d_\d\d-\d\d-\d\d_(.+)$")  # a results folder: <time>_<name>
COLUMNS = [
    "comparison", "parameter", "category", "base_value", "range_low", "range_high",
    "threshold_value", "threshold_low", "threshold_high", "effect_at_low", "effect_at_high",
    "source",
]  # fmt: skip


def study_grid(params: Mapping[str, str], scenario: str) -> tuple[list[str], list[tuple]]:
    """The scenarios and policy selections a study sweeps (``hydra.sweeper.params``).

    ``scenario``: the config's own scenario, when the study does not sweep scenarios.
    """
    from hydra.core.override_parser.overrides_parser import OverridesParser

    parser = OverridesParser.create()

    def values(key: str) -> list:
        if key not in params:
            return []
        override = parser.parse_override(f"{key}={params[key]}")
        if override.is_sweep_override():
            return list(override.sweep_iterator())
        return [override.value()]

    scenarios = [str(s) for s in values("scenario")] or [scenario]
    selections = []
    for item in values("policy"):
        names = tuple(str(n) for n in (item if isinstance(item, list) else [item]))
        if names not in selections:
            selections.append(names)
    return scenarios, selections


def comparisons(scenario: str, selections: list[tuple], means: Mapping[tuple, float]):
    """Each policy against the baseline and against the study's best (lowest ``means``
    among the policies that are not the baseline); a pair once."""
    base = ("baseline",)
    others = [s for s in selections if s != base]
    best = min(others, key=lambda s: means[s]) if others else None
    found: list[Comparison] = []
    for selection in others:
        for reference in (base, best):
            if reference in selections and reference != selection:
                if not any({c.policy, c.reference} == {selection, reference} for c in found):
                    found.append(Comparison(scenario, selection, reference))
    return found, best


def source_of(r: Range) -> str:
    """The range's SOURCES.md entry when its reason cites one, else ``assumption``."""
    return r.reason if r.reason.startswith("SOURCES.md") else "assumption"


def acting(uncertainty: Uncertainty, factor: str, policies: set[str]) -> bool:
    """Whether the factor moves a value of the scenario or of one of ``policies``."""
    for r in uncertainty.ranges:
        if r.factor != factor:
            continue
        for target in uncertainty.targets[r.name]:
            parts = target.split(".")
            if parts[0] != "policy" or parts[1] in policies:
                return True
    return False


def _ranking_from_file(path: Path, figure: str) -> list[str]:
    table = read_frame(path)
    key = "mu_star" if "mu_star" in table else "ST"
    rows = table[table["output"] == figure]
    if rows.empty:  # another output: each factor by its largest share of an output's top
        largest = table.groupby("output")[key].transform("max")
        rows = table.assign(**{key: table[key] / largest.where(largest > 0)})
    order = rows.groupby("parameter")[key].max().sort_values(ascending=False, kind="stable")
    return list(order.index)


def newest_sensitivity(directory: Path, scenario: str) -> Path | None:
    """The newest ``sensitivity.csv`` of ``scenario`` below ``directory`` (sim.sensitivity
    names its folders ``<time>_<scenario>``)."""
    found = [p for p in Path(directory).glob(f"*_{scenario}/sensitivity.csv") if p.is_file()]
    found = [p for p in found if _stamped(p.parent.name) == scenario]
    return max(found, key=lambda p: p.stat().st_mtime_ns) if found else None


def _stamped(folder: str) -> str | None:
    """The name after a ``<time>_`` folder stamp (``2026-12-07_19-30-00_NAME``)."""
    match = _STAMPED.match(folder)
    return match.group(1) if match else None


def screen(
    uncertainty: Uncertainty,
    selections: list[tuple],
    pairs: list[Comparison],
    runs: Runs,
    setup: Setup,
) -> dict[str, list[str]]:
    """A quick Morris screen of every comparison's paired difference: factors ranked."""
    reps = setup.screen_replications

    def evaluate(points: np.ndarray) -> dict[str, np.ndarray]:
        keys = [
            (sel, own_parameters(uncertainty.parameters(point), sel))
            for point in points
            for sel in selections
        ]
        values = runs.get(keys, reps)
        at = {}
        for i in range(len(points)):
            for j, sel in enumerate(selections):
                at[(i, sel)] = values[i * len(selections) + j]
        return {
            c.name: np.array([np.mean(at[(i, c.policy)] - at[(i, c.reference)])
                              for i in range(len(points))])
            for c in pairs
        }  # fmt: skip

    settings = Settings(setup.screen_samples, 4, 200, 0.95, setup.seed)
    table, _, _ = morris(uncertainty, evaluate, settings)
    return {
        c.name: list(table[table["output"] == c.name]["parameter"])  # ranked by mu*
        for c in pairs
    }


@dataclass
class Result:
    """What a scenario's analysis found (for the table, the report and the terminal)."""

    rows: list[dict]
    ranking: str  # where the ranking of the factors came from
    runs: int
    best: tuple | None


def analyse_scenario(
    scenario: str,
    selections: list[tuple],
    setup: Setup,
    top: int,
    named: list[str] | None,
    sensitivity_dir: Path,
    ranges: Path | None = None,
    run: Callable = run_many,
) -> Result:
    """The thresholds of every comparison of one scenario of a study."""
    names = sorted({p for sel in selections for p in sel})
    unresolved = composed_config(scenario, names)
    resolved = OmegaConf.to_container(OmegaConf.create(unresolved), resolve=True)
    directory, stem = (ranges.parent, ranges.stem) if ranges else (None, scenario)
    uncertainty = load_uncertainty(
        stem, directory or CONFIG_DIR / "uncertainty", resolved, unresolved
    )
    if named:
        unknown = [n for n in named if n not in uncertainty.factors]
        if unknown:
            raise ConfigError(
                f"thresholds.parameters: {unknown[0]!r} is no factor of scenario {scenario!r}'s "
                f"ranges; known: {', '.join(uncertainty.factors[:12])}"
                + (" ..." if len(uncertainty.factors) > 12 else ""),
                "thresholds.parameters",
            )
    runs = Runs(scenario, setup, run)
    base = dict(zip(selections, runs.get([(s, ()) for s in selections]), strict=True))
    pairs, best = comparisons(scenario, selections, {s: float(np.mean(v)) for s, v in base.items()})
    if named:
        ranked, ranking = {c.name: list(named) for c in pairs}, "named"
    else:
        file = newest_sensitivity(sensitivity_dir, scenario)
        if file is not None:
            order = _ranking_from_file(file, setup.figure)
            ranked, ranking = {c.name: order for c in pairs}, str(file)
        else:
            ranked, ranking = screen(uncertainty, selections, pairs, runs, setup), "morris"
    searches = []
    for c in pairs:
        policies = set(c.policy) | set(c.reference)
        chosen = [
            f for f in ranked[c.name]
            if f in uncertainty.factors and acting(uncertainty, f, policies)
        ]  # fmt: skip
        for f in chosen if named else chosen[:top]:
            searches.append(Search(c, factor_of(uncertainty, f)))
    bisect(searches, runs, uncertainty, setup.steps)
    rows = []
    for s in searches:
        u, low, high = located(s)
        f = s.factor
        rows.append(
            {
                "comparison": s.comparison.name,
                "parameter": f.name,
                "category": f.first.category,
                "base_value": f.base,
                "range_low": f.low,
                "range_high": f.high,
                "threshold_value": f.value(u) if not math.isnan(u) else math.nan,
                "threshold_low": f.value(low) if not math.isnan(low) else math.nan,
                "threshold_high": f.value(high) if not math.isnan(high) else math.nan,
                "effect_at_low": s.points[0.0][0],
                "effect_at_high": s.points[1.0][0],
                "source": source_of(f.first),
            }
        )
    return Result(rows, ranking, runs.count, best)


def check_settings(top: object, parameters: object, selections: list[tuple], study) -> None:
    """One-line errors for settings that cannot give a table."""
    if isinstance(top, bool) or not isinstance(top, int) or top < 1:
        raise ConfigError(f"thresholds.top = {top!r}: must be an integer >= 1", "thresholds.top")
    if parameters is not None and (
        not isinstance(parameters, list | tuple)
        or not parameters
        or not all(isinstance(p, str) for p in parameters)
    ):
        raise ConfigError(
            f"thresholds.parameters = {parameters!r}: a list of factor names of the ranges "
            "(e.g. [servers]), or null for the top ones",
            "thresholds.parameters",
        )
    if study is None:
        raise ConfigError(
            "experiment: none given; name a study with +experiment=NAME "
            "(e.g. +experiment=seconding_vs_training)",
            "experiment",
        )
    if len(selections) < 2:
        raise ConfigError(
            f"experiment {study!r}: it compares no policies (hydra.sweeper.params.policy "
            f"gives {len(selections)}); a study needs a baseline and a policy, or two policies",
            "experiment",
        )


def newest_thresholds(study_dir: Path) -> Path | None:
    """The newest ``python -m sim.thresholds`` folder of a study: by default the command
    writes ``results/thresholds/<time>_<study>`` beside the study's ``results/<study>``."""
    found = []
    for file in (Path(study_dir).parent / "thresholds").glob(f"*/{THRESHOLDS_FILE}"):
        if _stamped(file.parent.name) == Path(study_dir).name:
            found.append(file.parent)
    return max(found, key=lambda p: (p / THRESHOLDS_FILE).stat().st_mtime_ns) if found else None


def read_thresholds(study_dir: Path, folder: Path | None = None):
    """``(table, tornado plot)`` of a thresholds folder (the study's newest by default),
    for the study's report; None when there is none."""
    folder = folder or newest_thresholds(study_dir)
    if folder is None or not (Path(folder) / THRESHOLDS_FILE).is_file():
        return None
    from sim.spec.tables import read_frame

    table = read_frame(Path(folder) / THRESHOLDS_FILE)
    return table, Path(folder) / TORNADO_FILE
