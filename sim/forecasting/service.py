"""What ``python -m sim.forecast`` and ``python -m sim.backtest`` do, without Hydra or
reports (the commands print and write the report).

``run_backtest``: the rolling-origin backtest of every method (sim/forecasting/
backtest.py) and the verdict. ``run_forecast``: the same backtest, then the published
method's forecast from the history's end with calibrated bands, the model's policy
effect layered on, and the threshold crossings.
"""

from __future__ import annotations

import datetime as dt
import time

from sim.forecasting import publish
from sim.forecasting.baselines import BASELINES, receipts_flows
from sim.forecasting.fitting import cached_calibration
from sim.forecasting.inputs import checked, load_history, open_dossiers
from sim.forecasting.model import forecast_runs, model_method, point_of, spun_up
from sim.runs.calibration import history_fatigue
from sim.runs.forecasting import bands, paired_difference, threshold_crossings
from sim.spec.config import ConfigError


def _settings(extra: dict) -> dict:
    """The settings, checked: forecast days, the backtest's horizon (null: the forecast
    days), origins and whether the model is scored."""
    block = extra["backtest"]
    origins = int(block.get("origins", 6))
    if origins < 1:
        raise ConfigError(f"backtest.origins = {origins}: must be >= 1", "backtest.origins")
    model = block.get("model", True)
    if not isinstance(model, bool):
        raise ConfigError(f"backtest.model = {model!r}: true or false", "backtest.model")
    days = int(extra["forecast"]["days"])
    if days < 1:
        raise ConfigError(f"forecast.days = {days}: must be >= 1", "forecast.days")
    horizon = int(block.get("horizon_days") or days)
    if horizon < 1:
        raise ConfigError(
            f"backtest.horizon_days = {horizon}: must be >= 1 (or null: forecast.days)",
            "backtest.horizon_days",
        )
    return {"origins": origins, "model": model, "days": days, "horizon": horizon}


def methods_of(api, container: dict, extra: dict, job, with_model: bool) -> dict:
    """The methods the backtest compares: the baselines and (unless off) the model."""
    weeks = int(extra["calibration"]["demand_weeks"])
    methods = publish.baseline_methods(job.settings.seed, weeks)
    if with_model:
        workers = int(container["run"]["workers"])
        methods["model"] = model_method(api, container, extra, job, workers)
    return methods


def run_backtest(api, cfg) -> dict:
    """The rolling backtest of ``cfg``'s history: plan, table, summary, trust (and the
    scenario's ``spec``)."""
    started = time.perf_counter()
    container, extra, job = checked(cfg)
    settings = _settings(extra)
    history = load_history(extra, job)
    methods = methods_of(api, container, extra, job, settings["model"])
    result = publish.evaluate(history, methods, settings["horizon"], settings["origins"])
    result["seconds"] = round(time.perf_counter() - started, 1)
    result["scenario"] = job.spec.name
    result["spec"] = job.spec  # the communes' display names for the workbook
    return result


def selected_policies(container: dict) -> tuple:
    """The policies besides the baseline, as (name, config) pairs (overrides kept)."""
    return tuple(
        (name, config) for name, config in (container.get("policy") or {}).items()
        if name != "baseline"
    )  # fmt: skip


def run_forecast(api, cfg) -> dict:
    """Everything ``sim.forecast`` writes, as data (see the module's docstring)."""
    started = time.perf_counter()
    container, extra, job = checked(cfg)
    settings = _settings(extra)
    history = load_history(extra, job)
    carried, source = open_dossiers(extra, job, history)
    policies = selected_policies(container)
    days, seed = settings["days"], job.settings.seed
    weeks = int(extra["calibration"]["demand_weeks"])
    workers = int(container["run"]["workers"])
    methods = methods_of(api, container, extra, job, settings["model"])
    evaluation = publish.evaluate(history, methods, settings["horizon"], settings["origins"])
    trust = evaluation["trust"]
    last = max(history["date"])
    out: dict = {"history": history, "carried": carried, "evaluation": evaluation, "spec": job.spec}
    # the calibration is always written: optimize.start_from starts from it
    calibration, key, cached = cached_calibration(api, extra, container, job, history, workers)
    out.update(calibration=calibration, calibration_key=key, calibration_cached=cached)
    runs = None
    if trust["method"] == "model" or policies:
        spin_up, early = spun_up(history, job.spec, extra["forecast"].get("spin_up_days", 0))
        if spin_up:
            source = f"rebuilt {spin_up} days before the history's end; the runs live through them"
        common = dict(
            start=last + dt.timedelta(days=1),
            days=days,
            seed=seed,
            replications=job.settings.replications,
            workers=workers,
            spin_up=spin_up,
            fatigue=history_fatigue(history, job.spec, last + dt.timedelta(days=1 - spin_up)),
        )
        start = early if spin_up else carried
        scenario = container["scenario"]
        runs = forecast_runs(api, scenario, calibration, start, policies=("baseline",), **common)
        if policies:
            other = forecast_runs(api, scenario, calibration, start, policies=policies, **common)
            out["difference"] = paired_difference(runs, other)
    method = trust["method"]
    if method == "model":
        point = point_of(bands(runs))
    else:
        point = BASELINES[method](history, days, seed, weeks)
    spread = (
        publish.flow_spread(history, days, seed, weeks) if evaluation["residuals"] is None else None
    )
    table = publish.published(
        history,
        point,
        evaluation["residuals"],
        method,
        receipts_flows(history, days, seed, weeks),
        spread,
    )
    out["table"] = table
    if "difference" in out:
        out["policy_table"] = publish.with_policy(table, out["difference"])
    threshold = float(extra["forecast"]["overdue_threshold"])
    out["result"] = {
        "trust": trust,
        "scenario": job.spec.name,
        "history_last_date": last.isoformat(),
        "forecast_days": days,
        "method": method,
        "backtest": {
            "origins": [d.isoformat() for d in evaluation["plan"]["origins"]],
            "horizon_days": evaluation["plan"]["horizon"],
            "note": evaluation["plan"]["note"],
            "scores": evaluation["summary"],
        },
        "runs_per_policy": len(runs) if runs else 0,
        "open_dossiers": len(carried),
        "open_dossiers_source": source,
        "calibration_key": out.get("calibration_key"),
        "calibration_cached": out.get("calibration_cached"),
        "policies": [name for name, _ in policies],
        "overdue_threshold": threshold,
        "threshold_crossings": threshold_crossings(table, threshold),
        "seconds": round(time.perf_counter() - started, 1),
    }
    return out
