"""``forecast.log=PATH``: the forecast commands read a dossier log in place of
``history.csv`` and ``open_dossiers.csv``, and the calibration uses what only a log
holds.

The hooks in sim/calibrate.py are a few calls:

- ``log_history``: the daily history the log implies (sim/intake), for every commune of
  the scenario; the ``DossierLog`` rides along in the frame's ``attrs["log"]`` (shared,
  not copied, and kept by pandas through the slicing of a backtest), so that what
  follows knows where the history came from.
- ``log_open_dossiers``: the dossiers open at the history's last date, exactly as the
  log has them (no rebuilding from ``open_end``): at the end of the history for the
  forecast, the day before the fit window for the calibration's fit.
- ``log_capacity``: per commune x field, capacity from the per-dossier times, results
  per working day while a queue stood (sim/intake/evidence.py), over the model's busy
  throughput in the probe run with a deep backlog; it replaces the estimate from daily
  counts wherever the log has enough standing-queue days. The dossiers after the
  history's last date are not seen (a backtest's held-out days stay held out).

The log's procedure mix and arrival profile (``log_profile``) go into
calibration.json beside the capacity evidence they come with.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import replace

import numpy as np
import pandas as pd

from sim.intake import DossierLog, read_log
from sim.runs.calibration import busy_throughput
from sim.spec.observed import OpenDossier


def log_history(settings: Mapping, spec) -> pd.DataFrame:
    """The history of the log ``settings["log"]`` (the ``forecast`` block; its
    ``log_communes`` maps a log's commune names to ids), as ``read_history`` gives it:
    every date x every commune of the scenario x its fields."""
    names = {c.name: c.display_name for c in spec.communes}
    log = read_log(
        settings["log"], names, spec.fields, settings.get("log_communes"),
        keys=("forecast.log_communes", "intake.fields"),
    )  # fmt: skip
    log = replace(log, communes=tuple(names))
    history = log.history()
    history.attrs["log"] = log
    return history


def _log(history: pd.DataFrame) -> DossierLog | None:
    return history.attrs.get("log")


def log_open_dossiers(history: pd.DataFrame) -> list[OpenDossier] | None:
    """The dossiers open at the end of the history's last date (None: no log)."""
    log = _log(history)
    if log is None:
        return None
    table = log.open_dossiers(max(history["date"]))
    return [
        OpenDossier(c, f, dt.date.fromisoformat(r), dt.date.fromisoformat(d))
        for c, f, r, d in table.itertuples(index=False)
    ]


def log_capacity(
    history: pd.DataFrame, probes: Sequence[dict], direct: dict, first: str | dt.date
) -> dict:
    """``direct`` (capacity estimates from daily counts), with every cell the log has
    enough standing-queue days for (from ``first`` to the history's end) replaced by the
    per-dossier estimate: observed results per standing-queue day over the model's busy
    throughput in ``probes``, with the observed mean's relative SE."""
    log = _log(history)
    if log is None:
        return direct
    first = dt.date.fromisoformat(first) if isinstance(first, str) else first
    evidence = log.capacity(max(history["date"]), first)
    result = dict(direct)
    for cell, seen in evidence.items():
        if not probes or cell not in probes[0]["cells"]:
            continue
        model = float(np.mean([busy_throughput(p["cells"][cell])[0] for p in probes]))
        if model > 0:
            result[cell] = {
                "factor": seen["per_day"] / model,
                "relative_se": seen["relative_se"],
                "busy_days": seen["busy_days"],
                "source": "dossier log: results per day while a queue stood",
                "observed_per_day": seen["per_day"],
                "model_per_day": model,
                "days_to_result_p50": seen["days_to_result_p50"],
            }
    return result


def log_profile(history: pd.DataFrame) -> dict | None:
    """The log's procedure mix (per field, each procedure's share and deadline seen) and
    arrival profile (receipts' shares by weekday and hour per field), for
    calibration.json; None without a log."""
    log = _log(history)
    if log is None:
        return None
    end = pd.Timestamp(max(history["date"])) + pd.Timedelta(days=1)
    seen = log.dossiers[log.dossiers["received_at"] < end]
    view = replace(log, dossiers=seen)
    procedures = view.procedures()
    procedures["share_in_field"] = procedures["count"] / procedures.groupby("field")[
        "count"
    ].transform("sum")
    arrivals = view.arrivals()
    by_hour = arrivals.groupby(["field", "weekday", "hour"], observed=True, dropna=False)[
        "received"
    ].sum()
    profile: dict[str, dict] = {}
    for (field, weekday, hour), count in by_hour.items():
        key = f"{weekday} {'' if pd.isna(hour) else int(hour)}".strip()
        profile.setdefault(field, {})[key] = int(count)
    return {
        "log": str(log),
        "procedure_mix": procedures.to_dict(orient="records"),
        "arrival_profile": profile,
    }
