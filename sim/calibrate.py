"""``python -m sim.calibrate scenario=NAME forecast.history=PATH``: fit the scenario to a
planner's history and write ``calibration.json`` (cached by a hash of the history, the
scenario and the calibration settings; ``sim.forecast`` reuses it), and beside it
``open_dossiers.csv``, the dossiers open at the history's end (``forecast.open_dossiers``,
else rebuilt from its last day): the folder is what ``python -m sim.optimize
optimize.start_from=DIR`` starts from. The method: sim/forecasting/fitting.py.
"""

from __future__ import annotations

import sys
from pathlib import Path

import hydra
import pandas as pd
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig

import sim.runs.api
from sim.forecasting.fitting import cached_calibration
from sim.forecasting.inputs import checked, load_history, open_dossiers, write_start
from sim.reports.i18n import localize, number, t
from sim.reports.labels import label as key_label
from sim.reports.outputs import speaking, write_outputs
from sim.runs.outputs import write_json
from sim.runs.user_errors import one_line_errors, run_command, say
from sim.spec.paths import CONFIG_DIR
from sim.spec.scenario import display_names


def calibration_table(result: dict) -> pd.DataFrame:
    """One row per commune x field: demand and effective capacity factors (the workbook)."""
    rows = []
    for cell, values in result["capacity"].items():
        commune, field = cell.split("|")
        d = result["demand"]["cells"][cell]
        rows.append(
            {
                "commune": commune,
                "field": field,
                "observed_per_day": d["observed_per_day"],
                "demand_factor": d["demand_factor"],
                "demand_factor_low": d["demand_factor_low"],
                "demand_factor_high": d["demand_factor_high"],
                "capacity_p05": values["p05"],
                "capacity_p50": values["p50"],
                "capacity_p95": values["p95"],
            }
        )
    return pd.DataFrame(rows)


@hydra.main(config_path=str(CONFIG_DIR), config_name="forecast", version_base="1.3")
def main(cfg: DictConfig) -> None:
    out_dir = Path(HydraConfig.get().runtime.output_dir)
    with one_line_errors(cfg.get("verbose", False) is True):
        container, extra, job = checked(cfg)
        history = load_history(extra, job)
        result, key, cached = cached_calibration(
            sim.runs.api, extra, container, job, history, int(container["run"]["workers"])
        )
        carried, _ = open_dossiers(extra, job, history)
        write_json(out_dir / "calibration.json", result)
        write_start(out_dir, carried, history, job.spec)
        write_outputs(
            out_dir,
            container.get("output"),
            workbook="calibration.xlsx",
            sheets=lambda: {"calibration": calibration_table(result)},
            names=display_names(job.spec),
        )
    with speaking(container.get("output")):
        for line in summary_lines(result, key, cached, out_dir, display_names(job.spec)):
            say(line)


def summary_lines(result: dict, key: str, cached: bool, out_dir: Path, names: dict) -> list[str]:
    """What the command prints, in the current language: the calibration's file, then
    per commune and field the demand and capacity factors (90% ranges)."""
    state = (
        t("reused from the cache")
        if cached
        else t("{runs} runs, {seconds} s", runs=result["runs"],
               seconds=localize(f"{result['seconds']}"))
    )  # fmt: skip
    lines = [t("calibration {key} ({state}): {file}", key=key, state=state,
               file=out_dir / "calibration.json")]  # fmt: skip

    def two(value: float) -> str:
        return number(value, 2)

    for cell, values in result["capacity"].items():
        d = result["demand"]["cells"][cell]
        commune, _, field = cell.partition("|")
        where = f"{names.get(commune, commune)}: {key_label(field)}"
        text = t(
            "demand x{demand} [{low}, {high}]  capacity x{capacity} [{p05}, {p95}]",
            demand=two(d["demand_factor"]), low=two(d["demand_factor_low"]),
            high=two(d["demand_factor_high"]), capacity=two(values["p50"]),
            p05=two(values["p05"]), p95=two(values["p95"]),
        )  # fmt: skip
        if cell in result.get("clerks", {}):
            text += "  " + t("clerks {n}", n=result["clerks"][cell])
        lines.append(f"  {where:32s} {text}")
    for cell in result.get("at_bound", []):
        commune, _, field = cell.partition("|")
        lines.append(
            "  "
            + t(
                "warning: {cell}: the capacity fit ends at a bound of [{low}, {high}]: the "
                "scenario cannot reproduce this cell's history; check its clerks",
                cell=f"{names.get(commune, commune)}: {key_label(field)}",
                low=localize(str(result["settings"]["capacity_low"])),
                high=localize(str(result["settings"]["capacity_high"])),
            )
        )
    return lines


if __name__ == "__main__":
    sys.exit(run_command(main, sys.argv[1:], CONFIG_DIR))
