"""The run report's capacity section and the warning it opens with when a cell grows."""

from __future__ import annotations

import html

import pandas as pd

from sim.core.summary import format_value
from sim.runs.capacity import growing_cells

MAX_ROWS = 100


def _e(text) -> str:
    return html.escape(str(text))


def _table(header: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{_e(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def growing_warning_html(capacity: pd.DataFrame | None) -> str:
    """A warning first thing when some commune x field gets more work than it can do."""
    if capacity is None or not len(capacity):
        return ""
    growing = growing_cells(capacity)
    if not len(growing):
        return ""
    cells = ", ".join(
        f"{row.commune} {row.field} (load {row.load:.2f})" for row in growing.head(8).itertuples()
    )
    more = f" and {len(growing) - 8} more" if len(growing) > 8 else ""
    return (
        '<div class="warn"><strong>Warning: backlogs that keep growing.</strong> '
        f"{len(growing)} commune x field cell{'s' * (len(growing) > 1)} received more work "
        f"than its clerks can do: {_e(cells)}{_e(more)}. Their queues grow for as long as "
        "the run lasts, so their on-time rates, backlogs and waiting times depend on the "
        'run length; see "Capacity against demand" and capacity.csv.</div>'
    )


def capacity_html(capacity: pd.DataFrame) -> str:
    """The capacity table, the most loaded cells first."""
    ordered = capacity.sort_values("load", ascending=False)
    rows = [
        [
            f"{r.commune.replace('_', ' ')}: {r.field.replace('_', ' ')}",
            format_value(r.demand_hours_per_day, "hours"),
            format_value(r.capacity_hours_per_day, "hours"),
            "-" if pd.isna(r.load) else f"{r.load:.2f}",
            r.verdict,
            "-" if pd.isna(r.days_to_clear) else f"{r.days_to_clear:.1f}",
            r.busiest_month or "-",
            "-" if pd.isna(r.busiest_month_load) else f"{r.busiest_month_load:.2f}",
        ]
        for r in ordered.head(MAX_ROWS).itertuples()
    ]
    note = (
        '<p class="note">Demand: work of the dossiers received after the warm-up, in '
        "clerk-hours at proficiency 1 per working day. Capacity: the clerks' hours at work "
        "less competing duties, times the day's working conditions and their proficiency, "
        "shared over fields as their time was. Load = demand / capacity: stable below "
        "0.9, tight to 1, growing at 1 or more. Days to clear: working days for the "
        "backlog at the end to clear, where stable.</p>"
    )
    header = [
        "commune: field",
        "demand (h/day)",
        "capacity (h/day)",
        "load",
        "verdict",
        "days to clear",
        "busiest month",
        "its load",
    ]
    more = ""
    if len(ordered) > MAX_ROWS:
        more = f"<p>The {MAX_ROWS} most loaded of {len(ordered)} (capacity.csv).</p>"
    return "<h2>Capacity against demand</h2>" + note + more + _table(header, rows)
