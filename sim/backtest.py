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
from sim.reports.excel import POOLED
from sim.reports.i18n import localize, number, t, t_shaped
from sim.reports.outputs import speaking, write_outputs
from sim.reports.trust_text import NOTES, verdict_line
from sim.runs.outputs import write_csv, write_json
from sim.runs.user_errors import one_line_errors, run_command, say
from sim.spec.paths import CONFIG_DIR
from sim.spec.scenario import display_names


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
        output = OmegaConf.to_container(output, resolve=True) if output else None
        write_outputs(
            out_dir,
            output,
            workbook="backtest.xlsx",
            sheets=lambda: {"backtest": result["table"]},
            names=display_names(result["spec"]),
        )
    with speaking(output):
        for line in summary_lines(result, out_dir, display_names(result["spec"])):
            say(line)


def summary_lines(result: dict, out_dir: Path, names: dict[str, str]) -> list[str]:
    """What the command prints, in the current language: the verdict, the backtest's
    scores per method and commune, and what its columns mean."""
    plan = result["plan"]
    note = "; ".join(t_shaped(part, NOTES) for part in plan["note"].split("; ") if part)
    lines = [
        verdict_line(result["trust"], plan["horizon"]),
        t(
            "backtest: {origins} origins, {days} days each ({seconds} s): {folder}",
            origins=len(plan["origins"]),
            days=plan["horizon"],
            seconds=localize(f"{result['seconds']}"),
            folder=out_dir,
        )
        + (f"; {note}" if note else ""),
    ]
    head = [t("method"), t("commune"), t("MAE backlog"), t("cover 50%"), t("cover 90%")]
    width = max([len(t(w)) for w in (*METHOD_WORDS.values(), "method")])
    lines.append(f"  {head[0]:{width}s} {head[1]:16s} {head[2]:>11s} {head[3]:>9s} {head[4]:>9s}")
    for method, entry in result["summary"].items():
        for commune, s in entry.items():
            where = t(POOLED[commune]) if commune in POOLED else names.get(commune, commune)
            cover50, cover90 = (localize(f"{s[k]:.0%}") for k in ("coverage50", "coverage90"))
            lines.append(
                f"  {t(METHOD_WORDS.get(method, method)):{width}s} {where:16s} "
                f"{number(s['mae_backlog'], 1):>11s} {cover50:>9s} {cover90:>9s}"
            )
    lines += [f"  {t(line)}" for line in COLUMNS_EXPLAINED]
    return lines


METHOD_WORDS = {  # a method's short name in the table
    "persistence": "persistence",
    "last_week": "weekday",
    "flow": "flow",
    "model": "model",
}
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
