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
from sim.reports.outputs import write_outputs
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
    state = "reused from the cache" if cached else f"{result['runs']} runs, {result['seconds']} s"
    say(f"calibration {key} ({state}): {out_dir / 'calibration.json'}")
    for cell, values in result["capacity"].items():
        d = result["demand"]["cells"][cell]
        say(
            f"  {cell:32s} demand x{d['demand_factor']:.2f} "
            f"[{d['demand_factor_low']:.2f}, {d['demand_factor_high']:.2f}]  capacity "
            f"x{values['p50']:.2f} [{values['p05']:.2f}, {values['p95']:.2f}]"
            + (f"  clerks {result['clerks'][cell]}" if cell in result.get("clerks", {}) else "")
        )
    for cell in result.get("at_bound", []):
        say(
            f"  warning: {cell}: the capacity fit ends at a bound of "
            f"[{result['settings']['capacity_low']}, {result['settings']['capacity_high']}]: "
            "the scenario cannot reproduce this cell's history; check its clerks"
        )


if __name__ == "__main__":
    sys.exit(run_command(main, sys.argv[1:], CONFIG_DIR))
