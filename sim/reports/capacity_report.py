"""The run report's capacity section and the warning it opens with when a cell grows."""

from __future__ import annotations

import html
from collections.abc import Mapping

import pandas as pd

from sim.core.summary import format_value
from sim.reports.i18n import localize, month, number, t
from sim.runs.capacity import growing_cells

MAX_ROWS = 100


def _e(text) -> str:
    return html.escape(str(text))


def _table(header: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{_e(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def _cell_name(commune: str, field: str, names: Mapping[str, str]) -> str:
    return f"{names.get(commune) or commune.replace('_', ' ')}: {t(field.replace('_', ' '))}"


def growing_warning_html(
    capacity: pd.DataFrame | None, names: Mapping[str, str] | None = None
) -> str:
    """A warning first thing when some commune x field gets more work than it can do."""
    if capacity is None or not len(capacity):
        return ""
    growing = growing_cells(capacity)
    if not len(growing):
        return ""
    cells = ", ".join(
        t("{cell} (load {load})", cell=_cell_name(r.commune, r.field, names or {}),
          load=number(r.load, 2))
        for r in growing.head(8).itertuples()
    )  # fmt: skip
    more = t(" and {n} more", n=len(growing) - 8) if len(growing) > 8 else ""
    return (
        f'<div class="warn"><strong>{_e(t("Warning: backlogs that keep growing."))}</strong> '
        + _e(
            t(
                "{n} commune x field cell(s) received more work than their clerks can do: "
                "{cells}{more}. Their queues grow for as long as the run lasts, so their "
                "on-time rates, backlogs and waiting times depend on the run length; see "
                '"Capacity against demand" and capacity.csv.',
                n=len(growing),
                cells=cells,
                more=more,
            )
        )
        + "</div>"
    )


def capacity_html(capacity: pd.DataFrame, names: Mapping[str, str] | None = None) -> str:
    """The capacity table, the most loaded cells first."""
    ordered = capacity.sort_values("load", ascending=False)
    rows = [
        [
            _cell_name(r.commune, r.field, names or {}),
            localize(format_value(r.demand_hours_per_day, "hours")),
            localize(format_value(r.capacity_hours_per_day, "hours")),
            "-" if pd.isna(r.load) else number(r.load, 2),
            t(r.verdict),
            "-" if pd.isna(r.days_to_clear) else number(r.days_to_clear, 1),
            month(r.busiest_month),
            "-" if pd.isna(r.busiest_month_load) else number(r.busiest_month_load, 2),
        ]
        for r in ordered.head(MAX_ROWS).itertuples()
    ]
    note = t(
        "Demand: work of the dossiers received after the warm-up, in clerk-hours at "
        "proficiency 1 per working day. Capacity: the clerks' hours at work less competing "
        "duties, times the day's working conditions and their proficiency, shared over "
        "fields as their time was. Load = demand / capacity: stable below 0.9, tight to 1, "
        "growing at 1 or more. Days to clear: working days for the backlog at the end to "
        "clear, where stable."
    )
    header = [
        t(h)
        for h in (
            "commune: field",
            "demand (h/day)",
            "capacity (h/day)",
            "load",
            "verdict",
            "days to clear",
            "busiest month",
            "its load",
        )
    ]
    more = ""
    if len(ordered) > MAX_ROWS:
        text = t("The {shown} most loaded of {n} (capacity.csv).", shown=MAX_ROWS, n=len(ordered))
        more = f"<p>{_e(text)}</p>"
    return (
        f"<h2>{_e(t('Capacity against demand'))}</h2>"
        f'<p class="note">{_e(note)}</p>{more}{_table(header, rows)}'
    )
