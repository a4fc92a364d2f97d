"""A one-stop shop's dossier log (one row per dossier, as the system exports it) turned
into what the forecast reads and what only a log holds.

``read_log`` reads the export (sim/intake/reading.py), makes dossiers of its rows and
lists the rows it cannot use (sim/intake/dossiers.py); a ``DossierLog`` then gives the
daily history and the dossiers open at any date (sim/intake/statistics.py), the
procedure table, the arrival profile and the capacity evidence of the per-dossier
times (sim/intake/evidence.py). ``python -m sim.intake`` writes them all; the forecast
commands read a log through ``forecast.log`` (sim/runs/log_calibration.py).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from sim.intake.dossiers import commune_matcher, read_dossiers
from sim.intake.evidence import capacity_evidence
from sim.intake.reading import read_log_file
from sim.intake.statistics import arrivals, history, last_date, open_at, procedures
from sim.intake.vocabulary import name_map, vocabulary
from sim.spec.config import ConfigError

__all__ = ["DossierLog", "read_log"]


@dataclass(frozen=True, eq=False)
class DossierLog:
    """A read log: its usable dossiers, its problems, and what it names that the
    scenario does not know. Passed along with a history frame (``attrs``), it is shared,
    not copied."""

    path: Path
    digest: str
    rows_read: int
    dossiers: pd.DataFrame = field(repr=False)
    problems: pd.DataFrame = field(repr=False)
    unknown: dict = field(repr=False)
    communes: tuple[str, ...] = ()
    fields: tuple[str, ...] = ()

    def __deepcopy__(self, memo: dict) -> DossierLog:
        return self

    def __str__(self) -> str:
        return f"log {self.path.name} sha256:{self.digest}"

    @property
    def last(self) -> dt.date:
        return last_date(self.dossiers)

    def history(self, until: dt.date | None = None) -> pd.DataFrame:
        """``history.csv``: every date from the first receipt to ``until`` (default the
        log's last date) x the communes found x the scenario's fields."""
        return history(self.dossiers, self.communes, self.fields, until or self.last)

    def open_dossiers(self, day: dt.date | None = None) -> pd.DataFrame:
        """``open_dossiers.csv``: the dossiers open at the end of ``day`` (default the
        log's last date)."""
        return open_at(self.dossiers, day or self.last)

    def procedures(self) -> pd.DataFrame:
        return procedures(self.dossiers)

    def arrivals(self) -> pd.DataFrame:
        return arrivals(self.dossiers)

    def capacity(self, until: dt.date, first: dt.date | None = None) -> dict[str, dict]:
        """Capacity evidence per cell from the dossiers received up to ``until``, over
        the standing-queue days from ``first`` to ``until``."""
        end = pd.Timestamp(until) + pd.Timedelta(days=1)
        seen = self.dossiers[self.dossiers["received_at"] < end].copy()
        late = seen["closed_at"] >= end
        seen.loc[late, ["closed_at", "resolved_at"]] = pd.NaT
        seen.loc[late, "outcome"] = "open"
        return capacity_evidence(history(seen, self.communes, self.fields, until), seen, first)

    def summary(self) -> dict:
        """What was read: rows, date range, communes and fields, unknown names."""
        data = self.dossiers
        return {
            "log": str(self.path),
            "sha256": self.digest,
            "rows_read": self.rows_read,
            "rows_used": len(data),
            "rows_with_problems": int(self.problems["row"].nunique()),
            "first_date": data["received_at"].min().date().isoformat() if len(data) else None,
            "last_date": self.last.isoformat() if len(data) else None,
            "communes": {c: int(n) for c, n in data["commune"].value_counts().items()},
            "fields": {f: int(n) for f, n in data["field"].value_counts().items()},
            "outcomes": {o: int(n) for o, n in data["outcome"].value_counts().items()},
            **self.unknown,
        }


def read_log(
    path: Path | str,
    communes: Mapping[str, str],
    fields: Sequence[str],
    commune_map: object = None,
    field_map: object = None,
    keys: tuple[str, str] = ("intake.communes", "intake.fields"),
) -> DossierLog:
    """Read an export. ``communes``: the scenario's commune ids -> display names;
    ``fields``: its field keys; ``commune_map`` (``intake.communes``) and ``field_map``
    (``intake.fields``): a log's names -> ids and keys, beside configs/intake (a dict or
    ``"NAME=VALUE"`` texts; ``keys``: the settings' names in messages).

    Raises:
        ConfigError: a file that cannot be read, or no usable header.
    """
    path = Path(path)
    commune_map = name_map(commune_map, keys[0])
    field_map = name_map(field_map, keys[1])
    wrong = {k: v for k, v in commune_map.items() if v not in communes}
    if wrong:
        name, value = next(iter(wrong.items()))
        raise ConfigError(
            f"{keys[0]}: {name} = {value!r}: not a commune id of the scenario; "
            f"allowed: {', '.join(communes)}",
            keys[0],
        )
    vocab = vocabulary(field_map)
    raw = read_log_file(path, vocab)
    matcher = commune_matcher(vocab, communes, commune_map)
    dossiers, problems, unknown = read_dossiers(raw, vocab, matcher, list(fields))
    if dossiers.empty:
        raise ConfigError(
            f"{path}: no usable dossier in {len(raw)} rows"
            + (
                f" (row {problems['row'].iloc[0]} column {problems['column'].iloc[0]}: "
                f"{problems['reason'].iloc[0]})"
                if len(problems)
                else ""
            )  # fmt: skip
            + "; check the file against configs/intake/log_template.csv"
        )
    found = set(dossiers["commune"])
    return DossierLog(
        path=path,
        digest=hashlib.sha256(path.read_bytes()).hexdigest()[:16],
        rows_read=len(raw),
        dossiers=dossiers,
        problems=problems,
        unknown=unknown,
        communes=tuple(c for c in communes if c in found),
        fields=tuple(fields),
    )
