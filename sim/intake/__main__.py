"""The Hydra app: ``python -m sim.intake intake.log=PATH scenario=NAME``.

Reads a one-stop shop's dossier log (sim/intake) and writes into its folder
(``hydra.run.dir``): ``history.csv`` and ``open_dossiers.csv`` as ``sim.forecast``
reads them, ``procedures.csv``, ``arrivals.csv``, ``intake.json`` (what was read, and
every row that could not be used) and ``report.html``. A row that cannot be used is
skipped and listed; the last line says how many. ``intake.strict=true`` makes any such
row an error. Errors: one line on stderr, exit 2.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import hydra
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig, OmegaConf

from sim.intake import read_log
from sim.reports.i18n import date as fdate
from sim.reports.i18n import number, t
from sim.reports.intake_report import write_intake_report
from sim.reports.outputs import speaking
from sim.runs.outputs import write_csv, write_json
from sim.spec.config import ConfigError
from sim.spec.paths import CONFIG_DIR
from sim.spec.scenario import ScenarioSpec


def run_intake(cfg: DictConfig, out_dir: Path) -> dict:
    """Read the log named by ``intake.log`` and write the outputs; returns intake.json."""
    container = OmegaConf.to_container(cfg, resolve=True)
    settings = container.get("intake") or {}
    if not settings.get("log"):
        raise ConfigError(
            "intake.log: not given; add intake.log=PATH of the export (.csv or .xlsx; "
            "template: configs/intake/log_template.csv)",
            "intake.log",
        )
    spec = ScenarioSpec.read(container["scenario"])
    names = {c.name: c.display_name for c in spec.communes}
    log = read_log(
        settings["log"],
        names,
        spec.fields,
        settings.get("communes"),
        settings.get("fields"),
    )
    problems = log.problems
    if settings.get("strict") and len(problems):
        first = problems.iloc[0]
        raise ConfigError(
            f"{log.path} row {first['row']} column {first['column']} = {first['value']!r}: "
            f"{first['reason']} ({len(problems)} problem(s) in all; intake.strict=true)"
        )
    history = log.history()
    history_out = history.assign(date=[d.isoformat() for d in history["date"]])
    write_csv(out_dir / "history.csv", history_out)
    write_csv(out_dir / "open_dossiers.csv", log.open_dossiers())
    procedures = log.procedures()
    write_csv(out_dir / "procedures.csv", procedures)
    write_csv(out_dir / "arrivals.csv", log.arrivals())
    summary = {"scenario": spec.name, **log.summary()}
    summary["problems"] = problems.to_dict(orient="records")
    write_json(out_dir / "intake.json", summary)
    if container.get("output", {}).get("report", True):
        write_intake_report(
            out_dir / "report.html",
            container.get("output", {}).get("language", "en"),
            summary=summary,
            history=history,
            procedures=procedures,
            problems=problems,
            names={k: v for k, v in names.items() if v},
        )
    return summary


def _unknown_lines(summary: dict) -> list[str]:
    """What to add for the names the log uses that the configs do not know, in the
    language being spoken."""
    lines = []
    for name, count in summary["unknown_fields"].items():
        lines.append(
            "  "
            + t(
                "field {name!r} on {count} row(s): add '  {name}: FIELD_KEY' to "
                "configs/intake/fields.yaml (or intake.fields)",
                name=name,
                count=number(count),
            )
        )
    for name, count in summary["unknown_communes"].items():
        lines.append(
            "  "
            + t(
                "commune {name!r} on {count} row(s): map it with "
                "'intake.communes=[\"{name}=COMMUNE_ID\"]'",
                name=name,
                count=number(count),
            )
        )
    return lines


@hydra.main(version_base="1.3", config_path=str(CONFIG_DIR), config_name="intake")
def main(cfg: DictConfig) -> None:
    out_dir = Path(HydraConfig.get().runtime.output_dir)
    try:
        summary = run_intake(cfg, out_dir)
    except ConfigError as error:
        print(f"error: {error}", file=sys.stderr)
        sys.exit(2)
    output = cfg.get("output")
    try:
        speech = speaking(OmegaConf.to_container(output, resolve=True) if output else None)
        with speech:
            lines = [
                t(
                    "{used} dossiers of {read} rows, {first} to {last}: {folder}",
                    used=number(summary["rows_used"]),
                    read=number(summary["rows_read"]),
                    first=fdate(dt.date.fromisoformat(str(summary["first_date"]))),
                    last=fdate(dt.date.fromisoformat(str(summary["last_date"]))),
                    folder=out_dir,
                ),
                *_unknown_lines(summary),
                t(
                    "{n} row(s) skipped: none"
                    if not summary["problems"]
                    else "{n} row(s) skipped: listed under problems in intake.json",
                    n=number(summary["rows_with_problems"]),
                ),
            ]
    except ConfigError as error:
        print(f"error: {error}", file=sys.stderr)
        sys.exit(2)
    for line in lines:
        print(line)


if __name__ == "__main__":
    main()
