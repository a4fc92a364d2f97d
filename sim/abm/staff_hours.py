"""Clerk hours for the utilisation figures: busy, at work and on competing duties."""

from __future__ import annotations

import math

from sim.core.summary import Slice

PROVINCE_UNIT = "province"  # the unit of provincial department staff in the figures
STAFF = "staff"  # the slices of commune and of provincial staff hours


def staff_hours(clerks, now: float) -> tuple[dict, dict, dict, dict, dict, dict]:
    """Busy, available and duty clerk hours up to ``now`` by unit and by field.

    A clerk's available and duty hours count for each field in proportion to the time
    it spent on that field (equally across its own fields if it did no work).
    """
    busy: dict[str, float] = {}
    available: dict[str, float] = {}
    duty: dict[str, float] = {}
    field_busy: dict[str, float] = {}
    field_available: dict[str, float] = {}
    field_duty: dict[str, float] = {}
    for clerk in clerks:
        clerk_busy, by_field, clerk_available = clerk.hours_until(now)
        unit, clerk_duty = clerk.unit, clerk.other_duty_hours
        busy[unit] = busy.get(unit, 0.0) + clerk_busy
        available[unit] = available.get(unit, 0.0) + clerk_available
        duty[unit] = duty.get(unit, 0.0) + clerk_duty
        own = clerk.own_skills
        for field, hours in by_field.items():
            if clerk_busy > 0:
                share = hours / clerk_busy
            else:
                share = 1 / len(own) if field in own else 0.0
            field_busy[field] = field_busy.get(field, 0.0) + hours
            field_available[field] = field_available.get(field, 0.0) + clerk_available * share
            field_duty[field] = field_duty.get(field, 0.0) + clerk_duty * share
    return busy, available, duty, field_busy, field_available, field_duty


def staff_groups(busy: dict, available: dict, duty: dict) -> dict[str, tuple[float, float, float]]:
    """(busy, available, duty) hours of all commune staff together and of provincial staff."""
    groups = {"commune": [0.0, 0.0, 0.0], "province": [0.0, 0.0, 0.0]}
    for unit, hours in available.items():
        group = groups["province" if unit == PROVINCE_UNIT else "commune"]
        group[0] += busy.get(unit, 0.0)
        group[1] += hours
        group[2] += duty.get(unit, 0.0)
    return {name: (b, a, d) for name, (b, a, d) in groups.items()}


def staff_utilization(staff: dict[str, Slice]) -> dict[str, float]:
    """``commune_utilization`` and ``province_utilization``: the overall ``utilization``
    mixes commune clerks with provincial department staff, who are often less busy."""
    return {
        f"{name}_utilization": (
            (s.busy_hours + s.duty_hours) / s.available_hours if s.available_hours > 0 else math.nan
        )
        for name, s in staff.items()
    }
