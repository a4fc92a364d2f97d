"""The one place a planner's history and open dossiers are read and checked.

``load_history`` reads ``forecast.history`` (sim/spec/observed.py: the file's own
checks, a commune given by its display name accepted as its id, dates missing for
every commune stopping the command unless ``forecast.missing_days=zero``);
``open_dossiers`` reads ``forecast.open_dossiers`` (its count per commune checked
against the history's last ``open_end``) or rebuilds them.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from pathlib import Path

import pandas as pd
from omegaconf import DictConfig, OmegaConf

from sim.forecasting.fitting import deadline_days
from sim.runs.calibration import history_fatigue
from sim.runs.job_check import check_job
from sim.runs.log_calibration import log_history, log_open_dossiers
from sim.runs.outputs import write_csv, write_json
from sim.spec.communes_file import ascii_id
from sim.spec.config import ConfigError
from sim.spec.observed import read_history, read_open_dossiers, rebuild_open_dossiers

EXTRA_BLOCKS = ("forecast", "calibration", "backtest")


def checked(cfg: DictConfig) -> tuple[dict, dict, object]:
    """The resolved config, its extra blocks (forecast, calibration, backtest) and the
    checked job (scenario and policies read as ``python -m sim.run`` reads them)."""
    container = OmegaConf.to_container(cfg, resolve=True)
    unresolved = OmegaConf.to_container(cfg, resolve=False)
    extra = {key: container.pop(key, {}) or {} for key in EXTRA_BLOCKS}
    for key in EXTRA_BLOCKS:
        unresolved.pop(key, None)
    return container, extra, check_job(container, unresolved)


def commune_aliases(spec) -> dict[str, str]:
    """Other names a planner may write for a commune: its display name (``Kỳ Lừa``)
    and the id made from it (sim/spec/communes_file.py ``ascii_id``) -> its id."""
    result = {}
    for commune in spec.communes:
        if commune.display_name:
            result[unicodedata.normalize("NFC", commune.display_name)] = commune.name
            result[ascii_id(commune.display_name)] = commune.name
    return result


def load_history(extra: dict, job) -> pd.DataFrame:
    """The planner's history (``forecast.history``) as the complete daily table of
    sim/spec/observed.py ``read_history``: the one place it is loaded. With
    ``forecast.log`` it is a dossier log's (sim/runs/log_calibration.py)."""
    if extra["forecast"].get("log"):
        return log_history(extra["forecast"], job.spec)
    path = extra["forecast"].get("history")
    if not path:
        raise ConfigError(
            "forecast.history: not given; add forecast.history=PATH of your history.csv "
            "(template: configs/forecast/history_template.csv) or forecast.log=PATH of "
            "your dossier log",
            "forecast.history",
        )
    missing = str(extra["forecast"].get("missing_days", "stop"))
    if missing not in ("stop", "zero"):
        raise ConfigError(
            f"forecast.missing_days = {missing!r}: stop (a working day absent for every "
            "commune stops the command) or zero (such days were truly quiet)",
            "forecast.missing_days",
        )
    communes = [c.name for c in job.spec.communes]
    aliases = commune_aliases(job.spec)
    return read_history(path, communes, job.spec.fields, aliases, missing)


OPEN_TOLERANCE = 0.05  # the issue's: a list more than 5% off the last open_end stops


def check_open_count(items: list, history: pd.DataFrame, path: str) -> None:
    """Stop when the listed open dossiers of a commune differ from its last
    ``open_end`` by more than OPEN_TOLERANCE (and more than one dossier)."""
    last = max(history["date"])
    ends = history[history["date"] == last].groupby("commune")["open_end"].sum()
    listed: dict[str, int] = {}
    for item in items:
        listed[item.commune] = listed.get(item.commune, 0) + 1
    for commune, expected in ends.items():
        count = listed.get(commune, 0)
        if abs(count - expected) > max(1.0, OPEN_TOLERANCE * expected):
            raise ConfigError(
                f"forecast.open_dossiers: {path} lists {count} open dossiers of {commune} "
                f"but the history's open_end on {last} sums to {int(expected)} (more than "
                f"{OPEN_TOLERANCE:.0%} apart); give the list of that same day, or leave "
                "forecast.open_dossiers out to rebuild it from the history",
                "forecast.open_dossiers",
            )


def open_dossiers(extra: dict, job, history: pd.DataFrame) -> tuple[tuple, str]:
    """The dossiers open at the end of the history (``forecast.open_dossiers``, else
    rebuilt from its last day), as RunSpec tuples, and where they came from."""
    last = max(history["date"])
    path = extra["forecast"].get("open_dossiers")
    communes = [c.name for c in job.spec.communes]
    if path:
        items = read_open_dossiers(path, communes, job.spec.fields, last, commune_aliases(job.spec))
        check_open_count(items, history, str(path))
        source = str(path)
    elif (items := log_open_dossiers(history)) is not None:
        source = f"{history.attrs['log']}: open at its last date"
    else:
        items = rebuild_open_dossiers(history, deadline_days(job.spec))
        source = "rebuilt from open_end and overdue_end of the last date"
    carried = tuple(
        (d.commune, d.field, d.received_date.isoformat(), d.deadline_date.isoformat())
        for d in items
    )
    return carried, source


def write_start(out_dir: Path, carried: tuple, history: pd.DataFrame, spec) -> None:
    """Beside calibration.json, the state of the communes the day after the history, which
    ``optimize.start_from`` starts from: ``open_dossiers.csv`` (the dossiers then open)
    and ``start.json`` (the clerks' fatigue per commune, ``initial_fatigue``)."""
    columns = ["commune", "field", "received_date", "deadline_date"]
    write_csv(out_dir / "open_dossiers.csv", pd.DataFrame(list(carried), columns=columns))
    day = max(history["date"]) + dt.timedelta(days=1)
    state = {"start_date": day.isoformat(), "initial_fatigue": history_fatigue(history, spec, day)}
    write_json(out_dir / "start.json", state)
