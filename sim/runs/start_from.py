"""Start from the communes as they are today: a calibration or forecast folder read back.

``python -m sim.calibrate`` and ``python -m sim.forecast`` write ``calibration.json``,
``open_dossiers.csv`` (the dossiers open at the end of the planner's history) and
``start.json`` (the clerks' fatigue then) into their folder; a forecast folder also has
``forecast.json`` with its horizon. A run that starts from such a folder begins the day
after the history's last date with those dossiers in their queues and that fatigue
(as a forecast without spin-up), and replication ``r`` runs ensemble member ``r mod M`` of the
calibration (its demand and capacity factors, demand carried on by its trend), built by
the same function as the forecast's runs (``member_scenario``): the forecast runs every
member, so over ``M`` replications a run sees the forecast's parameter uncertainty.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

from sim.runs.calibration import expanded_scenario, member_scenario
from sim.spec.config import ConfigError
from sim.spec.observed import read_open_dossiers

KEY = "optimize.start_from"
MAKE = (
    "make the folder with python -m sim.forecast (or sim.calibrate) scenario=NAME "
    "forecast.history=PATH"
)


@dataclass(frozen=True)
class WarmStart:
    folder: str
    start_date: str  # the day after the history's last date
    horizon: int | None  # the forecast's days, when the folder is a forecast's
    open_dossiers: tuple  # RunSpec tuples
    scenarios: tuple  # one scenario block per ensemble member
    calibration_key: str

    def scenario(self, replication: int) -> dict:
        """The scenario of ``replication``: ensemble member ``replication mod M``."""
        return self.scenarios[replication % len(self.scenarios)]

    def describe(self) -> dict:
        return {
            "folder": self.folder,
            "start_date": self.start_date,
            "open_dossiers": len(self.open_dossiers),
            "members": len(self.scenarios),
            "calibration_key": self.calibration_key,
        }


def read_start_from(folder: str | Path, scenario: dict, spec, key: str = KEY) -> WarmStart:
    """The warm start in ``folder`` for ``scenario`` (the composed scenario block) and its
    checked ``spec``.

    Raises:
        ConfigError: naming the folder, the missing or wrong file and the fix.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise ConfigError(f"{key} = {str(folder)!r}: no such folder; {MAKE}", key)
    path = folder / "calibration.json"
    if not path.is_file():
        raise ConfigError(
            f"{key} = {str(folder)!r}: calibration.json not found there; give the output "
            f"folder of python -m sim.forecast or sim.calibrate, or {MAKE}",
            key,
        )
    try:
        calibration = json.loads(path.read_text(encoding="utf-8"))
        members = calibration["members"]
        last = dt.date.fromisoformat(calibration["history_last_date"])
        made_for = calibration["scenario"]
    except (ValueError, KeyError, TypeError) as error:
        raise ConfigError(
            f"{key}: {path} is not a calibration of python -m sim.calibrate ({error}); {MAKE}",
            key,
        ) from None
    if made_for != spec.name:
        raise ConfigError(
            f"{key}: {path} calibrates scenario {made_for!r}, not {spec.name!r}; run with "
            f"scenario={made_for} or give a folder made for {spec.name}",
            key,
        )
    if not members:
        raise ConfigError(f"{key}: {path} has no ensemble members; {MAKE}", key)
    for name, what in (
        ("open_dossiers.csv", "the dossiers open at the history's end"),
        ("start.json", "the clerks' fatigue then"),
    ):
        if not (folder / name).is_file():
            raise ConfigError(
                f"{key} = {str(folder)!r}: {name} not found there ({what}; folders made "
                "before it was written lack it); rerun the same python -m sim.calibrate or "
                "sim.forecast command (the calibration is reused from its cache)",
                key,
            )
    carried_path = folder / "open_dossiers.csv"
    fatigue = json.loads((folder / "start.json").read_text(encoding="utf-8")).get("initial_fatigue")
    communes = [c.name for c in spec.communes]
    items = read_open_dossiers(carried_path, communes, spec.fields, last)
    carried = tuple(
        (d.commune, d.field, d.received_date.isoformat(), d.deadline_date.isoformat())
        for d in items
    )
    horizon = None
    facts = folder / "forecast.json"
    if facts.is_file():
        horizon = int(json.loads(facts.read_text(encoding="utf-8"))["forecast_days"])
    expanded = expanded_scenario(scenario)
    return WarmStart(
        folder=str(folder),
        start_date=(last + dt.timedelta(days=1)).isoformat(),
        horizon=horizon,
        open_dossiers=carried,
        scenarios=tuple(
            member_scenario(expanded, calibration, m, 1, fatigue) for m in range(len(members))
        ),
        calibration_key=str(calibration.get("key", "")),
    )
