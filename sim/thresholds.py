"""The Hydra app ``python -m sim.thresholds +experiment=NAME``: what would change a study's answer.

For each comparison of the study (each policy against the baseline and against the
study's best policy, per scenario) it moves the ``thresholds.top`` factors that matter
most (``thresholds.parameters`` names them instead) one at a time across their ranges
(configs/uncertainty/) with common random numbers, and where the comparison's sign
changes inside a range, locates the switching value by bisection with its interval
(sim/studies/thresholds.py). It writes into its output folder (``hydra.run.dir``)
``thresholds.csv``, ``thresholds_tornado.png`` and ``thresholds.md``, and, when the study
has been run (``results/NAME/comparison.csv``), rewrites the study's report with the
section "what would change this answer".
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

import hydra
import pandas as pd
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig, OmegaConf

from sim.reports.i18n import language, t
from sim.reports.thresholds_report import markdown, plot_tornado, scenario_note, sentences
from sim.runs.outputs import atomic_write_text
from sim.runs.user_errors import one_line_errors, run_command, say
from sim.spec.config import ConfigError
from sim.spec.paths import CONFIG_DIR
from sim.studies.thresholds import (
    COLUMNS,
    THRESHOLDS_FILE,
    TORNADO_FILE,
    Setup,
    analyse_scenario,
    check_settings,
    study_grid,
)

KEYS = {
    "top", "parameters", "figure", "steps", "sensitivity_dir", "screen_samples",
    "screen_replications", "ranges",
}  # fmt: skip


def _setup(cfg: DictConfig) -> Setup:
    s, run = cfg.thresholds, cfg.run
    for key in ("steps", "screen_samples", "screen_replications"):
        value = s[key]
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ConfigError(f"thresholds.{key} = {value!r}: must be an integer >= 1")
    return Setup(
        days=int(run.days),
        warmup_days=int(run.warmup_days),
        start_date=str(run.start_date),
        seed=int(cfg.seed),
        replications=int(run.replications),
        workers=int(run.workers),
        figure=str(s.figure),
        steps=int(s.steps),
        screen_samples=int(s.screen_samples),
        screen_replications=int(s.screen_replications),
        progress=run.progress is True,
    )


def run_thresholds(cfg: DictConfig, out_dir: Path) -> tuple[pd.DataFrame, list[str]]:
    """Every scenario of the study: the table, written with its plot and notes."""
    s = cfg.thresholds
    unknown = sorted(set(s) - KEYS)
    if unknown:
        raise ConfigError(f"thresholds.{unknown[0]}: unknown key; known: {', '.join(sorted(KEYS))}")
    swept = HydraConfig.get().sweeper.get("params")
    params = OmegaConf.to_container(swept) if swept is not None else {}
    scenarios, selections = study_grid({k: str(v) for k, v in params.items()}, cfg.scenario.name)
    named = OmegaConf.to_container(s.parameters) if s.parameters is not None else None
    check_settings(s.top, named, selections, cfg.get("study"))
    setup = _setup(cfg)
    ranges = Path(str(s.ranges)) if s.ranges is not None else None
    if ranges is not None and not ranges.is_file():
        raise ConfigError(f"thresholds.ranges = {s.ranges!r}: no such file", "thresholds.ranges")
    rows, notes = [], []
    for scenario in scenarios:
        result = analyse_scenario(
            scenario, selections, setup, int(s.top), named, Path(str(s.sensitivity_dir)), ranges
        )
        rows += result.rows
        notes.append((scenario, result.best, result.ranking, result.runs))
    table = pd.DataFrame(rows, columns=COLUMNS)
    out_dir.mkdir(parents=True, exist_ok=True)
    atomic_write_text(out_dir / THRESHOLDS_FILE, table.to_csv(index=False, float_format="%.6g"))
    lang = str(cfg.output.language)
    with language(lang):
        lines = [scenario_note(*note) for note in notes]
        found = sentences(table)
        if len(table):
            plot_tornado(table, out_dir / TORNADO_FILE, str(s.figure))
        atomic_write_text(out_dir / "thresholds.md", markdown(str(cfg.study), lines, found))
        study_dir = Path(str(HydraConfig.get().sweep.dir))
        if (study_dir / "comparison.csv").is_file():
            from sim.studies.analysis import analyse

            analyse(study_dir, language=lang, thresholds=out_dir, out=io.StringIO())
            lines.append(t("report: {path}", path=study_dir / "report.html"))
        lines += found
        lines.append("  " + t("outputs: {folder}", folder=out_dir))
    return table, lines


@hydra.main(version_base="1.3", config_path=str(CONFIG_DIR), config_name="thresholds")
def main(cfg: DictConfig) -> None:
    out_dir = Path(HydraConfig.get().runtime.output_dir)
    verbose = cfg.get("verbose", False) is True
    with one_line_errors(verbose):  # runs that failed: one line (exit 2 when refused)
        _, lines = run_thresholds(cfg, out_dir)
    for line in lines:
        say(line)


def cli(args: list[str] | None = None) -> int:
    """Entry point: 0 when all went well, 2 for a user's error, 1 otherwise."""
    return run_command(main, sys.argv[1:] if args is None else args, CONFIG_DIR)


if __name__ == "__main__":
    sys.exit(cli())
