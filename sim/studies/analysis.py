"""Sweep aggregation: compare every policy with the baseline, pair by pair.

``python -m sim.analysis results/NAME`` (also run by a Hydra callback at the end of an
experiment sweep) reads every job folder below ``results/NAME``, and writes

* ``comparison.csv``: one row per policy x scenario (x any other swept setting): the
  mean of each figure over replications with its 95% confidence interval, the paired
  difference to the baseline job of the same scenario and setting with its 95%
  interval (replication r of both saw the same demand: common random numbers), and the
  cost per overdue dossier averted;
* ``backlog_trajectories.png``, ``on_time_rate.png``, ``overdue_heatmap.png``
  (sim/reports/study_plots.py);
* ``report.html``: a self-contained report of the study (sim/reports/study_report.py).

Jobs that failed (``"status": "error"`` in summary.json) or left no summary are listed
in the table with their error and left out of the figures; the rest is still compared.
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from hydra.experimental.callback import Callback

from sim.core.stats import mean_interval, paired_differences
from sim.core.summary import STUDY, bounds_of, shown_in
from sim.reports.i18n import t
from sim.runs.outputs import LANGUAGES, atomic_write_text, read_json
from sim.runs.study_data import (
    DAILY_FILE,
    REPLICATIONS_FILE,
    Job,
    study_language,
    summary_figure,
)
from sim.spec.tables import read_frame

COMPARISON_FILE = "comparison.csv"
PLOT_FILES = ("backlog_trajectories.png", "on_time_rate.png", "overdue_heatmap.png")
ROBUST_PLOT = "robust_effects.png"
# figures compared (columns of replications.csv); overdue_dossiers is derived from two
FIGURES = tuple(f.key for f in shown_in(STUDY))
# override keys that do not make a different setting: they name the job's policy or
# scenario, or change only how many pairs there are or how a job reports
NOT_SETTINGS = (
    "scenario",
    "experiment",
    "policy",
    "run.replications",
    "run.progress",
    "verbose",
    "resume",
)


def _overrides(path: Path) -> list[str]:
    file = path / ".hydra" / "overrides.yaml"
    if not file.exists():
        return []
    return [str(o) for o in yaml.safe_load(file.read_text(encoding="utf-8")) or []]


def _labels(path: Path, summary: dict) -> tuple[str, str, str]:
    """Scenario, policy label and other settings of a job, from its overrides."""
    scenario = summary.get("scenario", "")
    policy = "+".join(summary.get("policies", []))
    policy_params, settings = [], []
    for override in _overrides(path):
        key, _, value = override.lstrip("+~").partition("=")
        if key == "policy":
            policy = "+".join(v.strip() for v in value.strip("[]").split(",") if v.strip())
        elif key.startswith("policy."):
            policy_params.append(f"{key[len('policy.') :]}={value}")
        elif key == "scenario" and not scenario:
            scenario = value
        elif key not in NOT_SETTINGS and not key.startswith(("hydra.", "output.")):
            settings.append(f"{key}={value}")
    if policy_params:
        policy += " (" + ", ".join(sorted(policy_params)) + ")"
    if not scenario:
        config = path / ".hydra" / "config.yaml"
        if config.exists():
            data = yaml.safe_load(config.read_text(encoding="utf-8")) or {}
            scenario = str((data.get("scenario") or {}).get("name", ""))
    return scenario, policy or "?", ", ".join(sorted(settings))


def read_jobs(sweep_dir: Path) -> list[Job]:
    """Every job below ``sweep_dir``: a folder with summary.json or a Hydra record."""
    folders = {p.parent for p in sweep_dir.rglob("summary.json")}
    folders |= {p.parent.parent for p in sweep_dir.rglob(".hydra/overrides.yaml")}
    jobs = []
    for path in sorted(folders):
        summary_file = path / "summary.json"
        summary = read_json(summary_file) if summary_file.exists() else {}
        scenario, policy, setting = _labels(path, summary)
        if not summary:
            job = Job(path, "missing", "no summary.json (the job did not finish)")
        elif summary.get("status") != "ok":
            job = Job(path, "error", str(summary.get("error", "unknown error")))
        else:
            job = Job(path, "ok", summary=summary)
            table = path / REPLICATIONS_FILE
            if table.exists():
                job.replications = read_frame(table)
        job.scenario, job.policy, job.setting = scenario, policy, setting
        jobs.append(job)
    return jobs


def _written_ns(job: Job) -> int:
    """When the job last ran: Hydra rewrites its record at every launch, resumed or not."""
    for name in (".hydra/overrides.yaml", "summary.json"):
        file = job.path / name
        if file.exists():
            return file.stat().st_mtime_ns
    return 0


def latest_jobs(jobs: list[Job], sweep_dir: Path, every_sweep: bool = False):
    """The jobs to compare, and those left out, with the reason.

    A study folder keeps the jobs of every sweep run into it; a rerun with other
    overrides (fewer replications, another seed) must not mix with the first run's
    jobs. Only the jobs launched by the latest sweep (``multirun.yaml`` is rewritten when
    a sweep starts) are compared, unless ``every_sweep``; of jobs with the same scenario,
    setting and policy only the newest is kept.
    """
    marker = Path(sweep_dir) / "multirun.yaml"
    kept, left_out = list(jobs), []
    if marker.exists() and not every_sweep:
        started = marker.stat().st_mtime_ns
        kept = [j for j in jobs if _written_ns(j) >= started]
        left_out = [(j, "from an earlier sweep into this folder") for j in jobs if j not in kept]
    newest: dict[tuple[str, str, str], Job] = {}
    for job in sorted(kept, key=_written_ns):
        label = (job.scenario, job.setting, job.policy)
        if label in newest:
            left_out.append((newest[label], "replaced by a newer job with the same settings"))
        newest[label] = job
    return [j for j in kept if newest.get((j.scenario, j.setting, j.policy)) is j], left_out


def figure_values(job: Job, figure: str) -> np.ndarray:
    """Per-replication values of a figure (prefix ``by_field.F.`` for a field's)."""
    table = job.replications
    if table is None:  # an older job without the table: its mean only
        return np.array([summary_figure(job.summary, figure)], dtype=float)
    prefix, _, name = figure.rpartition(".")
    prefix = prefix + "." if prefix else ""
    if name == "overdue_dossiers":
        late, open_ = f"{prefix}dossiers_late", f"{prefix}overdue_open"
        if late in table and open_ in table:
            return (table[late] + table[open_]).to_numpy(dtype=float)
        return np.full(len(table), np.nan)
    if figure not in table:
        return np.full(len(table), np.nan)
    return table[figure].to_numpy(dtype=float)


def paired(job: Job, base: Job, figure: str) -> tuple[float, float, float]:
    """Mean paired difference job - baseline over their common replications, with its CI.

    Replication r has the same seed whatever the job's replication count, so two jobs
    with 12 and 20 replications pair over the first 12.
    """
    diffs = paired_differences(figure_values(job, figure), figure_values(base, figure))
    if job.replications is None or base.replications is None:
        return (float(diffs[0]) if len(diffs) else math.nan), math.nan, math.nan
    return mean_interval(diffs)


def _pairing_problem(job: Job, base: Job) -> str:
    for key in ("seed", "days", "start_date", "warmup_days", "uncertainty"):
        if job.summary.get(key) != base.summary.get(key):
            return (
                f"not paired with the baseline: {key} = {job.summary.get(key)!r} here, "
                f"{base.summary.get(key)!r} in the baseline"
            )
    return ""


def compare(jobs: list[Job], fields: list[str]) -> pd.DataFrame:
    """The comparison table: one row per job (policy x scenario x setting)."""
    baselines = {j.group: j for j in jobs if j.ok and j.policy == "baseline"}
    figures = list(FIGURES) + [f"by_field.{f}.overdue_dossiers" for f in fields]
    rows = []
    order = sorted(jobs, key=lambda j: (j.scenario, j.setting, j.policy != "baseline", j.policy))
    for job in order:
        row: dict = {
            "scenario": job.scenario,
            "setting": job.setting,
            "policy": job.policy,
            "status": job.status,
            "error": job.error,
            "replications": job.summary.get("replications", math.nan),
            "folder": job.path.name,
        }
        base = baselines.get(job.group)
        note = ""
        if job.ok and base is None:
            note = "no baseline job for this scenario and setting"
        elif job.ok:
            note = _pairing_problem(job, base)
        row["note"] = note
        for figure in figures:
            values = figure_values(job, figure) if job.ok else []
            mean, low, high = mean_interval(values, bounds=bounds_of(figure))
            row[f"{figure}"] = mean
            row[f"{figure}_ci_low"] = low
            row[f"{figure}_ci_high"] = high
            if job.ok and base is not None and not note:
                diff, d_low, d_high = paired(job, base, figure)
            else:
                diff = d_low = d_high = math.nan
            row[f"{figure}_diff"] = diff
            row[f"{figure}_diff_ci_low"] = d_low
            row[f"{figure}_diff_ci_high"] = d_high
        averted = -row["overdue_dossiers_diff"]
        extra_cost = row["policy_cost_vnd_diff"]
        row["overdue_averted"] = averted
        row["cost_per_overdue_averted_vnd"] = (
            extra_cost / averted if averted > 0 and math.isfinite(extra_cost) else math.nan
        )
        rows.append(row)
    return pd.DataFrame(rows)


def analyse(
    sweep_dir: Path,
    plots: bool = True,
    out=None,
    every_sweep: bool = False,
    language: str = "en",
    thresholds: Path | None = None,
) -> pd.DataFrame:
    """Write comparison.csv and .xlsx, the plots and the report; returns the table.

    Only the latest sweep's jobs are compared unless ``every_sweep`` (see latest_jobs).
    ``language`` is the language of the report and of the workbook's sheet name (en, vi).
    ``thresholds``: a ``python -m sim.thresholds`` folder for the report's section "what
    would change this answer"; by default the study's newest one (newest_thresholds).
    The printed lines, the workbook, the figures and the report are all in ``language``.
    """
    from sim.reports.i18n import language as in_language

    with in_language(language):
        return _analyse(sweep_dir, plots, out, every_sweep, language, thresholds)


def _analyse(sweep_dir, plots, out, every_sweep, language, thresholds) -> pd.DataFrame:
    sweep_dir = Path(sweep_dir)
    jobs = read_jobs(sweep_dir)
    if not jobs:
        raise FileNotFoundError(f"{sweep_dir}: no job folders (summary.json) found")
    jobs, left_out = latest_jobs(jobs, sweep_dir, every_sweep)
    fields = sorted({f for j in jobs if j.ok for f in j.summary.get("by_field", {})})
    table = compare(jobs, fields)
    atomic_write_text(sweep_dir / COMPARISON_FILE, table.to_csv(index=False, float_format="%.6g"))
    from sim.reports.excel import write_comparison_xlsx

    write_comparison_xlsx(sweep_dir, table)
    if plots:
        from sim.reports.study_plots import plot_backlog_bands, plot_on_time, plot_overdue_heatmaps

        good = [j for j in jobs if j.ok]
        if good:
            plot_backlog_bands(good, sweep_dir / "backlog_trajectories.png", DAILY_FILE)
            plot_on_time(table[table["status"] == "ok"], sweep_dir / "on_time_rate.png")
            plot_overdue_heatmaps(good, sweep_dir / "overdue_heatmap.png")
    robust = write_robust(jobs, sweep_dir, plots)
    from sim.reports.study_report import write_study_report

    pngs = [sweep_dir / n for n in (*PLOT_FILES, ROBUST_PLOT)]
    from sim.studies.thresholds import read_thresholds

    write_study_report(
        sweep_dir,
        table,
        [p for p in pngs if p.is_file()] if plots else [],
        lang=language,
        robust=robust,
        thresholds=read_thresholds(sweep_dir, thresholds),
    )
    from sim.reports.study_report import study_lines

    text = study_lines(table, sweep_dir / COMPARISON_FILE)
    if left_out:
        text += "\n  " + t(
            "left out {count} older job(s): {reasons} (e.g. {folder}); `{command}` compares "
            "every job in the folder, or give the rerun its own hydra.sweep.dir",
            count=len(left_out),
            reasons="; ".join(sorted({t(reason) for _, reason in left_out})),
            folder=left_out[0][0].path.name,
            command=f"python -m sim.analysis {sweep_dir} --all",
        )
    print(text, file=out or sys.stdout)
    return table


def write_robust(jobs: list[Job], sweep_dir: Path, plots: bool):
    """robust.csv, robust_drivers.csv (and the plot) when the jobs ran over a sample of the
    ranges; returns both tables for the report, or None."""
    from sim.studies.robust import DRIVERS_FILE, ROBUST_FILE, robust_tables

    found = robust_tables([j for j in jobs if j.ok])
    stale = [sweep_dir / n for n in (ROBUST_FILE, DRIVERS_FILE, ROBUST_PLOT)]
    if found is None:
        for path in stale:  # from an earlier sampled sweep into this folder
            path.unlink(missing_ok=True)
        return None
    summary, drivers, tables = found
    atomic_write_text(sweep_dir / ROBUST_FILE, summary.to_csv(index=False, float_format="%.6g"))
    atomic_write_text(sweep_dir / DRIVERS_FILE, drivers.to_csv(index=False, float_format="%.6g"))
    if plots:
        from sim.reports.robust_report import plot_robust_effects

        plot_robust_effects(tables, sweep_dir / ROBUST_PLOT)
    return summary, drivers


class AnalyseSweep(Callback):
    """Hydra callback: analyse the sweep folder when a multirun ends."""

    def __init__(self, plots: bool = True) -> None:
        self.plots = plots

    def on_multirun_end(self, config, **kwargs) -> None:
        output = config.get("output") or {}
        analyse(
            Path(str(config.hydra.sweep.dir)),
            plots=self.plots,
            language=str(output.get("language", "en")),
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m sim.analysis", description="Compare the jobs of a sweep folder."
    )
    parser.add_argument("sweep_dir", type=Path, help="e.g. results/seconding_vs_training")
    parser.add_argument(
        "settings",
        nargs="*",
        metavar="output.language=vi",
        help="the language as for the other commands (output.language=en or vi)",
    )
    parser.add_argument("--no-plots", action="store_true", help="write comparison.csv only")
    parser.add_argument(
        "--all",
        action="store_true",
        help="compare the jobs of every sweep run into the folder, not only the latest",
    )
    parser.add_argument(
        "--language",
        choices=LANGUAGES,
        default=None,
        help="language of the report and the lines printed (default: the study's own)",
    )
    args = parser.parse_intermixed_args(argv)  # settings before or after options
    language = args.language
    for setting in args.settings:
        key, _, value = setting.partition("=")
        if key == "output.language" and value in LANGUAGES:
            language = value
        elif key != "output.excel":  # the study's workbook is always written
            print(
                f"error: {setting}: not a setting of sim.analysis; write "
                f"output.language={' or output.language='.join(LANGUAGES)}",
                file=sys.stderr,
            )
            return 2
    if not args.sweep_dir.is_dir():
        print(f"error: {args.sweep_dir}: not a folder", file=sys.stderr)
        return 2
    try:
        analyse(
            args.sweep_dir,
            plots=not args.no_plots,
            every_sweep=args.all,
            language=language or study_language(args.sweep_dir),
        )
    except OSError as error:  # no job folders, or a folder that cannot be written
        from sim.runs.user_errors import os_error_line

        print(f"error: {os_error_line(error) or error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
