"""The Hydra app: ``python -m sim.run [overrides]`` runs one job, ``-m`` sweeps.

Each job runs ``run.replications`` seeds of the scenario under the selected policies and
writes ``summary.json``, ``daily.csv``, ``backlog.png`` and ``report.html`` into its output
directory, and per-replication tables for paired comparisons (sim/runs/study_data.py).
A job that fails writes ``summary.json`` with ``"status": "error"`` and the message, so
a sweep's aggregation reports it instead of dropping it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import signal
import sys
import time
import traceback
from pathlib import Path

import hydra
import mesa  # noqa: F401 - here, not deep in the package's imports: see below
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException
from tqdm import tqdm

from sim.core.summary import FIELD_LINE, HEADLINE, format_value, shown_in
from sim.reports.caveats import replications_note
from sim.reports.figure_text import label, short, unit
from sim.reports.i18n import date as fdate
from sim.reports.i18n import language, localize, t
from sim.reports.labels import label as key_label
from sim.reports.labels import policy_words
from sim.runs.capacity import capacity_table
from sim.runs.job_check import check_job
from sim.runs.outputs import atomic_path, write_csv, write_json
from sim.runs.override_check import check_override_keys
from sim.runs.recovery import STATE, clear_outputs, completed_summary, sweep_exit_code
from sim.runs.replications import aggregate, mean_daily, run_replication
from sim.runs.schema import stamp
from sim.runs.study_data import write_replication_tables
from sim.runs.uncertain import sampled_job
from sim.runs.user_errors import (
    USER_ERROR,
    quiet_interrupts,
    run_command,
    user_message,
)
from sim.spec.config import ConfigError
from sim.spec.paths import CONFIG_DIR
from sim.spec.scenario import display_names

# Mesa reads the whole call stack's source (inspect.stack) while it is imported, which
# costs in proportion to the stack's depth: imported from sim.abm.model, five modules
# down, that was 0.1 to 0.3 CPU s of the command's start-up; from here, a third of it.
LOG = logging.getLogger("sim.run")  # run.log in the output folder keeps what it says


def run_job(cfg: DictConfig, out_dir: Path) -> dict:
    """Run one job from a composed config and write its outputs; returns the summary.

    Everything is checked before anything runs. With ``resume=true`` a job whose
    ``summary.json`` is complete for the same settings is skipped.
    """
    started = time.perf_counter()
    logging.getLogger("MESA").setLevel(logging.WARNING)  # Mesa logs every step at INFO
    try:
        container = OmegaConf.to_container(cfg, resolve=True)
        unresolved = OmegaConf.to_container(cfg, resolve=False)
    except OmegaConfBaseException as error:
        key = getattr(error, "full_key", None) or None
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise ConfigError(f"{key or 'config'}: could not be resolved: {reason}", key) from None
    job = check_job(container, unresolved, CONFIG_DIR)
    settings, spec, policy_cfg = job.settings, job.spec, job.policy_cfg
    sampled = sampled_job(job, container, unresolved)
    LOG.info(
        "job: scenario %s, policies %s, seed %d, %d replication(s) of %d days from %s "
        "(warm-up %d); config hash %s",
        spec.name,
        ", ".join(sorted(policy_cfg)),
        settings.seed,
        settings.replications,
        settings.days,
        settings.start_date,
        settings.warmup_days,
        job.config_hash,
    )
    for note in job.notes:
        print(f"note: {note}", file=sys.stderr)
        LOG.info("note: %s", note)
    if container.get("resume", False):
        done = completed_summary(out_dir, job.config_hash)
        if done is not None:
            print(f"resume: {out_dir} is complete; skipped", file=sys.stderr)
            return done
    clear_outputs(out_dir)
    summaries, frames, capacities = [], [], []
    total_days = settings.days * settings.replications * max(1, sampled.samples)
    with tqdm(
        total=total_days,
        desc=f"{spec.name}",
        unit="day",
        delay=0 if settings.progress is True else 3,
        disable=settings.progress is False,
        file=sys.stderr,
        leave=False,
    ) as bar:
        for replication, (run_spec, run_policies) in enumerate(sampled.runs()):
            summary, daily = run_replication(
                run_spec,
                run_policies,
                seed=settings.seed,
                replication=replication,
                days=settings.days,
                warmup_days=settings.warmup_days,
                start_date=settings.start_date,
                on_day=lambda: bar.update(1),
                workers=settings.workers,
                cluster=settings.cluster,
            )
            capacities.append(summary.pop("capacity", {}))  # capacity.csv, not summary.json
            summaries.append(summary)
            frames.append(daily)
            LOG.info(
                "replication %d of %d: %d dossiers received, %d resolved, %d open at the end",
                replication + 1,
                settings.replications * max(1, sampled.samples),
                summary["dossiers_created"],
                summary["dossiers_resolved"],
                summary["dossiers_open"],
            )
    result = {
        **stamp(),
        "status": "ok",
        "config_hash": job.config_hash,
        "scenario": spec.name,
        "policies": sorted(policy_cfg),
        "seed": settings.seed,
        "replications": settings.replications,
        "start_date": settings.start_date,
        "days": settings.days,
        "warmup_days": settings.warmup_days,
        "display_names": display_names(spec),
    }
    result.update(sampled.record())
    result.update(aggregate(summaries))
    capacity = capacity_table(aggregate([{"cells": c} for c in capacities])["cells"])
    daily = mean_daily(frames)
    out_dir.mkdir(parents=True, exist_ok=True)
    write_csv(out_dir / "daily.csv", daily)
    write_csv(out_dir / "capacity.csv", capacity)
    write_replication_tables(out_dir, settings.seed, summaries, frames, sampled.labels())
    if job.plots or job.report:  # matplotlib is slow to import: only for plots and reports
        from sim.reports.run_report import plot_backlog, write_run_report
    if job.plots:
        with atomic_path(out_dir / "backlog.png") as tmp:
            plot_backlog(
                daily,
                tmp,
                f"{spec.name}: {', '.join(result['policies'])} "
                f"({settings.replications} replication{'s' * (settings.replications > 1)})",
                spec.calendar,
            )
    if job.report:
        write_run_report(
            out_dir,
            result,
            daily,
            calendar_spec=spec.calendar,
            policy_cfg=policy_cfg,
            capacity=capacity,
            lang=job.language,
        )
    if job.excel:
        from sim.reports.excel import write_summary_xlsx

        with language(job.language):
            write_summary_xlsx(out_dir, result, daily)
    write_json(out_dir / "summary.json", result)  # last: its presence means complete
    STATE.finished = out_dir  # a stop asked for from now on leaves the job complete
    with language(job.language):
        table = format_table(result, out_dir, time.perf_counter() - started)
    LOG.info("outputs written; summary:\n%s", table)
    if job.table:
        print(table)
    return result


def format_table(summary: dict, out_dir: Path, seconds: float) -> str:
    """A short text table of the headline figures and the per-field on-time rates, in
    the current report language (``output.language``)."""
    ci = summary.get("ci95", {})
    reps = summary["replications"]
    lines = [
        t(
            "{scenario} | policies: {policies} | seed {seed} | {reps} replication(s) | "
            "{days} days from {start}",
            scenario=summary["scenario"],
            policies=policy_words(", ".join(summary["policies"])),
            seed=summary["seed"],
            reps=reps,
            days=summary["days"],
            start=fdate(dt.date.fromisoformat(summary["start_date"])),
        )
    ]
    for figure in shown_in(HEADLINE):
        text = localize(format_value(summary.get(figure.key), figure.kind))
        if ci.get(figure.key):
            low, high = (localize(format_value(v, figure.kind)) for v in ci[figure.key])
            text += "  " + t("(95% CI {low} to {high})", low=low, high=high)
        lines.append(f"  {t(label(figure)):<36}{text:>14}  {t(unit(figure))}")
    note = replications_note(summary.get("replications"), summary.get("replications_needed"))
    if note and summary.get("replications", 1) > 1:
        lines.append(f"  {t('note')}: {note}")
    columns = shown_in(FIELD_LINE)
    widths = [max(10, len(t(short(f))) + 2) for f in columns]
    lines.append(
        f"  {t('field'):<16}"
        + "".join(f"{t(short(f)):>{w}}" for f, w in zip(columns, widths, strict=True))
    )
    for field, figures in summary["by_field"].items():
        cells = (localize(format_value(figures.get(f.key), f.kind)) for f in columns)
        lines.append(
            f"  {key_label(field):<16}"
            + "".join(f"{c:>{w}}" for c, w in zip(cells, widths, strict=True))
        )
    lines.append("  " + t("outputs: {folder}  ({seconds} s)", folder=out_dir,
                          seconds=localize(f"{seconds:.1f}")))  # fmt: skip
    return "\n".join(lines)


def _is_multirun() -> bool:
    try:
        return HydraConfig.get().mode.name == "MULTIRUN"
    except ValueError:
        return False


class Interrupted(Exception):
    """The job was asked to stop (SIGTERM)."""


def _on_sigterm(signum: int, frame: object) -> None:
    raise Interrupted("interrupted by SIGTERM before the job finished")


def record_failure(out_dir: Path, error: BaseException) -> str:
    """Replace a failed job's outputs by ``summary.json`` with status error; the message."""
    config_error = isinstance(error, ConfigError)
    interrupted = isinstance(error, Interrupted)
    message = str(error) if config_error or interrupted else repr(error)
    kind = "config" if config_error else "interrupted" if interrupted else "internal"
    summary = {**stamp(), "status": "error", "error": message, "error_kind": kind}
    try:
        summary["overrides"] = list(HydraConfig.get().overrides.task)
    except ValueError:
        pass
    if kind == "internal":
        summary["traceback"] = traceback.format_exc()
    clear_outputs(out_dir)
    write_json(out_dir / "summary.json", summary)
    return message


@hydra.main(version_base="1.3", config_path=str(CONFIG_DIR), config_name="config")
def main(cfg: DictConfig) -> None:
    out_dir = Path(HydraConfig.get().runtime.output_dir)
    quiet_interrupts()  # in a sweep's worker process too
    STATE.finished = None
    try:
        run_job(cfg, out_dir)
    except KeyboardInterrupt:
        if STATE.finished != out_dir:
            with contextlib.suppress(OSError):
                record_failure(out_dir, Interrupted("interrupted by Ctrl-C"))
        raise  # the command prints one line for the run or the sweep (user_errors)
    except Exception as error:  # a job reports its failure instead of vanishing
        complete = isinstance(error, Interrupted) and STATE.finished == out_dir
        try:  # a job stopped after its summary.json was written stays complete
            message = str(error) if complete else record_failure(out_dir, error)
        except OSError:  # the output folder itself cannot be written
            message = str(error)
        mine = user_message(error)
        message = mine if mine is not None else message
        LOG.info("job failed: %s", message)  # run.log only: the terminal gets one line
        if cfg.get("verbose", False) is True:
            traceback.print_exc()
        print(f"error: {message}", file=sys.stderr)
        if isinstance(error, Interrupted):
            raise SystemExit(143) from None
        if mine is None:
            print("(an internal error: rerun with verbose=true for the traceback)", file=sys.stderr)
        if not _is_multirun():
            sys.exit(USER_ERROR if mine is not None else 1)


USAGE = """\
usage: python -m sim.run [KEY=VALUE ...]        one run (outputs: results/runs/<time>_<scenario>/)
       python -m sim.run -m +experiment=NAME    a study, a sweep compared in results/NAME/

Common settings (KEY=VALUE, no spaces around =):
  scenario=NAME                 where (list below)
  policy=[NAME,NAME]            what is tried (list below; policy=[baseline] by default)
  policy.NAME.KEY=VALUE         a policy's setting, e.g. policy.second_staff.count=8
  {defaults}
  scenario.communes_file=PATH   your own communes from a CSV (template below)
  hydra.run.dir=DIR             where the outputs go
  output.report=false output.plots=false output.table=false
"""
MORE = """\
More: README.md ("First hour" guide, then every parameter with its source). The full
config with every key: python -m sim.run --cfg job. Hydra's own options: --hydra-help.\
"""


def short_help() -> str:
    """What ``--help`` prints: usage, common settings, what there is to run (sim.info)."""
    from sim.spec.listing import listing

    top = OmegaConf.load(Path(CONFIG_DIR) / "config.yaml")
    keys = ("run.days", "run.start_date", "run.replications", "seed")
    defaults = " ".join(f"{key}={OmegaConf.select(top, key)}" for key in keys) + "  (defaults)"
    return f"{USAGE.format(defaults=defaults)}\n{listing()}\n\n{MORE}"


def cli(args: list[str] | None = None) -> int:
    """Entry point: exit 0 when all went well, 2 for a config error, 1 otherwise.

    Hydra exits 1 when it cannot compose the config (unknown key or option); that is a
    config error too, so it becomes 2. A sweep whose jobs failed exits non-zero.
    """
    args = sys.argv[1:] if args is None else args
    if "--help" in args or "-h" in args:
        print(short_help())
        return 0
    STATE.started, STATE.failed, STATE.sweep_dir = False, [], None
    problem = check_override_keys(args, CONFIG_DIR)
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return USER_ERROR
    signal.signal(signal.SIGTERM, _on_sigterm)
    code = run_command(
        main,
        args,
        Path(CONFIG_DIR),
        sweep_dir=lambda: STATE.sweep_dir,
        started=lambda: STATE.started,
    )
    return code or sweep_exit_code()


if __name__ == "__main__":
    sys.exit(cli())
