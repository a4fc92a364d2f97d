"""``python -m sim.backtest scenario=NAME forecast.history=PATH backtest.holdout_days=28``:
hide the history's last days, calibrate on the rest, forecast the hidden days and score.

Per commune and overall (``all``), for backlog and overdue dossiers: the coverage of the
90% band (share of held-out days the truth lies inside it), the mean absolute error of
the median, and the same error of the two naive forecasts (persistence of the last
value; the same weekday's mean over the last four weeks). ``widen_needed`` holds, per
commune and series, the smallest factor on the band's half-widths that brings its
coverage to 90% (what ``forecast.widen=auto`` applies); the scores are of the unwidened
band unless ``forecast.widen`` is a number. Writes ``backtest.json``, ``backtest.png``
and the held-out ``forecast.csv`` into the run folder.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import hydra
import numpy as np
import pandas as pd
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig

from sim.calibrate import CONFIG_DIR, checked, load_history
from sim.forecast import holdout_forecast
from sim.reports.forecast_report import backtest_figure
from sim.reports.outputs import write_outputs
from sim.runs.forecasting import bands, naive_forecasts, widen_factors
from sim.runs.outputs import write_csv, write_json
from sim.runs.user_errors import one_line_errors, run_command, say
from sim.spec.scenario import display_names


def score(table: pd.DataFrame, truth: pd.DataFrame, naive: dict[str, pd.DataFrame]) -> dict:
    """Coverage and errors per commune (and ``all``) for backlog and overdue."""
    result = {}
    for commune in dict.fromkeys(table["commune"]):
        band = table[table["commune"] == commune].sort_values("date")
        seen = truth[truth["commune"] == commune].sort_values("date")
        entry = {}
        for key, observed in (("backlog", "open_end"), ("overdue", "overdue_end")):
            y = seen[observed].to_numpy(dtype=float)
            low, mid, high = (band[f"{key}_{q}"].to_numpy() for q in ("p05", "p50", "p95"))
            entry[key] = {
                "coverage_90": float(np.mean((y >= low) & (y <= high))),
                "mae_median": float(np.mean(np.abs(mid - y))),
                **{
                    f"mae_{name}": float(
                        np.mean(np.abs(frame[frame["commune"] == commune][key].to_numpy() - y))
                    )
                    for name, frame in naive.items()
                },
            }
        result[commune] = entry
    return result


def run_backtest(cfg: DictConfig, out_dir: Path) -> dict:
    started = time.perf_counter()
    container, extra, job = checked(cfg)
    history = load_history(extra, job)
    holdout = int(extra["backtest"]["holdout_days"])
    workers = int(container["run"]["workers"])
    raw, truth, train, key, runs = holdout_forecast(
        container, extra, job, history, holdout, workers
    )
    widen = extra["forecast"].get("widen", 1.0)
    table = raw if widen == "auto" else bands(runs, float(widen))
    cut = max(train["date"])
    naive = naive_forecasts(train, list(dict.fromkeys(table["date"])))
    scores = score(table, truth, naive)
    overall = scores["all"]["backlog"]
    result = {
        "scenario": job.spec.name,
        "trained_to": cut.isoformat(),
        "holdout_days": holdout,
        "runs": len(runs),
        "calibration_key": key,
        "beats_naive": bool(
            overall["mae_median"] < min(overall["mae_persistence"], overall["mae_weekday_mean"])
        ),
        "widen_needed": widen_factors(raw, truth),
        "scores": scores,
        "names": {**display_names(job.spec), "all": "all communes"},
        "seconds": round(time.perf_counter() - started, 1),
    }
    write_json(out_dir / "backtest.json", result)
    write_csv(out_dir / "forecast.csv", table)
    write_outputs(
        out_dir,
        container.get("output"),
        report=lambda: backtest_figure(out_dir / "backtest.png", table, truth, naive),
        workbook="backtest.xlsx",
        sheets=lambda: {"scores": score_table(scores), "forecast": table},
        names=display_names(job.spec),
    )
    return result


def score_table(scores: dict) -> pd.DataFrame:
    """The scores as one row per commune and series (the workbook's sheet)."""
    return pd.DataFrame(
        [
            {"commune": commune, "series": series, **figures}
            for commune, entry in scores.items()
            for series, figures in entry.items()
        ]
    )


@hydra.main(config_path="../configs", config_name="forecast", version_base="1.3")
def main(cfg: DictConfig) -> None:
    out_dir = Path(HydraConfig.get().runtime.output_dir)
    with one_line_errors(cfg.get("verbose", False) is True):
        result = run_backtest(cfg, out_dir)
    say(f"backtest of {result['holdout_days']} held-out days ({result['seconds']} s): {out_dir}")
    say(f"  {'commune':16s} coverage90  MAE median  persistence  weekday mean")
    for commune, entry in result["scores"].items():
        b = entry["backlog"]
        say(
            f"  {result['names'].get(commune, commune):16s} {b['coverage_90']:10.0%}  "
            f"{b['mae_median']:10.1f}  {b['mae_persistence']:11.1f}  {b['mae_weekday_mean']:12.1f}"
        )
    for line in COLUMNS_EXPLAINED:
        say(f"  {line}")


COLUMNS_EXPLAINED = (
    "coverage90: share of held-out days whose backlog lay inside the 90% band (about 90% "
    "is right; far less: the band is too narrow)",
    "MAE median: mean absolute error of the median forecast, in dossiers of backlog",
    "persistence, weekday mean: the same error of two naive forecasts (the last value "
    "carried on; the same weekday's mean over the last four weeks); the model should beat "
    "them",
)


if __name__ == "__main__":
    sys.exit(run_command(main, sys.argv[1:], Path(CONFIG_DIR)))
