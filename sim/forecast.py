"""``python -m sim.forecast scenario=NAME forecast.history=PATH [forecast.open_dossiers=PATH]
forecast.days=28 [policy=[NAME]]``: a forecast from a planner's own data, with a verdict.

Every method (persistence, the same weekday last week, a flow model from the history's
own receipts and results, and the scenario calibrated to the history) is scored on a
rolling-origin backtest of the history; the best is published with bands calibrated on
its backtest residuals, and the verdict (``forecast.json`` ``trust``) is the first line
printed and the first thing ``report.html`` shows (sim/forecasting/). With a policy
besides the baseline, its paired effect in the calibrated model (common random
numbers) is added to the published forecast: ``forecast_policy.csv`` and
``difference.csv``. Also written: ``forecast.csv``, ``backtest.csv``,
``calibration.json``, ``open_dossiers.csv`` and ``start.json`` (what ``python -m
sim.optimize optimize.start_from=DIR`` starts from).
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import hydra
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig, OmegaConf

import sim.runs.api
from sim.forecasting.inputs import write_start
from sim.forecasting.service import run_forecast
from sim.reports.forecast_report import write_forecast_report
from sim.reports.i18n import date as fdate
from sim.reports.i18n import localize, number, t
from sim.reports.outputs import speaking
from sim.reports.outputs import write_outputs as write_outputs_in_language
from sim.reports.trust_text import METHODS, advice, verdict_line
from sim.runs.outputs import write_csv, write_json
from sim.runs.user_errors import one_line_errors, run_command, say
from sim.spec.paths import CONFIG_DIR
from sim.spec.scenario import display_names


def write_outputs(out: dict, out_dir: Path, spec) -> None:
    result = out["result"]
    write_csv(out_dir / "forecast.csv", out["table"])
    write_csv(out_dir / "backtest.csv", out["evaluation"]["table"])
    if "calibration" in out:
        write_json(out_dir / "calibration.json", out["calibration"])
    write_start(out_dir, out["carried"], out["history"], spec)
    if "difference" in out:
        write_csv(out_dir / "forecast_policy.csv", out["policy_table"])
        write_csv(out_dir / "difference.csv", out["difference"])
    write_json(out_dir / "forecast.json", result)
    write_outputs_in_language(
        out_dir,
        out["container"].get("output"),
        report=lambda: write_forecast_report(
            out_dir / "report.html",
            history=out["history"],
            table=out["table"],
            calibration=out.get("calibration"),
            result=result,
            policy_table=out.get("policy_table"),
            difference=out.get("difference"),
            names=display_names(spec),
        ),
        workbook="forecast.xlsx",
        sheets=lambda: {
            name: frame
            for name, frame in (
                ("forecast", out["table"]),
                ("policy forecast", out.get("policy_table")),
                ("policy minus baseline", out.get("difference")),
            )
            if frame is not None
        },
        names=display_names(spec),
    )


@hydra.main(config_path=str(CONFIG_DIR), config_name="forecast", version_base="1.3")
def main(cfg: DictConfig) -> None:
    out_dir = Path(HydraConfig.get().runtime.output_dir)
    with one_line_errors(cfg.get("verbose", False) is True):
        out = run_forecast(sim.runs.api, cfg)
        output = cfg.get("output")
        out["container"] = {
            "output": OmegaConf.to_container(output, resolve=True) if output else None
        }
        write_outputs(out, out_dir, out["spec"])
    with speaking(out["container"]["output"]):
        for line in summary_lines(out["result"], out_dir, display_names(out["spec"])):
            say(line)


def summary_lines(result: dict, out_dir: Path, names: dict[str, str]) -> list[str]:
    """What the command prints, in the current language: the verdict, the advice, the
    forecast's folder and who passes the overdue threshold when."""
    lines = [
        verdict_line(
            result["trust"], result["backtest"]["horizon_days"] or result["forecast_days"]
        ),
        f"  {advice(result['trust'])}",
        t(
            "forecast of {days} days after {date} ({method}), {seconds} s: {folder}",
            days=result["forecast_days"],
            date=fdate(dt.date.fromisoformat(result["history_last_date"])),
            method=t(METHODS[result["method"]]),
            seconds=localize(f"{result['seconds']}"),
            folder=out_dir,
        ),
    ]
    for row in result["threshold_crossings"]:
        if row["possible"]:
            values = {
                "commune": names.get(row["commune"], row["commune"]),
                "n": number(result["overdue_threshold"]),
                "possible": fdate(dt.date.fromisoformat(row["possible"])),
            }
            if row["likely"]:
                values["likely"] = fdate(dt.date.fromisoformat(row["likely"]))
                text = (
                    "{commune}: {n} overdue dossiers likely from {likely}, possibly from {possible}"
                )
            else:
                text = "{commune}: {n} overdue dossiers not likely, possibly from {possible}"
            lines.append("  " + t(text, **values))
    return lines


if __name__ == "__main__":
    sys.exit(run_command(main, sys.argv[1:], CONFIG_DIR))
