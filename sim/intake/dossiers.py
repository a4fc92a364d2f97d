"""From the export's cells to dossiers the statistics can count, and the problems.

A row becomes a dossier when its commune and field are known to the scenario, its
receipt and deadline dates are read, and its dates agree (no result or return before
receipt, no deadline before the day of receipt). Its outcome: ``withdrawn`` or
``refused`` when the status says so (it closes on its ``returned_at`` date, else its
``resolved_at``), else ``resolved`` on ``resolved_at`` (or ``returned_at`` when the
status says it is resolved and no result date is given), else ``open``. Every other row
is a problem: its row number, column, value and reason, never dropped in silence.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from sim.intake.dates import parse_dates
from sim.intake.vocabulary import (
    CANONICAL,
    DATE_COLUMNS,
    Vocabulary,
    fold,
    nfc,
    strip_text,
    unique_map,
)

# the dossier table: the export's columns (canonical names), then what was made of them
DOSSIER_COLUMNS = ("row", *CANONICAL[:-1], "outcome", "closed_at", "timed")


def commune_matcher(
    vocab: Vocabulary, display: Mapping[str, str], mapping: Mapping[str, str]
) -> dict[str, str]:
    """Folded name (unit prefixes dropped) -> commune id: the ids themselves, the
    display names, and ``mapping`` (a log's name -> id, ``intake.communes``)."""
    names = {}
    for commune_id, shown in display.items():
        names[vocab.unit_name(commune_id)] = commune_id
        if shown:
            names[vocab.unit_name(shown)] = commune_id
    for written, commune_id in mapping.items():
        names[fold(written)] = commune_id
        names[vocab.unit_name(written)] = commune_id
    return names


class Problems:
    """Rows that cannot be used: row number, column, value, reason."""

    def __init__(self) -> None:
        self.parts: list[pd.DataFrame] = []

    def add(self, frame: pd.DataFrame, mask: pd.Series, column: str, reason: str) -> None:
        if mask.any():
            part = frame.loc[mask, ["row"]].copy()
            part["column"] = column
            part["value"] = frame.loc[mask, column].astype(str) if column in frame else ""
            part["reason"] = reason
            self.parts.append(part)

    def table(self) -> pd.DataFrame:
        if not self.parts:
            return pd.DataFrame(columns=["row", "column", "value", "reason"])
        return pd.concat(self.parts, ignore_index=True).sort_values("row", kind="stable")


def read_dossiers(
    raw: pd.DataFrame,
    vocab: Vocabulary,
    communes: Mapping[str, str],
    fields: Sequence[str],
) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """The usable dossiers (DOSSIER_COLUMNS), the problems, and what was not known:
    ``unknown_fields`` and ``unknown_communes`` (name -> rows) and ``unknown_statuses``.

    ``communes``: from ``commune_matcher``; ``fields``: the scenario's field keys.
    """
    problems = Problems()
    text = {c: unique_map(raw[c], strip_text) for c in ("commune", "field", "status")}
    for column in vocab.required:
        if column not in DATE_COLUMNS:
            problems.add(raw, text[column] == "" if column in text else raw[column] == "",
                         column, "empty; give a value")  # fmt: skip
    problems.add(raw, raw["overflow"] != "", "overflow", "more cells than the header has columns")
    dates = {}
    timed = None
    for column in DATE_COLUMNS:
        values, bad, has_time = parse_dates(raw[column])
        dates[column] = values
        problems.add(
            raw, bad, column, "not a date: write dd/mm/yyyy HH:MM, dd/mm/yyyy or yyyy-mm-dd"
        )
        if column in vocab.required:
            empty = values.isna() & ~bad
            problems.add(raw, empty, column, "empty; give a date")
        if column == "received_at":
            timed = has_time
    # fields and communes: each distinct text looked up once
    field_key = unique_map(text["field"], lambda v: vocab.fields.get(fold(v)) if v else None)
    unknown_field = (text["field"] != "") & field_key.isna()
    problems.add(raw, unknown_field, "field", "not in configs/intake/fields.yaml; add it")
    outside = field_key.notna() & ~field_key.isin(list(fields))
    problems.add(
        raw, outside, "field", f"mapped to a field key the scenario lacks ({', '.join(fields)})"
    )
    commune_id = unique_map(
        text["commune"], lambda v: communes.get(vocab.unit_name(v)) if v else None
    )
    unknown_commune = (text["commune"] != "") & commune_id.isna()
    problems.add(
        raw,
        unknown_commune,
        "commune",
        "not a commune of the scenario; map it with intake.communes",
    )
    statuses = {v: vocab.status_of(v) for v in pd.unique(text["status"]) if v}
    status = unique_map(text["status"], lambda v: statuses.get(v))
    received, resolved, returned = dates["received_at"], dates["resolved_at"], dates["returned_at"]
    problems.add(raw, resolved < received, "resolved_at", "result before receipt")
    problems.add(raw, returned < received, "returned_at", "returned before receipt")
    due_early = dates["due_at"].dt.normalize() < received.dt.normalize()
    problems.add(raw, due_early, "due_at", "deadline before the day of receipt")
    leaving = status.isin(["withdrawn", "refused"])
    problems.add(raw, leaving & returned.isna() & resolved.isna(), "returned_at",
                 "withdrawn or refused without a date; give returned_at")  # fmt: skip
    done_undated = status.eq("resolved") & resolved.isna() & returned.isna()
    problems.add(raw, done_undated, "resolved_at", "status says resolved but no result date")
    ids = unique_map(raw["dossier_id"], strip_text)
    duplicate = (ids != "") & ids.duplicated(keep="first")
    problems.add(raw, duplicate, "dossier_id", "the same dossier on an earlier row")
    table = problems.table()
    good = ~raw["row"].isin(table["row"])
    resolved_on = resolved.where(resolved.notna() | ~status.eq("resolved"), returned)
    outcome = pd.Series(np.where(resolved_on.notna(), "resolved", "open"), index=raw.index)
    outcome[leaving] = status[leaving]
    closed = resolved_on.where(~leaving, returned.fillna(resolved))
    dossiers = pd.DataFrame(
        {
            "row": raw["row"],
            "dossier_id": ids,
            "procedure": unique_map(raw["procedure"], nfc),
            "field": field_key,
            "commune": commune_id,
            "channel": unique_map(raw["channel"], vocab.channel_of),
            "received_at": received,
            "due_at": dates["due_at"],
            "resolved_at": resolved_on.where(outcome == "resolved"),
            "returned_at": returned,
            "outcome": outcome,
            "closed_at": closed.where(outcome != "open"),
            "timed": timed,
        }
    )[good][list(DOSSIER_COLUMNS)].reset_index(drop=True)
    known = {
        "unknown_fields": _rows_of(raw, text["field"], unknown_field),
        "unknown_communes": _rows_of(raw, text["commune"], unknown_commune),
        "unknown_statuses": sorted(nfc(s) for s, o in statuses.items() if o is None),
    }
    return dossiers, table.reset_index(drop=True), known


def _rows_of(raw: pd.DataFrame, names: pd.Series, mask: pd.Series) -> dict[str, int]:
    """Name (NFC) -> rows that carry it, for the rows of ``mask``, most first."""
    counts = names[mask].map(nfc).value_counts()
    return {str(k): int(v) for k, v in counts.items()}
