"""Scenario-wide rules of the mechanisms that make backlogs (staff, equipment, premises).

Each block is optional in ``cfg.scenario`` and every default is neutral: a scenario that
leaves a block out behaves as if the mechanism did not exist. Per-commune conditions
(workstations, sites, network, signal) live in ``CommuneSpec``; the rules here say what
those conditions do. README "Mechanisms and parameters" lists every knob with its unit.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from sim.spec.config import ConfigError, Reader

MAX_DUTY_SHARE = 0.9  # duties never take more than this share of a clerk's open hours


@dataclass(frozen=True)
class Duty:
    """Non-dossier work taking clerk hours: a campaign, a planning round, a programme.

    Every working day from ``start`` to ``end`` (inclusive), each clerk of a commune in
    ``communes`` (all when empty) skilled in any of ``fields`` spends
    ``hours_per_clerk_per_day`` working hours on it, at the start of the day, before it
    turns to dossiers. A clerk with several duties on one day does them all, up to
    ``MAX_DUTY_SHARE`` of the day's opening hours.
    """

    name: str
    start: dt.date
    end: dt.date
    fields: tuple[str, ...]
    hours_per_clerk_per_day: float
    communes: tuple[str, ...] = ()

    def active(self, date: dt.date, commune: str) -> bool:
        return self.start <= date <= self.end and (not self.communes or commune in self.communes)

    def concerns(self, skills: dict[str, float]) -> bool:
        return any(f in skills for f in self.fields)


def read_duty(name: str, c: Reader, fields: tuple[str, ...]) -> Duty:
    """One entry of ``staff.duties`` (a mapping by name, so scenarios add to their parent's).

    ``fields: all`` means every clerk takes part.
    """
    start, end = c.date("start_date"), c.date("end_date")
    if end < start:
        raise ConfigError(f"{c.key('end_date')} = {end}: must not be before start_date ({start})")
    names = c.raw("fields")
    if names == "all":
        names = list(fields)
    if not isinstance(names, list) or not names or any(f not in fields for f in names):
        raise ConfigError(
            f"{c.key('fields')} = {names!r}: must be `all` or a non-empty list of fields "
            f"among {', '.join(fields)}",
            c.key("fields"),
        )
    return Duty(
        name=name,
        start=start,
        end=end,
        fields=tuple(names),
        hours_per_clerk_per_day=c.number("hours_per_clerk_per_day", low=0, low_open=True, high=12),
        communes=tuple(str(x) for x in c.raw("communes", []) or []),
    )


@dataclass(frozen=True)
class Reassignment:
    """The commune chair's weekly review: clerks with spare hours go where work is overdue.

    On the first working day of each week the chair takes back last week's moves, then
    finds the field with the most overdue dossiers at the commune stage (at least
    ``min_overdue``) and moves to it up to ``max_clerks`` clerks whose dossier
    utilisation last week was below ``spare_utilization``, whose own fields have no
    overdue dossier and keep another clerk (no field is left without one). A moved
    clerk serves only that field for the week, at its own proficiency there
    (``untrained_proficiency`` if it has none), paying ``switch_hours`` extra per dossier.
    """

    enabled: bool = False
    spare_utilization: float = 0.6
    min_overdue: int = 1
    max_clerks: int = 1
    untrained_proficiency: float = 0.3
    switch_hours: float = 0.25

    @classmethod
    def read(cls, r: Reader) -> Reassignment:
        enabled = r.raw("enabled", False)
        if not isinstance(enabled, bool):
            raise r.fail("enabled", f" = {enabled!r}: must be true or false")
        return cls(
            enabled=enabled,
            spare_utilization=r.number("spare_utilization", 0.6, low=0, low_open=True, high=1),
            min_overdue=r.integer("min_overdue", 1, low=1),
            max_clerks=r.integer("max_clerks", 1, low=1),
            untrained_proficiency=r.number(
                "untrained_proficiency", 0.3, low=0, low_open=True, high=1
            ),
            switch_hours=r.number("switch_hours", 0.25, low=0),
        )


@dataclass(frozen=True)
class StaffRules:
    """Absence, skill errors, learning curve, fatigue and resignation, duties, reassignment."""

    absence_probability: float = 0.0
    error_probability_unskilled: float = 0.0
    learning_initial_efficiency: float = 1.0
    learning_half_life_days: float = 60.0
    learning_start: dt.date = dt.date(2025, 7, 1)
    overload_queue_per_clerk: float = 20.0
    fatigue_memory_days: float = 20.0
    fatigue_slowdown: float = 0.0
    resignation_hazard_per_day: float = 0.0
    replacement_days: int | None = None
    duties: tuple[Duty, ...] = ()
    reassignment: Reassignment = Reassignment()

    def active_duties(self, date: dt.date, commune: str) -> tuple[Duty, ...]:
        """The duties of ``commune`` on ``date``."""
        return tuple(d for d in self.duties if d.active(date, commune))

    def overloaded(self, queued, clerks_on_duty):
        """Whether an office is overloaded: more dossiers waiting than
        ``overload_queue_per_clerk`` per clerk on duty (at least one); arrays or numbers."""
        return queued > self.overload_queue_per_clerk * np.maximum(1, clerks_on_duty)

    def fatigue_after(self, fatigue, overloaded):
        """Fatigue after a working day: it follows overload (1) or its absence (0) with a
        memory of ``fatigue_memory_days``; arrays or numbers."""
        return fatigue + (overloaded - fatigue) / self.fatigue_memory_days

    def learning_efficiency(self, date: dt.date) -> float:
        """Speed relative to a settled office: staff adapt to the new model after 1 July."""
        if self.learning_initial_efficiency >= 1.0:
            return 1.0
        days = max(0, (date - self.learning_start).days)
        gap = 1.0 - self.learning_initial_efficiency
        return 1.0 - gap * 0.5 ** (days / self.learning_half_life_days)

    @classmethod
    def read(cls, r: Reader, fields: tuple[str, ...]) -> StaffRules:
        learning = r.child("learning", {})
        fatigue = r.child("fatigue", {})
        duties = tuple(  # a duty set to null is switched off
            read_duty(name, Reader(item, f"{r.key('duties')}.{name}"), fields)
            for name, item in (r.raw("duties", {}) or {}).items()
            if item is not None
        )
        return cls(
            absence_probability=r.number("absence_probability", 0.0, low=0, high=0.9),
            error_probability_unskilled=r.probability("error_probability_unskilled", 0.0),
            learning_initial_efficiency=learning.number(
                "initial_efficiency", 1.0, low=0, low_open=True, high=1.0
            ),
            learning_half_life_days=learning.number("half_life_days", 60.0, low=0, low_open=True),
            learning_start=learning.date("start_date", "2025-07-01"),
            overload_queue_per_clerk=fatigue.number(
                "overload_queue_per_clerk", 20.0, low=0, low_open=True
            ),
            fatigue_memory_days=fatigue.number("memory_days", 20.0, low=1),
            fatigue_slowdown=fatigue.number("slowdown", 0.0, low=0, high=0.9),
            resignation_hazard_per_day=fatigue.probability("resignation_hazard_per_day", 0.0),
            replacement_days=(
                fatigue.integer("replacement_days", low=1)
                if fatigue.has("replacement_days")
                else None
            ),
            duties=duties,
            reassignment=Reassignment.read(r.child("reassignment", {})),
        )


@dataclass(frozen=True)
class EquipmentRules:
    """What missing workstations, network outages and sync failures do."""

    no_workstation_speed: float = 0.5
    outage_speed: float = 0.3
    sync_fields: tuple[str, ...] = ("civil_status",)
    sync_retry_hours: float = 24.0
    sync_rework_fraction: float = 0.5
    sync_fix_half_life_days: float | None = None

    def sync_factor(self, date: dt.date, since: dt.date) -> float:
        """Share of the sync failure probability left on ``date``: software gets fixed.

        With ``sync_fix_half_life_days`` the failures halve every so many days from
        ``since`` (the reform's start); without it they never improve.
        """
        if self.sync_fix_half_life_days is None:
            return 1.0
        return 0.5 ** (max(0, (date - since).days) / self.sync_fix_half_life_days)

    @classmethod
    def read(cls, r: Reader, fields: tuple[str, ...]) -> EquipmentRules:
        sync_fields = r.raw("sync_fields", ["civil_status"])
        if not isinstance(sync_fields, list) or any(f not in fields for f in sync_fields):
            raise ConfigError(
                f"{r.key('sync_fields')} = {sync_fields!r}: must be a list of fields among "
                f"{', '.join(fields)}"
            )
        return cls(
            no_workstation_speed=r.number("no_workstation_speed", 0.5, low=0, high=1),
            outage_speed=r.number("outage_speed", 0.3, low=0, low_open=True, high=1),
            sync_fields=tuple(sync_fields),
            sync_retry_hours=r.number("sync_retry_hours", 24.0, low=0),
            sync_rework_fraction=r.number("sync_rework_fraction", 0.5, low=0),
            sync_fix_half_life_days=(
                r.number("sync_fix_half_life_days", low=0, low_open=True)
                if r.has("sync_fix_half_life_days")
                else None
            ),
        )


@dataclass(frozen=True)
class PremisesRules:
    """Reception counters (the one-stop desk), split sites and queue-balking visitors.

    A commune on several sites keeps ``off_site_fields`` (by default the Economic
    Department's) away from the PASC: their dossiers travel ``site_handoff_hours``
    working hours to get there.
    """

    reception_hours: float = 0.15
    site_handoff_hours: float = 4.0
    off_site_fields: tuple[str, ...] = ("land", "construction", "business")
    balk_queue_per_counter: float | None = None
    balk_online_probability: float = 0.3

    @classmethod
    def read(cls, r: Reader, fields: tuple[str, ...]) -> PremisesRules:
        off_site = r.raw("off_site_fields", ["land", "construction", "business"])
        if not isinstance(off_site, list) or any(f not in fields for f in off_site):
            raise ConfigError(
                f"{r.key('off_site_fields')} = {off_site!r}: must be a list of fields among "
                f"{', '.join(fields)}"
            )
        return cls(
            off_site_fields=tuple(off_site),
            reception_hours=r.number("reception_hours", 0.15, low=0, low_open=True),
            site_handoff_hours=r.number("site_handoff_hours", 4.0, low=0),
            balk_queue_per_counter=(
                r.number("balk_queue_per_counter", low=0, low_open=True)
                if r.has("balk_queue_per_counter")
                else None
            ),
            balk_online_probability=r.probability("balk_online_probability", 0.3),
        )


@dataclass(frozen=True)
class LunarNewYear:
    """Demand around the Lunar New Year closure (Tet), from the calendar's holidays.

    ``holiday_factor`` multiplies needs on the Tet holidays themselves; ``surge_factor``
    multiplies them for ``surge_days`` calendar days after the last Tet holiday.
    """

    holiday_factor: float = 1.0
    surge_factor: float = 1.0
    surge_days: int = 0

    @classmethod
    def read(cls, r: Reader) -> LunarNewYear:
        return cls(
            holiday_factor=r.number("holiday_factor", 1.0, low=0),
            surge_factor=r.number("surge_factor", 1.0, low=0),
            surge_days=r.integer("surge_days", 0, low=0),
        )
