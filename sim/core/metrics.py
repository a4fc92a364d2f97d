"""Streaming statistics: resolved dossiers are folded into tallies, not kept.

A ``Tally`` holds the figures of one cell: one field in one commune. The compiled loop
adds each event to its cell's row of the engine's tally arrays (sim/core/tallies.py);
the slices the outputs show (the whole model, one field, one commune) are merged from
the cells when asked for, exactly (counts, time sums, histogram bins). Time statistics (wait,
sojourn, on-time rate) count dossiers submitted after the warm-up; volumes count every
dossier. The time-averaged backlog is exact: each dossier adds the hours it spent open
inside the measured window.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable

import numpy as np

from sim.core.measures import COUNT, DAILY, HISTOGRAMS, TALLY, TODAY_MEAN
from sim.core.state import DAY, TALLY_COUNTS, TALLY_SUMS, C
from sim.core.tallies import HIST_BINS, HIST_MIN_HOURS, HIST_RATIO

Cell = tuple[str, str]  # (commune, field)
Pending = tuple[float, int]  # open dossier-hours still accruing, overdue open dossiers
SLICES: dict[str, Callable[[Cell], str]] = {
    "total": lambda cell: "",
    "field": lambda cell: cell[1],
    "commune": lambda cell: cell[0],
}

EQUITY_GROUPS = ("no_signal", "over_10_km")
# daily.csv's mean columns and the count each is a mean over: replications and provinces
# pool them weighted by that count (sim.runs.replications.combine_daily)
DAILY_MEANS = {d.name: d.per for d in DAILY if d.source == TODAY_MEAN}
FAR_KM = 10.0  # "more than 10 km away" (README "Equity")


class Tally:
    """Running figures of one slice: one attribute per column of ``TALLY``
    (sim/core/measures.py), and the histograms ``hist`` (sojourn hours) and ``days_hist``
    (working days to result)."""

    __slots__ = (*(c.name for c in TALLY), *HISTOGRAMS)

    def __init__(self) -> None:
        for column in TALLY:
            setattr(self, column.name, 0 if column.kind == COUNT else 0.0)
        for name in HISTOGRAMS:
            setattr(self, name, [0] * HIST_BINS)

    @property
    def open(self) -> int:
        return self.created - self.resolved - self.withdrawn

    def quantile(self, q: float, hist: list[int] | None = None) -> float:
        """Quantile of the sojourn time (or of ``hist``: ``days_hist``) from the
        log-spaced histogram (2% resolution)."""
        hist = self.hist if hist is None else hist
        total = sum(hist)
        if total == 0:
            return float("nan")
        target = q * total
        running = 0
        for index, count in enumerate(hist):
            if running + count >= target and count:
                fraction = (target - running) / count
                return HIST_MIN_HOURS * HIST_RATIO ** (index + fraction)
            running += count
        return HIST_MIN_HOURS * HIST_RATIO**HIST_BINS


def merge_tallies(tallies: Iterable[Tally]) -> Tally:
    """One tally holding the sums of several (histograms added bin by bin)."""
    tallies = list(tallies)
    merged = Tally()
    for name in Tally.__slots__:
        if name in HISTOGRAMS:
            bins = zip(*(getattr(t, name) for t in tallies), strict=True)
            setattr(merged, name, [sum(b) for b in bins])
        else:
            setattr(merged, name, sum(getattr(t, name) for t in tallies))
    return merged


def add_pending(items: Iterable[Pending]) -> Pending:
    items = list(items)
    return (sum(p[0] for p in items), sum(p[1] for p in items))


class Metrics:
    """The model's bookkeeping, read from the engine's tally rows and dossier table.

    The compiled loop adds to the rows (sim/core/tallies.py); this class gives them back
    as ``Tally`` figures per cell, merged per slice, and counts the open dossiers.

    Args:
        engine: the model's engine (sim/core/engine.py).
        cells: the commune x field cells in tally-row order.
        warmup_hours: dossiers submitted before this enter volumes but not time figures.
    """

    def __init__(self, engine, cells: list[Cell], warmup_hours: float) -> None:
        self.engine = engine
        self.warmup_hours = warmup_hours
        self.cell_rows = {cell: i for i, cell in enumerate(cells)}
        self.fields = engine.fields

    def _tally(self, rows) -> Tally:
        tally = Tally()
        for array, names in (("t_count", TALLY_COUNTS), ("t_sum", TALLY_SUMS)):
            values = self.engine.column(array)[rows]
            values = values.sum(axis=0) if values.ndim == 2 else values
            for name, value in zip(names, values.tolist(), strict=True):
                setattr(tally, name, value)
        for name in HISTOGRAMS:  # t_hist, t_days_hist
            bins = self.engine.column(f"t_{name}")[rows]
            setattr(tally, name, (bins.sum(axis=0) if bins.ndim == 2 else bins).tolist())
        return tally

    def tally_for(self, commune: str, field: str) -> Tally:
        """The figures of one commune's field, now."""
        return self._tally(self.cell_rows[(commune, field)])

    @property
    def cells(self) -> dict[Cell, Tally]:
        return {cell: self._tally(row) for cell, row in self.cell_rows.items()}

    @property
    def groups(self) -> dict[str, Tally]:
        first = len(self.cell_rows)
        return {name: self._tally(first + i) for i, name in enumerate(EQUITY_GROUPS)}

    # -- slices, merged from the cells ----------------------------------------------------
    def slices(
        self, now: float, by: tuple[str, ...] = ("total", "field", "commune")
    ) -> dict[str, dict[str, tuple[Tally, Pending]]]:
        """Per kind of slice in ``by``: each slice's tally and pending figures at ``now``."""
        pending = self.open_slices(now)
        return {kind: self.sliced(kind, pending) for kind in by}

    def sliced(
        self, by: str, pending: dict[Cell, Pending] | None = None
    ) -> dict[str, tuple[Tally, Pending]]:
        """Per slice (``by``: "total", "field" or "commune"): its tally and pending figures.

        Slices come in the order of their first cell; ``pending`` (from ``open_slices``;
        default none) holds the open dossiers' figures per cell.
        """
        key = SLICES[by]
        pending = pending or {}
        groups: dict[str, list[Cell]] = {}
        for cell in self.cell_rows:
            groups.setdefault(key(cell), []).append(cell)
        return {
            name: (
                self._tally(np.array([self.cell_rows[c] for c in cells])),
                add_pending(pending.get(c, (0.0, 0)) for c in cells),
            )
            for name, cells in groups.items()
        }

    @property
    def total(self) -> Tally:
        return self._tally(np.arange(len(self.cell_rows)))

    @property
    def by_field(self) -> dict[str, Tally]:
        return {name: tally for name, (tally, _) in self.sliced("field").items()}

    @property
    def by_commune(self) -> dict[str, Tally]:
        return {name: tally for name, (tally, _) in self.sliced("commune").items()}

    # -- today -----------------------------------------------------------------------
    def reset_day(self) -> None:
        self.engine.column("today")[:] = 0.0

    def today(self, name: str) -> float:
        """One of today's totals (sim/core/measures.py ``DAILY``)."""
        return float(self.engine.column("today")[DAY[name]])

    def mean_today(self, of: str, per: str) -> float:
        """Today's total ``of`` over today's total ``per`` (a mean wait of the dossiers
        first taken up today); NaN when ``per`` is 0."""
        count = self.today(per)
        return self.today(of) / count if count else math.nan

    # -- the open dossiers -------------------------------------------------------------
    @property
    def in_transit(self) -> int:
        return int(self.engine.column("counters")[C["in_transit"]])

    @property
    def with_applicant(self) -> int:
        return int(self.engine.column("counters")[C["with_applicant"]])

    def open_rows(self) -> np.ndarray:
        return self.engine.live_rows()

    def open_count(self) -> int:
        return len(self.open_rows())

    def overdue_open(self, now: float) -> int:
        rows = self.open_rows()
        return int(np.count_nonzero(self.engine.column("d_deadline")[rows] < now))

    def _open_by_row(self, now: float, rows: np.ndarray, tally_rows: np.ndarray, n: int):
        """Per tally row: open dossier-hours still accruing, overdue open dossiers."""
        submitted = self.engine.column("d_submitted")[rows]
        hours = np.maximum(0.0, now - np.maximum(submitted, self.warmup_hours))
        overdue = self.engine.column("d_deadline")[rows] < now
        return (
            np.bincount(tally_rows, weights=hours, minlength=n),
            np.bincount(tally_rows, weights=overdue, minlength=n),
        )

    def open_slices(self, now: float) -> dict[Cell, Pending]:
        """Per cell with open dossiers: open dossier-hours still accruing, overdue ones."""
        rows = self.open_rows()
        cell_of = self.engine.column("d_row")[rows]
        n = len(self.cell_rows)
        hours, overdue = self._open_by_row(now, rows, cell_of, n)
        present = np.bincount(cell_of, minlength=n) > 0
        return {
            cell: (float(hours[i]), int(overdue[i]))
            for cell, i in self.cell_rows.items()
            if present[i]
        }

    def group_pending(self, now: float) -> dict[str, Pending]:
        """Per equity group: open dossier-hours still accruing, overdue open dossiers."""
        rows = self.open_rows()
        result = {}
        for name, column in zip(EQUITY_GROUPS, ("d_no_signal", "d_far"), strict=True):
            member = rows[self.engine.column(column)[rows]]
            hours, overdue = self._open_by_row(now, member, np.zeros(len(member), int), 1)
            result[name] = (float(hours[0]), int(overdue[0]))
        return result

    def overdue_by_field(self, now: float, commune: int) -> dict[str, int]:
        """Open dossiers of ``commune`` past their deadline at the commune stage, by field."""
        rows = self.open_rows()
        column = self.engine.column
        late = rows[
            (column("d_commune")[rows] == commune)
            & (column("d_stage")[rows] == 0)
            & (column("d_deadline")[rows] < now)
        ]
        counts = np.bincount(column("d_field")[late], minlength=len(self.fields))
        return {self.fields[i]: int(n) for i, n in enumerate(counts) if n}

    def overdue_grid(self, now: float, stage: int | None = None) -> np.ndarray:
        """Open dossiers past their deadline: communes x fields (at ``stage`` if given)."""
        rows = self.open_rows()
        column = self.engine.column
        late = rows[column("d_deadline")[rows] < now]
        if stage is not None:
            late = late[column("d_stage")[late] == stage]
        n_fields = len(self.fields)
        n_communes = len(self.cell_rows) // max(1, n_fields)
        flat = column("d_commune")[late].astype(np.int64) * n_fields + column("d_field")[late]
        return np.bincount(flat, minlength=n_communes * n_fields).reshape(n_communes, n_fields)


def combine_daily(frames: list, *, average: bool):
    """Day by day, the counts' means over ``frames`` (``average``) or sums (provinces).

    A mean column (``DAILY_MEANS``: a mean wait of the dossiers taken up that day) is
    pooled, weighted by its count column: the mean wait of all those dossiers together,
    NaN on a day none was taken up. ``frames``: pandas DataFrames with a ``date`` column.
    """
    numeric = [f.drop(columns=["date"]).reset_index(drop=True) for f in frames]
    means = {m: n for m, n in DAILY_MEANS.items() if m in numeric[0]}
    weighted = [
        f.assign(**{m: (f[m] * f[n]).fillna(0.0) for m, n in means.items()}) for f in numeric
    ]
    total = sum(weighted[1:], weighted[0])
    for mean, count in means.items():
        total[mean] = total[mean] / total[count].where(total[count] > 0)
    if average:
        counts = [c for c in total.columns if c not in means]
        total[counts] = total[counts] / len(frames)
    total.insert(0, "date", frames[0]["date"].values)
    return total
