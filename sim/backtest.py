"""``python -m sim.backtest scenario=NAME forecast.history=PATH [forecast.days=28]``: how
each forecasting method would have done on the history's own past.

A rolling-origin backtest (sim/forecasting/backtest.py): ``backtest.origins`` forecast
origins spread over the history (fewer only when it is short, and then said), each
forecasting ``forecast.days`` days (or the longest the history allows) from the
history up to it, for persistence, the same weekday last week, the flow model and (unless
``backtest.model=false``) the calibrated model. Prints and writes ``backtest.csv``
(origin, method, commune, horizon_days, mae_backlog, coverage50, coverage90: the mean
absolute error of the median backlog, and the share of days inside the 50% and 90%
bands built from the other origins) and ``backtest.json`` (the same summed up per
method, per commune and overall, and the verdict ``trust`` that ``sim.forecast`` would
give).
"""

from __future__ import annotations

import sys
from pathlib import Path

import hydra
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig, OmegaConf

import sim.runs.api
from sim.forecasting.service import run_backtest
from sim.reports.outputs import write_outputs
from sim.reports.trust_text import verdict_line
from sim.runs.outputs import write_csv, write_json
from sim.runs.user_errors import one_line_errors, run_command, say
from sim.spec.paths import CONFIG_DIR


@hydra.main(config_path=str(CONFIG_DIR), config_name="forecast", version_base="1.3")
def main(cfg: DictConfig) -> None:
    out_dir = Path(HydraConfig.get().runtime.output_dir)
    with one_line_errors(cfg.get("verbose", False) is True):
        result = run_backtest(sim.runs.api, cfg)
        plan = result["plan"]
        write_csv(out_dir / "backtest.csv", result["table"])
        write_json(
            out_dir / "backtest.json",
            {
                "scenario": result["scenario"],
                "trust": result["trust"],
                "origins": [d.isoformat() for d in plan["origins"]],
                "horizon_days": plan["horizon"],
                "note": plan["note"],
                "scores": result["summary"],
                "seconds": result["seconds"],
            },
        )
        output = cfg.get("output")
        write_outputs(
            out_dir,
            OmegaConf.to_container(output, resolve=True) if output else None,
            workbook="backtest.xlsx",
            sheets=lambda: {"backtest": result["table"]},
        )
    say(verdict_line(result["trust"], plan["horizon"]))
    say(
        f"backtest: {len(plan['origins'])} origins, {plan['horizon']} days each "
        f"({result['seconds']} s): {out_dir}" + (f"; {plan['note']}" if plan["note"] else "")
    )
    say(
        f"  {'method':12s} {'commune':16s} {'MAE backlog':>11s} {'cover 50%':>9s} {'cover 90%':>9s}"
    )
    for method, entry in result["summary"].items():
        for commune, s in entry.items():
            say(
                f"  {method:12s} {commune:16s} {s['mae_backlog']:11.1f} "
                f"{s['coverage50']:9.0%} {s['coverage90']:9.0%}"
            )
    for line in COLUMNS_EXPLAINED:
        say(f"  {line}")


COLUMNS_EXPLAINED = (
    "MAE backlog: mean absolute error of the median forecast of the backlog, in dossiers, "
    "over every past forecast (lower is better)",
    "cover 50%, cover 90%: share of past days whose backlog lay inside the 50% and 90% "
    "bands (about 50% and 90% is right; far less: the bands are too narrow)",
    "persistence: today's backlog carried on; weekday: the same weekday last week; flow: "
    "receipts and results from your own data; model: the calibrated model",
)


if __name__ == "__main__":
    sys.exit(run_command(main, sys.argv[1:], CONFIG_DIR))
