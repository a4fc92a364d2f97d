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
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig

import sim.runs.api
from sim.forecasting.fitting import cached_calibration
from sim.forecasting.inputs import checked, load_history, open_dossiers, write_start
from sim.runs.outputs import write_json
from sim.spec.config import ConfigError
from sim.spec.paths import CONFIG_DIR


@hydra.main(config_path=str(CONFIG_DIR), config_name="forecast", version_base="1.3")
def main(cfg: DictConfig) -> None:
    out_dir = Path(HydraConfig.get().runtime.output_dir)
    try:
        container, extra, job = checked(cfg)
        history = load_history(extra, job)
        result, key, cached = cached_calibration(
            sim.runs.api, extra, container, job, history, int(container["run"]["workers"])
        )
        carried, _ = open_dossiers(extra, job, history)
    except ConfigError as error:
        print(f"error: {error}", file=sys.stderr)
        sys.exit(2)
    write_json(out_dir / "calibration.json", result)
    write_start(out_dir, carried, history, job.spec)
    state = "reused from the cache" if cached else f"{result['runs']} runs, {result['seconds']} s"
    print(f"calibration {key} ({state}): {out_dir / 'calibration.json'}")
    for cell, values in result["capacity"].items():
        d = result["demand"]["cells"][cell]
        print(
            f"  {cell:32s} demand x{d['demand_factor']:.2f} "
            f"[{d['demand_factor_low']:.2f}, {d['demand_factor_high']:.2f}]  capacity "
            f"x{values['p50']:.2f} [{values['p05']:.2f}, {values['p95']:.2f}]"
            + (f"  clerks {result['clerks'][cell]}" if cell in result.get("clerks", {}) else "")
        )
    for cell in result.get("at_bound", []):
        print(
            f"  warning: {cell}: the capacity fit ends at a bound of "
            f"[{result['settings']['capacity_low']}, {result['settings']['capacity_high']}]: "
            "the scenario cannot reproduce this cell's history; check its clerks"
        )


if __name__ == "__main__":
    main()
