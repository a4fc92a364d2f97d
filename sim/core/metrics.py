"""Streaming statistics: resolved dossiers are folded into tallies, not kept.

A ``Tally`` holds the figures of one cell: one field in one commune. Each dossier
carries its cell's tally, so the bookkeeping per event touches one object; the slices
the outputs show (the whole model, one field, one commune) are merged from the cells
when asked for, exactly (counts, time sums, histogram bins). Time statistics (wait,
sojourn, on-time rate) count dossiers submitted after the warm-up; volumes count every
dossier. The time-averaged backlog is exact: each dossier adds the hours it spent open
inside the measured window.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable

from sim.core.calendar import HOURS_PER_DAY
from sim.core.dossier import ONLINE, Dossier

Cell = tuple[str, str]  # (commune, field)
Pending = tuple[float, int]  # open dossier-hours still accruing, overdue open dossiers
SLICES: dict[str, Callable[[Cell], str]] = {
    "total": lambda cell: "",
    "field": lambda cell: cell[1],
    "commune": lambda cell: cell[0],
}

HIST_MIN_HOURS = 0.01
HIST_RATIO = 1.02
HIST_BINS = 820  # 0.01 h to about 1.1e5 h at 2% resolution
_LOG_RATIO = math.log(HIST_RATIO)
EQUITY_GROUPS = ("no_signal", "over_10_km")
# daily.csv's mean columns and the count each is a mean over: replications and provinces
# pool them weighted by that count (sim.runs.replications.combine_daily)
DAILY_MEANS = {
    "mean_reception_wait_hours": "reception_started",
    "mean_backoffice_wait_hours": "backoffice_started",
    "province_mean_wait_hours": "province_started",
}
FAR_KM = 10.0  # "more than 10 km away" (README "Equity")
_log = math.log


class Tally:
    """Running figures of one slice."""

    __slots__ = (
        "created",
        "resolved",
        "withdrawn",
        "created_counted",
        "online_counted",
        "resolved_counted",
        "on_time",
        "wait_sum",
        "wait_n",
        "sojourn_sum",
        "open_hours",
        "hist",
        "reception_wait_sum",
        "reception_wait_n",
        "province_wait_sum",
        "province_wait_n",
        "ahead",
        "days_sum",
        "days_hist",
        "citizen_trips",
        "citizen_km",
        "counter_hours",
    )

    def __init__(self) -> None:
        self.created = 0
        self.resolved = 0
        self.withdrawn = 0
        self.created_counted = 0
        self.online_counted = 0
        self.resolved_counted = 0
        self.on_time = 0
        self.wait_sum = 0.0
        self.wait_n = 0
        self.sojourn_sum = 0.0
        self.open_hours = 0.0  # dossier-hours open inside the measured window
        self.hist = [0] * HIST_BINS  # sojourn hours
        self.reception_wait_sum = 0.0  # in-person visitors, at the PASC desk
        self.reception_wait_n = 0
        self.province_wait_sum = 0.0  # escalated dossiers, at the provincial department
        self.province_wait_n = 0
        self.ahead = 0  # resolved on a day before the deadline's day
        self.days_sum = 0.0  # working days from submission to result
        self.days_hist = [0] * HIST_BINS
        self.citizen_trips = 0  # trips to the PASC (and between its sites), every dossier
        self.citizen_km = 0.0  # km travelled on them, there and back
        self.counter_hours = 0.0  # hours at the reception desk: queueing and being served

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
        if name in ("hist", "days_hist"):
            bins = zip(*(getattr(t, name) for t in tallies), strict=True)
            setattr(merged, name, [sum(b) for b in bins])
        else:
            setattr(merged, name, sum(getattr(t, name) for t in tallies))
    return merged


def add_pending(items: Iterable[Pending]) -> Pending:
    items = list(items)
    return (sum(p[0] for p in items), sum(p[1] for p in items))


def _bin(hours: float) -> int:
    if hours <= HIST_MIN_HOURS:
        return 0
    index = int(_log(hours / HIST_MIN_HOURS) / _LOG_RATIO)
    return index if index < HIST_BINS else HIST_BINS - 1


class Metrics:
    """The model's bookkeeping: volumes, open dossiers, daily series, time statistics.

    Args:
        warmup_hours: dossiers submitted before this enter volumes but not time figures.
    """

    def __init__(self, warmup_hours: float) -> None:
        self.warmup_hours = warmup_hours
        self.cells: dict[Cell, Tally] = {}
        # equity groups: households without phone signal, applicants over 10 km away
        self.groups: dict[str, Tally] = {name: Tally() for name in EQUITY_GROUPS}
        no_signal, far = self.groups["no_signal"], self.groups["over_10_km"]
        # a dossier's groups, by (no signal, far): one shared tuple per combination
        self.group_sets = {
            (False, False): (),
            (True, False): (no_signal,),
            (False, True): (far,),
            (True, True): (no_signal, far),
        }
        self.open_dossiers: dict[int, Dossier] = {}
        self.in_transit = 0  # escalated, on the way to the province
        self.with_applicant = 0  # returned for a supplement
        self.reset_day()

    def tally_for(self, commune: str, field: str) -> Tally:
        """The tally of one commune's field (created on first use)."""
        return self.cells.setdefault((commune, field), Tally())

    # -- slices, merged from the cells ----------------------------------------------------
    def slices(
        self, now: float, by: tuple[str, ...] = ("total", "field", "commune")
    ) -> dict[str, dict[str, tuple[Tally, Pending]]]:
        """Per kind of slice in ``by``: each slice's tally and pending figures at ``now``.

        The open dossiers are counted once for all kinds.
        """
        pending = self.open_slices(now)
        return {kind: self.sliced(kind, pending) for kind in by}

    def sliced(
        self, by: str, pending: dict[Cell, Pending] | None = None
    ) -> dict[str, tuple[Tally, Pending]]:
        """Per slice (``by``: "total", "field" or "commune"): its tally and pending figures.

        Slices come in the order their first cell was created; ``pending`` (from
        ``open_slices``; default none) holds the open dossiers' figures per cell.
        """
        key = SLICES[by]
        pending = pending or {}
        groups: dict[str, list[Cell]] = {}
        for cell in self.cells:
            groups.setdefault(key(cell), []).append(cell)
        return {
            name: (
                merge_tallies(self.cells[c] for c in cells),
                add_pending(pending.get(c, (0.0, 0)) for c in cells),
            )
            for name, cells in groups.items()
        }

    @property
    def total(self) -> Tally:
        return merge_tallies(self.cells.values())

    @property
    def by_field(self) -> dict[str, Tally]:
        return {name: tally for name, (tally, _) in self.sliced("field").items()}

    @property
    def by_commune(self) -> dict[str, Tally]:
        return {name: tally for name, (tally, _) in self.sliced("commune").items()}

    def reset_day(self) -> None:
        self.received_today = 0
        self.online_today = 0
        self.resolved_today = 0
        self.on_time_today = 0
        self.withdrawn_today = 0
        self.ahead_today = 0  # resolved on a day before the deadline's day
        self.trips_today = 0  # citizens' trips to the PASC (and between its sites)
        # waits of the dossiers first taken up today (every dossier, warm-up included)
        self.reception_wait_today = 0.0
        self.reception_started_today = 0
        self.backoffice_wait_today = 0.0
        self.backoffice_started_today = 0
        self.province_wait_today = 0.0
        self.province_started_today = 0

    def mean_today(self, place: str) -> float:
        """Mean wait of the dossiers first taken up at ``place`` today ("reception",
        "backoffice", "province"); NaN when none was."""
        started = getattr(self, f"{place}_started_today")
        return getattr(self, f"{place}_wait_today") / started if started else math.nan

    # -- events ------------------------------------------------------------------------
    def on_received(self, dossier: Dossier) -> None:
        self.open_dossiers[dossier.uid] = dossier
        self.received_today += 1
        online = dossier.channel == ONLINE
        self.online_today += online
        for tally in (dossier.tally, *dossier.groups):
            tally.created += 1
            if dossier.counted:
                tally.created_counted += 1
                tally.online_counted += online

    def on_carried_over(self, dossier: Dossier) -> None:
        """A dossier open before the run starts (a warm start): open, not received today."""
        self.open_dossiers[dossier.uid] = dossier
        dossier.tally.created += 1

    def on_backoffice_start(self, dossier: Dossier, wait: float) -> None:
        """First taken up at the commune's back office, ``wait`` hours after reaching it."""
        self.backoffice_wait_today += wait
        self.backoffice_started_today += 1
        if dossier.counted:
            tally = dossier.tally
            tally.wait_sum += wait
            tally.wait_n += 1

    def on_reception_start(self, dossier: Dossier, wait: float) -> None:
        """A visitor reaches a counter of the PASC desk after ``wait`` hours in the queue."""
        self.reception_wait_today += wait
        self.reception_started_today += 1
        if dossier.counted:
            tally = dossier.tally
            tally.reception_wait_sum += wait
            tally.reception_wait_n += 1

    def on_province_start(self, dossier: Dossier, wait: float) -> None:
        """First taken up at a provincial department, ``wait`` hours after reaching it."""
        self.province_wait_today += wait
        self.province_started_today += 1
        if dossier.counted:
            tally = dossier.tally
            tally.province_wait_sum += wait
            tally.province_wait_n += 1

    def on_resolved(self, dossier: Dossier, now: float, working_days: float = 0.0) -> None:
        """A result at ``now``, ``working_days`` after submission (the calendar's count)."""
        del self.open_dossiers[dossier.uid]
        dossier.resolved = now
        on_time = now <= dossier.deadline
        self.resolved_today += 1
        self.on_time_today += on_time
        ahead = now // HOURS_PER_DAY < dossier.deadline // HOURS_PER_DAY
        self.ahead_today += ahead
        submitted = dossier.submitted
        warmup = self.warmup_hours
        open_hours = now - (submitted if submitted > warmup else warmup)
        for tally in (dossier.tally, *dossier.groups):
            tally.resolved += 1
            if open_hours > 0:
                tally.open_hours += open_hours
            if dossier.counted:
                sojourn = now - submitted
                tally.resolved_counted += 1
                tally.on_time += on_time
                tally.sojourn_sum += sojourn
                tally.hist[_bin(sojourn)] += 1
                tally.ahead += ahead
                tally.days_sum += working_days
                tally.days_hist[_bin(working_days)] += 1

    def on_trip(self, dossier: Dossier, km: float) -> None:
        """The applicant travels ``km`` (there and back) for this dossier."""
        self.trips_today += 1
        for tally in (dossier.tally, *dossier.groups):
            tally.citizen_trips += 1
            tally.citizen_km += km

    def on_counter(self, dossier: Dossier, hours: float) -> None:
        """The applicant spent ``hours`` at the reception desk."""
        for tally in (dossier.tally, *dossier.groups):
            tally.counter_hours += hours

    def on_withdrawn(self, dossier: Dossier, now: float) -> None:
        del self.open_dossiers[dossier.uid]
        self.withdrawn_today += 1
        open_hours = now - max(dossier.submitted, self.warmup_hours)
        tally = dossier.tally
        tally.withdrawn += 1
        if open_hours > 0:
            tally.open_hours += open_hours

    # -- dossiers between places (the audit counts where every open dossier is) -------------
    def on_transit_started(self) -> None:
        """A dossier left for another place (a site, a retry, the province)."""
        self.in_transit += 1

    def on_transit_ended(self) -> None:
        self.in_transit -= 1

    def on_sent_to_applicant(self) -> None:
        """A dossier went back to its applicant for a supplement."""
        self.with_applicant += 1

    def on_back_from_applicant(self) -> None:
        self.with_applicant -= 1

    # -- end-of-day and end-of-run figures ---------------------------------------------
    def overdue_open(self, now: float) -> int:
        return sum(1 for d in self.open_dossiers.values() if d.deadline < now)

    def group_pending(self, now: float) -> dict[str, Pending]:
        """Per equity group: open dossier-hours still accruing, overdue open dossiers."""
        names = {id(t): name for name, t in self.groups.items()}
        result = {name: [0.0, 0] for name in self.groups}
        warmup = self.warmup_hours
        for dossier in self.open_dossiers.values():
            for tally in dossier.groups:
                entry = result[names[id(tally)]]
                entry[0] += max(0.0, now - max(dossier.submitted, warmup))
                entry[1] += dossier.deadline < now
        return {name: (v[0], v[1]) for name, v in result.items()}

    def open_slices(self, now: float) -> dict[Cell, Pending]:
        """Per cell: open dossier-hours still accruing, and overdue open dossiers."""
        result: dict[Cell, list] = {}
        warmup = self.warmup_hours
        for dossier in self.open_dossiers.values():
            entry = result.setdefault((dossier.commune.name, dossier.field), [0.0, 0])
            entry[0] += max(0.0, now - max(dossier.submitted, warmup))
            entry[1] += dossier.deadline < now
        return {cell: (value[0], value[1]) for cell, value in result.items()}


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
