"""The figures of a summary: one list naming each (key, label, unit, format), and their
computation from tallies.

Every place that shows, compares or checks summary figures (the model and the country,
the run report and the terminal table, the sweep analysis and its report, the output
regression) reads ``FIGURES`` and its views instead of keeping its own list. Adding a
figure is one ``Figure(...)`` line: with ``of`` when it is computed from a slice's
tally (then a country recomputes it exactly from its provinces' merged tallies),
without when the model supplies it (then a country adds up its provinces' values).
``views`` names where it is shown; each view lists its figures in ``FIGURES`` order.

A summary: the figures of the whole run at the top level, ``by_field`` and
``by_commune`` mapping each slice's name to the same figures for that slice.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from sim.core.metrics import Tally, merge_tallies

# views: where a figure is shown
HEADLINE = "headline"  # the run report's cards and the terminal table
SLICE_TABLE = "slice_table"  # the run report's tables by field and by commune
FIELD_LINE = "field_line"  # the terminal table's line per field
STUDY = "study"  # compared between policies by the sweep analysis and its report
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
class Slice:
    """What one slice's figures are computed from (a field, a commune, or everything).

    ``open_hours``: dossier-hours of the dossiers still open, inside the measured window;
    ``overdue``: open dossiers past their deadline; staff hours busy with dossiers,
    available (at work while the office is open) and taken by competing duties;
    ``citizen_rates``: (VND per km, km per hour, VND per hour of a citizen's time), which
    turn citizens' trips into hours and VND (None: those figures are NaN).
    """

    tally: Tally
    open_hours: float
    overdue: int
    window_hours: float
    busy_hours: float
    available_hours: float
    duty_hours: float = 0.0
    citizen_rates: tuple[float, float, float] | None = None

    def citizen_hours(self) -> float:
        """Travel hours plus hours at the reception desk."""
        if self.citizen_rates is None:
            return math.nan
        return self.tally.citizen_km / self.citizen_rates[1] + self.tally.counter_hours

    def citizen_cost_vnd(self) -> float:
        """Travel VND plus the citizens' hours valued at ``citizen_rates[2]``."""
        if self.citizen_rates is None:
            return math.nan
        vnd_per_km, _, vnd_per_hour = self.citizen_rates
        return self.tally.citizen_km * vnd_per_km + self.citizen_hours() * vnd_per_hour


def merge_slices(slices: Iterable[Slice]) -> Slice:
    """One slice holding the sums of several (provinces of a country): exact, not averaged."""
    slices = list(slices)
    return Slice(
        tally=merge_tallies(s.tally for s in slices),
        open_hours=sum(s.open_hours for s in slices),
        overdue=sum(s.overdue for s in slices),
        window_hours=slices[0].window_hours,
        busy_hours=sum(s.busy_hours for s in slices),
        available_hours=sum(s.available_hours for s in slices),
        duty_hours=sum(s.duty_hours for s in slices),
        citizen_rates=slices[0].citizen_rates,
    )


def _ratio(a: float, b: float) -> float:
    return a / b if b > 0 else float("nan")


@dataclass(frozen=True)
class Figure:
    """One figure of a summary.

    Args:
        key: its name in ``summary.json`` (and in tables, plots and regress files).
        label: what a reader sees, capitalised ("On-time rate").
        unit: what the number counts, as a reader sees it ("% of resolved").
        kind: how it is written and its range (a key of ``KIND_BOUNDS``).
        short: a column header for tables.
        views: where it is shown (``HEADLINE``, ``SLICE_TABLE``, ...).
        of: its value from a slice, when it comes from tallies; None when the model
            supplies it (a country then adds up its provinces' values).
        derived: for a figure computed from other figures, their keys (it is not in
            ``summary.json``; the sweep analysis computes it per replication).
    """

    key: str
    label: str
    unit: str
    kind: str
    short: str
    views: tuple[str, ...] = ()
    of: Callable[[Slice], float] | None = None
    derived: tuple[str, ...] = ()

    @property
    def bounds(self) -> tuple[float, float]:
        """The range the figure can take (for clipping intervals)."""
        return KIND_BOUNDS[self.kind]

    @property
    def title(self) -> str:
        """Label with its unit, lower case, for axes and study tables."""
        return f"{self.label[0].lower()}{self.label[1:]} ({self.unit})"

    def format(self, value) -> str:
        return format_value(value, self.kind)


_H, _T, _F, _S, _C = HEADLINE, SLICE_TABLE, FIELD_LINE, STUDY, CHECKED
# fmt: off
FIGURES: tuple[Figure, ...] = (
    Figure("dossiers_created", "Dossiers received", "dossiers", "count", "received",
           (_H, _T, _F, _C), lambda s: s.tally.created),
    Figure("dossiers_resolved", "Dossiers resolved", "dossiers", "count", "resolved",
           (_H, _T, _S, _C), lambda s: s.tally.resolved),
    Figure("dossiers_open", "Backlog at the end", "open dossiers", "count", "backlog at end",
           (_H, _T), lambda s: s.tally.open),
    Figure("dossiers_withdrawn", "Dossiers withdrawn", "dossiers", "count", "withdrawn",
           (_C,), lambda s: s.tally.withdrawn),
    Figure("on_time_rate", "On-time rate", "% of resolved", "rate", "on-time (%)",
           (_H, _T, _F, _S, _C), lambda s: _ratio(s.tally.on_time, s.tally.resolved_counted)),
    Figure("dossiers_late", "Resolved late", "dossiers resolved after the deadline", "count",
           "resolved late", (_H,), lambda s: int(s.tally.resolved_counted - s.tally.on_time)),
    Figure("overdue_open", "Overdue at the end", "open dossiers past deadline", "count",
           "overdue at end", (_H, _T, _F, _S, _C), lambda s: s.overdue),
    Figure("overdue_dossiers", "Overdue dossiers", "resolved late or open past deadline",
           "count", "overdue dossiers", (_H, _T, _S, _C),
           lambda s: int(s.tally.resolved_counted - s.tally.on_time) + s.overdue),
    Figure("mean_wait_hours", "Mean back-office wait", "hours", "hours", "mean wait (h)",
           (_C,), lambda s: _ratio(s.tally.wait_sum, s.tally.wait_n)),
    Figure("mean_reception_wait_hours", "Mean wait at the reception desk", "hours", "hours",
           "reception wait (h)", (_H, _T, _S, _C),
           lambda s: _ratio(s.tally.reception_wait_sum, s.tally.reception_wait_n)),
    Figure("mean_backoffice_wait_hours", "Mean back-office wait", "hours", "hours",
           "back-office wait (h)", (_H, _T, _F, _S, _C),
           lambda s: _ratio(s.tally.wait_sum, s.tally.wait_n)),
    Figure("province_mean_wait_hours", "Mean wait at provincial departments", "hours", "hours",
           "province wait (h)", (_H, _S, _C),
           lambda s: _ratio(s.tally.province_wait_sum, s.tally.province_wait_n)),
    Figure("mean_working_days_to_result", "Mean working days to result", "working days",
           "mean", "working days to result", (_H, _T, _S, _C),
           lambda s: _ratio(s.tally.days_sum, s.tally.resolved_counted)),
    Figure("p95_working_days_to_result", "p95 working days to result",
           "working days", "mean", "p95 working days", (_H, _S, _C),
           lambda s: s.tally.quantile(0.95, s.tally.days_hist)),
    Figure("ahead_of_deadline_rate", "Ahead of deadline", "% of resolved, before the deadline day",
           "rate", "ahead of deadline (%)", (_H, _T, _S, _C),
           lambda s: _ratio(s.tally.ahead, s.tally.resolved_counted)),
    Figure("on_time_rate_ranking", "On-time rate as the province ranks",
           "% of resolved + open past deadline", "rate", "on-time, ranking (%)",
           (_H, _T, _S, _C),
           lambda s: _ratio(s.tally.on_time, s.tally.resolved_counted + s.overdue)),
    Figure("mean_sojourn_hours", "Mean time to resolution", "hours", "hours",
           "mean time to resolution (h)", (_H, _T, _F, _S, _C),
           lambda s: _ratio(s.tally.sojourn_sum, s.tally.resolved_counted)),
    Figure("p95_sojourn_hours", "95th percentile time to resolution", "hours", "hours",
           "p95 time to resolution (h)", (_H, _T, _C), lambda s: s.tally.quantile(0.95)),
    Figure("mean_backlog", "Mean backlog", "open dossiers", "mean", "mean backlog",
           (_H, _S, _C), lambda s: _ratio(s.tally.open_hours + s.open_hours, s.window_hours)),
    Figure("utilization", "Staff utilisation, all staff", "% of hours at work busy", "rate",
           "utilisation (%)", (_H, _T, _C),
           lambda s: _ratio(s.busy_hours + s.duty_hours, s.available_hours)),
    Figure("utilization_dossiers", "Staff time on dossiers", "% of hours at work", "rate",
           "on dossiers (%)", (_T, _C), lambda s: _ratio(s.busy_hours, s.available_hours)),
    Figure("utilization_other_duties", "Staff time on other duties", "% of hours at work",
           "rate", "other duties (%)", (_T, _C),
           lambda s: _ratio(s.duty_hours, s.available_hours)),
    Figure("commune_utilization", "Staff utilisation, communes", "% of hours at work busy",
           "rate", "commune utilisation (%)", (_H,)),
    Figure("province_utilization", "Staff utilisation, province",
           "% of hours at work busy", "rate", "province utilisation (%)", (_H,)),
    Figure("online_share", "Online share", "% of dossiers received", "rate", "online (%)",
           (_H, _T, _C), lambda s: _ratio(s.tally.online_counted, s.tally.created_counted)),
    Figure("citizen_trips", "Citizens' trips to the PASC", "trips", "count", "citizen trips",
           (_C,), lambda s: s.tally.citizen_trips),
    Figure("citizen_hours", "Citizens' hours", "hours travelling and at the counter", "hours",
           "citizen hours", (_C,), lambda s: s.citizen_hours()),
    Figure("citizen_cost_vnd", "Citizens' cost", "VND: travel and time", "vnd",
           "citizen cost (VND)", (_C,), lambda s: s.citizen_cost_vnd()),
    Figure("citizen_trips_per_dossier", "Citizens' trips per dossier", "trips", "mean",
           "trips per dossier", (_H, _T, _S, _C),
           lambda s: _ratio(s.tally.citizen_trips, s.tally.created)),
    Figure("citizen_hours_per_dossier", "Citizens' hours per dossier", "hours", "hours",
           "citizen hours per dossier", (_H, _T, _S, _C),
           lambda s: _ratio(s.citizen_hours(), s.tally.created)),
    Figure("citizen_cost_vnd_per_dossier", "Citizens' cost per dossier", "VND", "vnd",
           "citizen VND per dossier", (_H, _T, _S, _C),
           lambda s: _ratio(s.citizen_cost_vnd(), s.tally.created)),
    Figure("policy_cost_vnd", "Policy cost", "VND", "vnd", "policy cost (VND)",
           (_H, _S, _C)),
    Figure("policy_opportunity_cost_vnd", "Policy opportunity cost",
           "VND: salaries paid anyway, moved from other work", "vnd",
           "opportunity cost (VND)", (_S, _C)),
)
# fmt: on
BY_KEY: dict[str, Figure] = {f.key: f for f in FIGURES}
# figures outside FIGURES (event counts, costs, rates of mechanisms), by their names
_RATE_NAMES = ("_rate", "_share", "utilization", "_probability")
_AMOUNT_NAMES = ("dossiers_", "_hours", "_vnd", "_days", "overdue", "backlog", "trips")
RELATIVE_PRECISION = 0.10  # replications advised for intervals within 10% of the mean
RATE_PRECISION = 0.02  # or within 2 points for a rate


def bounds_of(key: str, values: Iterable = ()) -> tuple[float, float] | None:
    """The range a figure can take, for clipping its interval; None when unknown.

    A figure of ``FIGURES`` has its kind's range; otherwise a rate by its name is in
    [0, 1], and a count (whole numbers), hours, costs and dossier counts are >= 0.
    """
    name = key.rsplit(".", 1)[-1]
    if name in BY_KEY:
        return BY_KEY[name].bounds
    if name.endswith(_RATE_NAMES):
        return KIND_BOUNDS["rate"]
    values = list(values)
    counts = bool(values) and all(isinstance(v, int) and not isinstance(v, bool) for v in values)
    if counts or name.startswith(_AMOUNT_NAMES) or name.endswith(_AMOUNT_NAMES):
        return KIND_BOUNDS["count"]
    return None


def precision_target(figure: Figure, mean: float) -> float:
    """How close an interval should come to call a figure known: 2 points for a rate,
    10% of the mean otherwise (0 for a zero mean: nothing to advise)."""
    if figure.kind == "rate":
        return RATE_PRECISION
    return RELATIVE_PRECISION * abs(mean) if is_number(mean) else 0.0


FROM_TALLIES: tuple[Figure, ...] = tuple(f for f in FIGURES if f.of is not None)


def shown_in(view: str) -> tuple[Figure, ...]:
    """The figures of one view, in ``FIGURES`` order."""
    if view not in ALL_VIEWS:
        raise ValueError(f"view {view!r}: unknown; one of {', '.join(ALL_VIEWS)}")
    return tuple(f for f in FIGURES if view in f.views)


def slice_figures(piece: Slice) -> dict[str, float]:
    """The figures of one slice computed from its tally."""
    return {f.key: f.of(piece) for f in FROM_TALLIES}


def assemble(slices: Mapping[str, Mapping[str, Slice]]) -> dict:
    """A summary from slices: ``slices["total"][""]``, ``["field"]`` and ``["commune"]``.

    Fields come sorted by name, communes in the order given.
    """
    result = slice_figures(slices["total"][""])
    result["by_field"] = {
        name: slice_figures(slices["field"][name]) for name in sorted(slices["field"])
    }
    result["by_commune"] = {name: slice_figures(s) for name, s in slices["commune"].items()}
    return result


def is_number(value) -> bool:
    """True for a finite int or float (None and NaN mean "no figure")."""
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def format_value(value, kind: str) -> str:
    """A figure as text: counts with separators, rates in %, hours to 0.1, VND whole."""
    if not is_number(value):
        return "n/a"
    if kind == "rate":
        return f"{100 * value:.1f}"
    if kind == "count":
        return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"
    if kind == "vnd":
        return f"{value:,.0f}"
    return f"{value:,.1f}"


def worst_off(by_commune: Mapping[str, Mapping]) -> dict:
    """The commune with the lowest on-time rate and the one with most overdue dossiers
    per 1,000 received (the equity question of a province's ranking)."""
    rates = {
        name: f["on_time_rate"]
        for name, f in by_commune.items()
        if name != "ci95" and is_number(f.get("on_time_rate"))
    }
    overdue = {
        name: 1000.0 * f["overdue_dossiers"] / f["dossiers_created"]
        for name, f in by_commune.items()
        if name != "ci95"
        and is_number(f.get("overdue_dossiers"))
        and is_number(f.get("dossiers_created"))
        and f["dossiers_created"] > 0
    }
    lowest = min(rates, key=rates.get) if rates else None
    most = max(overdue, key=overdue.get) if overdue else None
    return {
        "lowest_on_time": lowest,
        "lowest_on_time_rate": rates.get(lowest),
        "most_overdue": most,
        "overdue_per_1000_dossiers": overdue.get(most),
    }
