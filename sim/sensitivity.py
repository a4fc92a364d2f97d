"""The Hydra app ``python -m sim.sensitivity``: what a scenario's answers depend on.

Samples the scenario's assumptions over their plausible ranges (configs/uncertainty/),
runs the model at every sample through the batch API (``sim.api.run_many``: a local pool
of ``run.workers``, or a Dask cluster at ``run.cluster`` or ``sensitivity.address``;
``sensitivity.store`` keeps finished runs so that an interrupted analysis resumes), and
writes into its output folder ``sensitivity.csv`` (Morris: ``output, parameter,
category, mu_star, mu_star_conf, sigma``; Sobol: ``output, parameter, category, S1,
S1_conf, ST, ST_conf``), ``morris.csv`` (the screening before Sobol), ``samples.csv``
(every sample's factors and outputs), the plots ``sensitivity_morris.png`` and
``sensitivity_bars.png``, and ``sensitivity.md``.

Every sample runs the same seeds (``seed``, replications ``0..R-1``; common random
numbers) and averages them, so that two samples differ by their factors only.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import hydra
import numpy as np
import pandas as pd
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig, OmegaConf

from sim.reports.i18n import t
from sim.reports.outputs import speaking, write_outputs
from sim.reports.sensitivity_report import (
    factor_words,
    plot_bars,
    plot_morris,
    top_sentences,
    write_report,
)
from sim.runs.api import RunSpec, run_many
from sim.runs.user_errors import one_line_errors, run_command, say
from sim.spec.config import ConfigError
from sim.spec.paths import CONFIG_DIR
from sim.spec.uncertainty import load_uncertainty
from sim.studies.sensitivity import (
    MORRIS_COLUMNS,
    SOBOL_COLUMNS,
    Settings,
    kept_factors,
    morris,
    noise_floor,
    restricted,
    sobol,
)

KEYS = {
    "method", "outputs", "samples", "screening_samples", "replications", "levels",
    "keep_fraction", "keep_top", "resamples", "store", "address",
}  # fmt: skip


def _output(summary: dict, name: str) -> float:
    """A summary figure by dotted name (``by_field.land.on_time_rate``); NaN when absent."""
    value = summary
    for part in name.split("."):
        if not isinstance(value, dict) or part not in value:
            return float("nan")
        value = value[part]
    return float(value) if isinstance(value, int | float) else float("nan")


class ModelEvaluation:
    """``evaluate(points)`` for the analyses: the model at each point, seeds averaged."""

    def __init__(self, cfg: DictConfig, uncertainty, outputs: list[str]) -> None:
        self.cfg, self.uncertainty, self.outputs = cfg, uncertainty, outputs
        raw = OmegaConf.to_container(cfg, resolve=False)
        self.scenario = raw["scenario"]
        self.policies = tuple((name, config) for name, config in (raw.get("policy") or {}).items())
        self.runs = 0
        self.replicates: dict[str, np.ndarray] = {}

    def __call__(self, points: np.ndarray) -> dict[str, np.ndarray]:
        s, run = self.cfg.sensitivity, self.cfg.run
        seeds = int(s.replications)
        top_level = tuple(dict.fromkeys(name.split(".")[0] for name in self.outputs))
        specs = [
            RunSpec(
                scenario=self.scenario,
                policies=self.policies,
                parameters=self.uncertainty.parameters(point),
                days=int(run.days),
                warmup_days=int(run.warmup_days),
                start_date=str(run.start_date),
                seed=int(self.cfg.seed),
                replication=replication,
                outputs=top_level,
            )
            for point in points
            for replication in range(seeds)
        ]
        summaries = run_many(
            specs,
            workers=int(run.workers),
            store=s.store,
            address=s.address or run.get("cluster"),
            progress=True,
        )
        self.runs += len(specs)
        result = {}
        for name in self.outputs:
            values = np.array([_output(x, name) for x in summaries]).reshape(len(points), seeds)
            self.replicates[name] = values
            result[name] = values.mean(axis=1)
        return result


def _settings(cfg: DictConfig, samples: int) -> Settings:
    s = cfg.sensitivity
    return Settings(samples, int(s.levels), int(s.resamples), 0.95, int(cfg.seed))


def _check(cfg: DictConfig) -> None:
    s = cfg.sensitivity
    unknown = sorted(set(s) - KEYS)
    if unknown:
        raise ConfigError(
            f"sensitivity.{unknown[0]}: unknown key; known: {', '.join(sorted(KEYS))}"
        )
    if s.method not in ("morris", "sobol"):
        raise ConfigError(f"sensitivity.method = {s.method!r}: must be morris or sobol")
    for key in ("samples", "screening_samples", "replications", "levels", "keep_top"):
        value = s[key]
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ConfigError(f"sensitivity.{key} = {value!r}: must be an integer >= 1")
    if not s.outputs or not all(isinstance(o, str) for o in s.outputs):
        raise ConfigError(f"sensitivity.outputs = {s.outputs!r}: a list of summary.json keys")


def run_analysis(cfg: DictConfig, out_dir: Path) -> pd.DataFrame:
    """Run the analysis ``cfg.sensitivity`` asks for and write its files into ``out_dir``."""
    started = time.perf_counter()
    _check(cfg)
    s = cfg.sensitivity
    resolved = OmegaConf.to_container(cfg, resolve=True)
    unresolved = OmegaConf.to_container(cfg, resolve=False)
    name = resolved["scenario"]["name"]
    uncertainty = load_uncertainty(name, CONFIG_DIR / "uncertainty", resolved, unresolved)
    outputs = list(s.outputs)
    evaluate = ModelEvaluation(cfg, uncertainty, outputs)
    out_dir.mkdir(parents=True, exist_ok=True)
    samples = int(s.samples if s.method == "morris" else s.screening_samples)
    screening, points, values = morris(uncertainty, evaluate, _settings(cfg, samples))
    table, kept, sampled = screening, None, uncertainty
    if s.method == "sobol":
        screening[MORRIS_COLUMNS].to_csv(out_dir / "morris.csv", index=False)
        kept = kept_factors(screening, float(s.keep_fraction), int(s.keep_top))
        if not kept:
            raise ConfigError("sensitivity: Morris screening kept no factor (every mu* is 0)")
        sampled = restricted(uncertainty, kept)
        evaluate.uncertainty = sampled  # Sobol's points have one coordinate per kept factor
        table, points, values = sobol(sampled, evaluate, _settings(cfg, int(s.samples)))
    columns = MORRIS_COLUMNS if s.method == "morris" else SOBOL_COLUMNS
    table[columns].to_csv(out_dir / "sensitivity.csv", index=False)
    frame = pd.DataFrame(points, columns=[f"u:{f}" for f in sampled.factors])
    for output, column in values.items():
        frame[output] = column
    frame.to_csv(out_dir / "samples.csv", index=False)
    plot_morris(screening, out_dir / "sensitivity_morris.png")
    plot_bars(table, out_dir / "sensitivity_bars.png", s.method)
    noise = {k: noise_floor(v, int(s.levels)) for k, v in evaluate.replicates.items()}
    bases = {output: float(np.nanmean(column)) for output, column in values.items()}
    with speaking(resolved.get("output")):  # for the terminal, in output.language
        table.attrs["sentences"] = top_sentences(table, s.method, bases)
        table.attrs["outputs"] = t("outputs: {folder}", folder=out_dir)
    write_outputs(
        out_dir,
        resolved.get("output"),
        report=lambda: _report(out_dir, table, s, resolved, cfg, name, screening, kept,
                               evaluate, started, noise, uncertainty, bases),
        workbook="sensitivity.xlsx",
        sheets=lambda: {  # the factor in words beside its key
            "sensitivity": table[columns].assign(
                factor=[factor_words(p) for p in table["parameter"]]
            )
        },
        names=None,
    )  # fmt: skip
    return table


def _report(out_dir, table, s, resolved, cfg, name, screening, kept, evaluate, started, noise,
            uncertainty, bases) -> None:  # fmt: skip
    write_report(
        out_dir / "sensitivity.md",
        scenario=name,
        policies=list(resolved.get("policy") or {}),
        method=s.method,
        settings={**OmegaConf.to_container(s), **OmegaConf.to_container(cfg.run)},
        table=table,
        screening=screening if s.method == "sobol" else None,
        kept=kept,
        runs=evaluate.runs,
        seconds=time.perf_counter() - started,
        noise=noise,
        not_sampled=list(uncertainty.not_sampled),
        factors=len(uncertainty.factors),
        sentences=top_sentences(table, s.method, bases),
    )


@hydra.main(version_base="1.3", config_path=str(CONFIG_DIR), config_name="sensitivity")
def main(cfg: DictConfig) -> None:
    out_dir = Path(HydraConfig.get().runtime.output_dir)
    verbose = cfg.get("verbose", False) is True
    with one_line_errors(verbose):  # runs that failed: one line (exit 2 when refused)
        try:
            table = run_analysis(cfg, out_dir)
        except ValueError as error:  # SALib's and the ranges' checks of the settings
            raise ConfigError(str(error)) from error
    for sentence in table.attrs["sentences"]:
        say(sentence)
    say(f"  {table.attrs['outputs']}")


def cli(args: list[str] | None = None) -> int:
    """Entry point: 0 when all went well, 2 for a user's error, 1 otherwise."""
    return run_command(main, sys.argv[1:] if args is None else args, CONFIG_DIR)


if __name__ == "__main__":
    sys.exit(cli())
