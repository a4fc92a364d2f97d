"""Streaming statistics: resolved dossiers are folded into tallies, not kept.

A ``Tally`` holds the figures of one slice (the whole model, one field, one commune).
Each dossier carries the tallies it counts in, so the bookkeeping per event is a short
loop. Time statistics (wait, sojourn, on-time rate) count dossiers submitted after the
warm-up; volumes count every dossier. The time-averaged backlog is exact: each
dossier adds the hours it spent open inside the measured window.
"""

from __future__ import annotations

import math

from sim.dossier import ONLINE, Dossier

HIST_MIN_HOURS = 0.01
HIST_RATIO = 1.02
HIST_BINS = 820  # 0.01 h to about 1.1e5 h at 2% resolution
_LOG_RATIO = math.log(HIST_RATIO)
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
        self.hist = [0] * HIST_BINS

    @property
    def open(self) -> int:
        return self.created - self.resolved - self.withdrawn

    def quantile(self, q: float) -> float:
        """Quantile of the sojourn time from the log-spaced histogram (2% resolution)."""
        total = sum(self.hist)
        if total == 0:
            return float("nan")
        target = q * total
        running = 0
        for index, count in enumerate(self.hist):
            if running + count >= target and count:
                fraction = (target - running) / count
                return HIST_MIN_HOURS * HIST_RATIO ** (index + fraction)
            running += count
        return HIST_MIN_HOURS * HIST_RATIO**HIST_BINS


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
        self.total = Tally()
        self.by_field: dict[str, Tally] = {}
        self.by_commune: dict[str, Tally] = {}
        self.open_dossiers: dict[int, Dossier] = {}
        self.in_transit = 0  # escalated, on the way to the province
        self.with_applicant = 0  # returned for a supplement
        self.reset_day()

    def tallies_for(self, commune: str, field: str) -> tuple[Tally, Tally, Tally]:
        by_field = self.by_field.setdefault(field, Tally())
        by_commune = self.by_commune.setdefault(commune, Tally())
        return (self.total, by_field, by_commune)

    def reset_day(self) -> None:
        self.received_today = 0
        self.online_today = 0
        self.resolved_today = 0
        self.on_time_today = 0
        self.withdrawn_today = 0

    # -- events ------------------------------------------------------------------------
    def on_received(self, dossier: Dossier) -> None:
        self.open_dossiers[dossier.uid] = dossier
        self.received_today += 1
        online = dossier.channel == ONLINE
        self.online_today += online
        counted = dossier.counted
        for tally in dossier.tallies:
            tally.created += 1
            if counted:
                tally.created_counted += 1
                tally.online_counted += online

    def on_first_service(self, dossier: Dossier) -> None:
        if dossier.counted:
            wait = dossier.first_service - dossier.submitted
            for tally in dossier.tallies:
                tally.wait_sum += wait
                tally.wait_n += 1

    def on_resolved(self, dossier: Dossier, now: float) -> None:
        del self.open_dossiers[dossier.uid]
        dossier.resolved = now
        on_time = now <= dossier.deadline
        self.resolved_today += 1
        self.on_time_today += on_time
        submitted = dossier.submitted
        sojourn = now - submitted
        warmup = self.warmup_hours
        open_hours = now - (submitted if submitted > warmup else warmup)
        if dossier.counted:
            index = _bin(sojourn)
            for tally in dossier.tallies:
                tally.resolved += 1
                if open_hours > 0:
                    tally.open_hours += open_hours
                tally.resolved_counted += 1
                tally.on_time += on_time
                tally.sojourn_sum += sojourn
                tally.hist[index] += 1
        else:
            for tally in dossier.tallies:
                tally.resolved += 1
                if open_hours > 0:
                    tally.open_hours += open_hours

    def on_withdrawn(self, dossier: Dossier, now: float) -> None:
        del self.open_dossiers[dossier.uid]
        self.withdrawn_today += 1
        open_hours = now - max(dossier.submitted, self.warmup_hours)
        for tally in dossier.tallies:
            tally.withdrawn += 1
            if open_hours > 0:
                tally.open_hours += open_hours

    # -- end-of-day and end-of-run figures ---------------------------------------------
    def overdue_open(self, now: float) -> int:
        return sum(1 for d in self.open_dossiers.values() if d.deadline < now)

    def open_slices(self, now: float) -> dict[int, tuple[float, int]]:
        """Per tally id: open dossier-hours still accruing, and overdue open dossiers."""
        result: dict[int, list] = {}
        warmup = self.warmup_hours
        for dossier in self.open_dossiers.values():
            hours = max(0.0, now - max(dossier.submitted, warmup))
            overdue = dossier.deadline < now
            for tally in dossier.tallies:
                entry = result.setdefault(id(tally), [0.0, 0])
                entry[0] += hours
                entry[1] += overdue
        return {key: (value[0], value[1]) for key, value in result.items()}


def tally_figures(
    tally: Tally,
    pending: tuple[float, int],
    window_hours: float,
    busy_hours: float,
    available_hours: float,
) -> dict[str, float]:
    """The summary figures of one slice at the end of a run."""
    open_hours, overdue = pending

    def ratio(a: float, b: float) -> float:
        return a / b if b > 0 else float("nan")

    return {
        "dossiers_created": tally.created,
        "dossiers_resolved": tally.resolved,
        "dossiers_open": tally.open,
        "dossiers_withdrawn": tally.withdrawn,
        "on_time_rate": ratio(tally.on_time, tally.resolved_counted),
        "dossiers_late": int(tally.resolved_counted - tally.on_time),  # resolved after the deadline
        "overdue_open": overdue,
        "mean_wait_hours": ratio(tally.wait_sum, tally.wait_n),
        "mean_sojourn_hours": ratio(tally.sojourn_sum, tally.resolved_counted),
        "p95_sojourn_hours": tally.quantile(0.95),
        "mean_backlog": ratio(tally.open_hours + open_hours, window_hours),
        "utilization": ratio(busy_hours, available_hours),
        "online_share": ratio(tally.online_counted, tally.created_counted),
    }
