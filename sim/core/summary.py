"""A summary's figures computed from tallies: the slices they come from, and the helpers
that assemble, bound and write them.

The figures themselves (key, kind, where shown, how computed) are declared once in
``FIGURES`` (sim/core/measures.py); every place that shows, compares or checks summary
figures (the model and the country, the run report and the terminal table, the sweep
analysis and its report, the output regression) reads them and their views here
instead of keeping its own list. Their words for readers are in sim/reports/figure_text.py.

A summary: the figures of the whole run at the top level, ``by_field`` and
``by_commune`` mapping each slice's name to the same figures for that slice.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sim.core.measures import (  # noqa: F401 (the views and kinds, for the readers of FIGURES)
    ALL_VIEWS,
    CHECKED,
    FIELD_LINE,
    FIGURES,
    HEADLINE,
    KIND_BOUNDS,
    SLICE_TABLE,
    STUDY,
    Figure,
)
from sim.core.metrics import Tally, merge_tallies


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
