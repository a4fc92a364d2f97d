"""A planner's own data: ``history.csv`` (daily statistics) and ``open_dossiers.csv``.

``history.csv`` has one row per date x commune x field, columns ``date, commune, field,
received, resolved, resolved_on_time, open_end, overdue_end`` (dates ``YYYY-MM-DD``,
counts whole numbers >= 0). ``open_end`` counts every dossier received and neither
resolved nor withdrawn at the end of the day, wherever it is; ``overdue_end`` those of
them past their deadline (the model's ``backlog`` and ``overdue_open``). A missing row
means nothing was received or resolved that day; its ``open_end`` and ``overdue_end``
are the previous day's.

``open_dossiers.csv`` (optional) lists the dossiers open at the end of the history:
``commune, field, received_date, deadline_date``. Without it, they are rebuilt from
``open_end`` and ``overdue_end`` of the last date (``rebuild_open_dossiers``).

Both go through the project's one CSV reader (sim/spec/tables.py: ``;`` separators,
decimal commas, cp1258); any problem stops with the file, row, column, value and fix.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sim.spec.config import ConfigError
from sim.spec.tables import read_rows, table_errors

HISTORY_COLUMNS = (
    "date",
    "commune",
    "field",
    "received",
    "resolved",
    "resolved_on_time",
    "open_end",
    "overdue_end",
)
COUNTS = HISTORY_COLUMNS[3:]
OPEN_COLUMNS = ("commune", "field", "received_date", "deadline_date")


@dataclass(frozen=True)
class OpenDossier:
    """One dossier open at the end of the history (dates as ``datetime.date``)."""

    commune: str
    field: str
    received_date: dt.date
    deadline_date: dt.date


def read_history(
    path: Path | str,
    communes: Iterable[str],
    fields: Iterable[str],
    aliases: Mapping[str, str] | None = None,
    missing_days: str = "stop",
) -> pd.DataFrame:
    """The history as a complete table: one row per date x commune x field.

    Every date from the first to the last is there; a missing row gets zero received
    and resolved and the previous day's ``open_end`` and ``overdue_end`` (zero before
    the cell's first row). Columns: ``HISTORY_COLUMNS`` with ``date`` a
    ``datetime.date``, sorted by date, commune, field. ``aliases``: other names of a
    commune (its display name) -> its id. A working day (Monday to Friday) with no row
    for any commune stops the reading, the dates named, unless ``missing_days`` is
    ``"zero"`` (the offices were truly quiet then).

    Raises:
        ConfigError: naming the file, row, column, bad value and the fix.
    """
    path = Path(path)
    communes, fields = list(communes), list(fields)
    rows = _rows(path, HISTORY_COLUMNS)
    aliases = dict(aliases or {})
    records = []
    seen: dict[tuple, int] = {}
    for number, row in rows:
        date = _date(path, number, "date", row)
        commune = _choice(
            path, number, "commune", row, communes, "the scenario's commune ids", aliases
        )
        field = _choice(path, number, "field", row, fields, "the scenario's field keys")
        counts = {c: _count(path, number, c, row) for c in COUNTS}
        if counts["resolved_on_time"] > counts["resolved"]:
            raise ConfigError(
                f"{path} row {number} column resolved_on_time = {counts['resolved_on_time']}: "
                f"more than resolved ({counts['resolved']}); on-time results are part of "
                "the resolved ones"
            )
        if counts["overdue_end"] > counts["open_end"]:
            raise ConfigError(
                f"{path} row {number} column overdue_end = {counts['overdue_end']}: more "
                f"than open_end ({counts['open_end']}); overdue dossiers are open ones"
            )
        key = (date, commune, field)
        if key in seen:
            raise ConfigError(
                f"{path} row {number}: {date} {commune} {field} already given on row "
                f"{seen[key]}; give one row per date, commune and field"
            )
        seen[key] = number
        records.append({"date": date, "commune": commune, "field": field, **counts})
    frame = pd.DataFrame.from_records(records, columns=list(HISTORY_COLUMNS))
    dates = pd.date_range(frame["date"].min(), frame["date"].max(), freq="D").date
    absent = sorted(set(dates) - set(frame["date"]))
    if missing_days != "zero" and any(d.weekday() < 5 for d in absent):
        raise ConfigError(
            f"{path}: no row for any commune on {_spans([d for d in absent if d.weekday() < 5])}; "
            "add those days' rows, or set forecast.missing_days=zero if the offices were "
            "truly quiet then (nothing received or resolved)",
            "forecast.missing_days",
        )
    index = pd.MultiIndex.from_product(
        [dates, communes, fields], names=["date", "commune", "field"]
    )
    full = frame.set_index(["date", "commune", "field"]).reindex(index)
    flows = ["received", "resolved", "resolved_on_time"]
    full[flows] = full[flows].fillna(0)
    stocks = ["open_end", "overdue_end"]
    full[stocks] = full[stocks].groupby(level=["commune", "field"]).ffill().fillna(0)
    return full.astype(int).reset_index()


def read_open_dossiers(
    path: Path | str,
    communes: Iterable[str],
    fields: Iterable[str],
    last_date: dt.date,
    aliases: Mapping[str, str] | None = None,
) -> list[OpenDossier]:
    """The dossiers open at the end of the history (``last_date``).

    Raises:
        ConfigError: naming the file, row, column, bad value and the fix.
    """
    path = Path(path)
    communes, fields = list(communes), list(fields)
    result = []
    for number, row in _rows(path, OPEN_COLUMNS, allow_empty=True):
        commune = _choice(
            path, number, "commune", row, communes, "the scenario's commune ids", aliases
        )
        field = _choice(path, number, "field", row, fields, "the scenario's field keys")
        received = _date(path, number, "received_date", row)
        deadline = _date(path, number, "deadline_date", row)
        if received > last_date:
            raise ConfigError(
                f"{path} row {number} column received_date = {received}: after the "
                f"history's last date {last_date}; list the dossiers open on that date"
            )
        if deadline < received:
            raise ConfigError(
                f"{path} row {number} column deadline_date = {deadline}: before "
                f"received_date {received}; a deadline falls on or after receipt"
            )
        result.append(OpenDossier(commune, field, received, deadline))
    return result


def rebuild_open_dossiers(
    history: pd.DataFrame, deadline_days: dict[str, int]
) -> list[OpenDossier]:
    """Open dossiers from ``open_end`` and ``overdue_end`` of the history's last date.

    Per commune and field, the ``open_end - overdue_end`` dossiers not yet overdue are
    taken as the latest receipts (their receipt dates from the last days' ``received``,
    newest first), due ``deadline_days[field]`` calendar days after receipt but not
    before the day after the last date; the ``overdue_end`` overdue ones as received
    ``deadline_days + 1`` days before the last date, due the day before it.
    """
    last = max(history["date"])
    result = []
    for (commune, field), cell in history.groupby(["commune", "field"], sort=False):
        cell = cell.sort_values("date", ascending=False)
        end = cell.iloc[0]
        due_days = int(deadline_days.get(field, 1))
        pending = int(end["open_end"] - end["overdue_end"])
        for date, received in zip(cell["date"], cell["received"], strict=True):
            take = min(pending, int(received))
            deadline = max(date + dt.timedelta(days=due_days), last + dt.timedelta(days=1))
            result += [OpenDossier(commune, field, date, deadline)] * take
            pending -= take
            if pending == 0:
                break
        if pending:  # more open than the history received: as received on the last date
            deadline = last + dt.timedelta(days=max(due_days, 1))
            result += [OpenDossier(commune, field, last, deadline)] * pending
        overdue = int(end["overdue_end"])
        received = last - dt.timedelta(days=due_days + 1)
        result += [OpenDossier(commune, field, received, last - dt.timedelta(days=1))] * overdue
    return result


def totals(history: pd.DataFrame, by: str = "commune") -> pd.DataFrame:
    """Daily sums per ``by`` ("commune" or "field"), plus the ``all`` total, long form."""
    columns = list(COUNTS)
    per = history.groupby(["date", by], sort=True)[columns].sum().reset_index()
    overall = history.groupby("date", sort=True)[columns].sum().reset_index()
    overall[by] = "all"
    return pd.concat([per, overall[per.columns]], ignore_index=True)


def history_hash(path: Path | str) -> str:
    """A short hash of a file's bytes (calibrations are cached by it)."""
    import hashlib

    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:16]


# -- cells --------------------------------------------------------------------------------
def _rows(path: Path, columns: tuple[str, ...], allow_empty: bool = False):
    if not path.is_file():
        raise ConfigError(f"{path}: no such file; give the path of the CSV file")
    with table_errors(path):
        header, rows, sep = read_rows(path)
    missing = [c for c in columns if c not in header]
    if missing:
        raise ConfigError(
            f"{path} row 1: missing column(s) {', '.join(missing)} (cells separated by "
            f"{sep!r}); the header needs: {', '.join(columns)}"
        )
    extra = [c for c in header if c not in columns]
    if extra:
        raise ConfigError(
            f"{path} row 1 column {extra[0]}: unknown column; allowed: {', '.join(columns)}"
        )
    if not rows and not allow_empty:
        raise ConfigError(f"{path}: no data rows after the header; give at least one day")
    for index, row in enumerate(rows):
        if row.get(None):
            raise ConfigError(
                f"{path} row {index + 2}: more cells than the header has columns "
                f"({', '.join(map(str, row[None]))} left over); check the separators"
            )
        yield index + 2, row


def _cell(path: Path, number: int, column: str, row: dict) -> str:
    text = (row.get(column) or "").strip()
    if not text:
        raise ConfigError(f"{path} row {number} column {column}: empty; give a value")
    return text


def _date(path: Path, number: int, column: str, row: dict) -> dt.date:
    text = _cell(path, number, column, row)
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ConfigError(
            f"{path} row {number} column {column} = {text!r}: not a date; write it "
            "YYYY-MM-DD, e.g. 2025-09-30"
        ) from None


def _spans(dates: list[dt.date]) -> str:
    """Dates as runs: ``2025-08-04 to 2025-08-08, 2025-08-20``."""
    runs: list[list[dt.date]] = []
    for date in dates:
        if runs and (date - runs[-1][-1]).days <= 3:  # a weekend between is one run
            runs[-1].append(date)
        else:
            runs.append([date])
    return ", ".join(r[0].isoformat() if len(r) == 1 else f"{r[0]} to {r[-1]}" for r in runs)


def _choice(
    path: Path,
    number: int,
    column: str,
    row: dict,
    allowed: list,
    what: str,
    aliases: Mapping[str, str] | None = None,
) -> str:
    text = _cell(path, number, column, row)
    if aliases:
        text = aliases.get(unicodedata.normalize("NFC", text), text)
    if text not in allowed:
        raise ConfigError(
            f"{path} row {number} column {column} = {text!r}: not one of {what}: "
            f"{', '.join(allowed)}"
        )
    return text


def _count(path: Path, number: int, column: str, row: dict) -> int:
    text = _cell(path, number, column, row)
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not np.isfinite(value) or value < 0 or not value.is_integer():
        raise ConfigError(
            f"{path} row {number} column {column} = {text!r}: must be a whole number "
            "of dossiers >= 0"
        )
    return int(value)
