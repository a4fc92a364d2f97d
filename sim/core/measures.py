"""Every measure of the model, declared once: what is counted, what daily.csv shows and
what a summary holds.

Three tables, each the only list of its kind; everything else is derived from them:

- ``TALLY``: the running totals of each tally row (a commune x field cell, an equity
  group). The state's tally layout (``t_count``, ``t_sum`` widths, sim/core/state.py),
  the compiled loop's column numbers (sim/core/tallies.py) and the ``Tally`` figures
  (sim/core/metrics.py) come from it.
- ``DAILY``: the columns of ``daily.csv``. A column reads one of today's totals (kept by
  the compiled loop: the state's ``today`` vector is derived from these columns), a mean
  of two of them, or a reading of the model at the end of the day (``READING``: the
  model supplies it under the column's name, sim/abm/model.py).
- ``FIGURES``: the figures of ``summary.json``, with where each is shown (``views``).
  With ``of`` a figure is computed from a slice's tally (a country recomputes it exactly
  from its provinces' merged tallies); without, the model supplies it.

Adding a measure: a line here (and, for a count the loop must make, the line of the
compiled loop that adds to it: sim/core/tallies.py); its words (label, unit, column
header) go to sim/reports/figure_text.py with their translation in
sim/reports/translations.yaml. It then shows in summary.json, daily.csv, the report,
replications.csv and comparison.csv (``STUDY``). New entries go at the end of ``TALLY``
so that the compiled loop's column numbers of the others stay as they are.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

# -- the tally rows' running totals -----------------------------------------------------
COUNT = "count"  # whole dossiers (t_count, int64)
SUM = "sum"  # hours or km (t_sum, float64)


@dataclass(frozen=True)
class Column:
    """One running total of every tally row."""

    name: str
    kind: str  # COUNT or SUM
    meaning: str


# fmt: off
TALLY: tuple[Column, ...] = (
    Column("created", COUNT, "dossiers made (every dossier, carried-over ones included)"),
    Column("resolved", COUNT, "dossiers resolved"),
    Column("withdrawn", COUNT, "dossiers withdrawn"),
    Column("created_counted", COUNT, "dossiers submitted after the warm-up"),
    Column("online_counted", COUNT, "of them online"),
    Column("resolved_counted", COUNT, "resolved dossiers submitted after the warm-up"),
    Column("on_time", COUNT, "of them on time"),
    Column("wait_sum", SUM, "back-office waits (hours) of counted dossiers"),
    Column("wait_n", COUNT, "counted dossiers first taken up at a back office"),
    Column("sojourn_sum", SUM, "hours from submission to result of counted dossiers"),
    Column("open_hours", SUM, "dossier-hours open inside the measured window"),
    Column("reception_wait_sum", SUM, "waits at the PASC reception desk (hours)"),
    Column("reception_wait_n", COUNT, "counted dossiers first taken up at the desk"),
    Column("province_wait_sum", SUM, "waits at provincial departments (hours)"),
    Column("province_wait_n", COUNT, "counted dossiers first taken up at the province"),
    Column("ahead", COUNT, "resolved on a day before the deadline's day"),
    Column("days_sum", SUM, "working days from submission to result"),
    Column("citizen_trips", COUNT, "applicants' trips to the PASC (every dossier)"),
    Column("citizen_km", SUM, "km travelled on them, there and back"),
    Column("counter_hours", SUM, "applicants' hours at the reception desk"),
)
# fmt: on
HISTOGRAMS = ("hist", "days_hist")  # sojourn hours, working days to result (t_hist, ...)

# -- daily.csv ------------------------------------------------------------------------
TODAY_TOTAL = "today"  # one of today's totals (the compiled loop adds to it)
TODAY_MEAN = "mean"  # today's total ``of`` divided by today's total ``per`` (NaN when 0)
READING = "reading"  # read off the model at the end of the day (sim/abm/model.py)


@dataclass(frozen=True)
class Daily:
    """One column of daily.csv (after ``date``)."""

    name: str
    source: str = TODAY_TOTAL
    of: str = ""  # TODAY_TOTAL: the total shown (default: the column's name); MEAN: numerator
    per: str = ""  # TODAY_MEAN: the count the mean is over

    @property
    def total(self) -> str:
        return self.of or self.name


# fmt: off
DAILY: tuple[Daily, ...] = (
    Daily("received"),
    Daily("online_received"),
    Daily("resolved"),
    Daily("resolved_on_time"),
    Daily("withdrawn"),
    Daily("backlog", READING),
    Daily("overdue_open", READING),
    Daily("queued", READING),
    Daily("other_duty_hours", READING),
    Daily("clerks_on_duty", READING),
    Daily("resolved_ahead"),
    Daily("citizen_trips"),
    Daily("reception_started"),
    Daily("mean_reception_wait_hours", TODAY_MEAN, "reception_wait", "reception_started"),
    Daily("backoffice_started"),
    Daily("mean_backoffice_wait_hours", TODAY_MEAN, "backoffice_wait", "backoffice_started"),
    Daily("province_started"),
    Daily("province_mean_wait_hours", TODAY_MEAN, "province_wait", "province_started"),
)
# fmt: on


# -- first waits, by kind of office (OFFICE_KINDS order, sim/core/state.py) ----------------
@dataclass(frozen=True)
class FirstWait:
    """Where a dossier first taken up at a kind of office counts its wait: today's count
    and sum, then the counted dossiers' tally count and sum."""

    started_today: str
    wait_today: str
    counted: str
    wait_sum: str


FIRST_WAITS: dict[str, FirstWait] = {
    "back_office": FirstWait("backoffice_started", "backoffice_wait", "wait_n", "wait_sum"),
    "desk": FirstWait(
        "reception_started", "reception_wait", "reception_wait_n", "reception_wait_sum"
    ),
    "province": FirstWait(
        "province_started", "province_wait", "province_wait_n", "province_wait_sum"
    ),
}

# -- summary figures ------------------------------------------------------------------
HEADLINE = "headline"  # the run report's cards and the terminal table
SLICE_TABLE = "slice_table"  # the run report's tables by field and by commune
FIELD_LINE = "field_line"  # the terminal table's line per field
STUDY = "study"  # compared between policies by the sweep analysis (comparison.csv)
CHECKED = "checked"  # the output regression's statistical check
ALL_VIEWS = (HEADLINE, SLICE_TABLE, FIELD_LINE, STUDY, CHECKED)

# kinds of number: how a value is written and the range it can take
KIND_BOUNDS: dict[str, tuple[float, float]] = {
    "count": (0.0, math.inf),
    "mean": (0.0, math.inf),
    "rate": (0.0, 1.0),  # shown in %
    "hours": (0.0, math.inf),
    "vnd": (0.0, math.inf),
}


@dataclass(frozen=True)
class Figure:
    """One figure of a summary (its words, for readers, are in sim/reports/figure_text.py).

    Args:
        key: its name in ``summary.json`` (and in tables, plots and regress files).
        kind: how it is written and its range (a key of ``KIND_BOUNDS``).
        views: where it is shown (``HEADLINE``, ``SLICE_TABLE``, ...).
        of: its value from a slice (sim/core/summary.py ``Slice``), when it comes from
            tallies; None when the model supplies it (a country then adds up its
            provinces' values).
    """

    key: str
    kind: str
    views: tuple[str, ...] = ()
    of: Callable[[Any], float] | None = None

    @property
    def bounds(self) -> tuple[float, float]:
        """The range the figure can take (for clipping intervals)."""
        return KIND_BOUNDS[self.kind]


def _ratio(a: float, b: float) -> float:
    return a / b if b > 0 else float("nan")


_H, _T, _F, _S, _C = HEADLINE, SLICE_TABLE, FIELD_LINE, STUDY, CHECKED
# fmt: off
FIGURES: tuple[Figure, ...] = (
    Figure("dossiers_created", "count", (_H, _T, _F, _C), lambda s: s.tally.created),
    Figure("dossiers_resolved", "count", (_H, _T, _S, _C), lambda s: s.tally.resolved),
    Figure("dossiers_open", "count", (_H, _T), lambda s: s.tally.open),
    Figure("dossiers_withdrawn", "count", (_C,), lambda s: s.tally.withdrawn),
    Figure("on_time_rate", "rate", (_H, _T, _F, _S, _C),
           lambda s: _ratio(s.tally.on_time, s.tally.resolved_counted)),
    Figure("dossiers_late", "count", (_H,),
           lambda s: int(s.tally.resolved_counted - s.tally.on_time)),
    Figure("overdue_open", "count", (_H, _T, _F, _S, _C), lambda s: s.overdue),
    Figure("overdue_dossiers", "count", (_H, _T, _S, _C),
           lambda s: int(s.tally.resolved_counted - s.tally.on_time) + s.overdue),
    Figure("mean_wait_hours", "hours", (_C,),
           lambda s: _ratio(s.tally.wait_sum, s.tally.wait_n)),
    Figure("mean_reception_wait_hours", "hours", (_H, _T, _S, _C),
           lambda s: _ratio(s.tally.reception_wait_sum, s.tally.reception_wait_n)),
    Figure("mean_backoffice_wait_hours", "hours", (_H, _T, _F, _S, _C),
           lambda s: _ratio(s.tally.wait_sum, s.tally.wait_n)),
    Figure("province_mean_wait_hours", "hours", (_H, _S, _C),
           lambda s: _ratio(s.tally.province_wait_sum, s.tally.province_wait_n)),
    Figure("mean_working_days_to_result", "mean", (_H, _T, _S, _C),
           lambda s: _ratio(s.tally.days_sum, s.tally.resolved_counted)),
    Figure("p95_working_days_to_result", "mean", (_H, _S, _C),
           lambda s: s.tally.quantile(0.95, s.tally.days_hist)),
    Figure("ahead_of_deadline_rate", "rate", (_H, _T, _S, _C),
           lambda s: _ratio(s.tally.ahead, s.tally.resolved_counted)),
    Figure("on_time_rate_ranking", "rate", (_H, _T, _S, _C),
           lambda s: _ratio(s.tally.on_time, s.tally.resolved_counted + s.overdue)),
    Figure("mean_sojourn_hours", "hours", (_H, _T, _F, _S, _C),
           lambda s: _ratio(s.tally.sojourn_sum, s.tally.resolved_counted)),
    Figure("p95_sojourn_hours", "hours", (_H, _T, _C), lambda s: s.tally.quantile(0.95)),
    Figure("mean_backlog", "mean", (_H, _S, _C),
           lambda s: _ratio(s.tally.open_hours + s.open_hours, s.window_hours)),
    Figure("utilization", "rate", (_H, _T, _C),
           lambda s: _ratio(s.busy_hours + s.duty_hours, s.available_hours)),
    Figure("utilization_dossiers", "rate", (_T, _C),
           lambda s: _ratio(s.busy_hours, s.available_hours)),
    Figure("utilization_other_duties", "rate", (_T, _C),
           lambda s: _ratio(s.duty_hours, s.available_hours)),
    Figure("commune_utilization", "rate", (_H,)),
    Figure("province_utilization", "rate", (_H,)),
    Figure("online_share", "rate", (_H, _T, _C),
           lambda s: _ratio(s.tally.online_counted, s.tally.created_counted)),
    Figure("citizen_trips", "count", (_C,), lambda s: s.tally.citizen_trips),
    Figure("citizen_hours", "hours", (_C,), lambda s: s.citizen_hours()),
    Figure("citizen_cost_vnd", "vnd", (_C,), lambda s: s.citizen_cost_vnd()),
    Figure("citizen_trips_per_dossier", "mean", (_H, _T, _S, _C),
           lambda s: _ratio(s.tally.citizen_trips, s.tally.created)),
    Figure("citizen_hours_per_dossier", "hours", (_H, _T, _S, _C),
           lambda s: _ratio(s.citizen_hours(), s.tally.created)),
    Figure("citizen_cost_vnd_per_dossier", "vnd", (_H, _T, _S, _C),
           lambda s: _ratio(s.citizen_cost_vnd(), s.tally.created)),
    Figure("policy_cost_vnd", "vnd", (_H, _S, _C)),
    Figure("policy_opportunity_cost_vnd", "vnd", (_S, _C)),
)
# fmt: on
