"""Reading and checking a scenario's ``calendar`` block (the calendar itself is
``sim.core.calendar``).
"""

from __future__ import annotations

import holidays as holidays_lib

from sim.spec.config import ConfigError, Reader


def read_calendar(reader: Reader) -> dict:
    """Check a scenario's ``calendar`` block; returns it as a plain dict.

    A working calendar needs at least one working weekday and one opening period,
    otherwise in-person visitors would wait for an open day that never comes.
    """
    kind = reader.choice("kind", ["working", "always_open"], "working")
    if kind == "always_open":
        return {"kind": kind}
    result: dict = {"kind": kind}
    periods = reader.raw("opening_hours", [[7.5, 11.5], [13.5, 17.0]])
    key = reader.key("opening_hours")
    rule = "a non-empty list of [from, to] hours with 0 <= from < to <= 24, in order"
    if not isinstance(periods, list) or not periods:
        raise ConfigError(f"{key} = {periods!r}: must be {rule}", key)
    last_end = 0.0
    for period in periods:
        ok = (
            isinstance(period, list | tuple)
            and len(period) == 2
            and all(isinstance(h, int | float) and not isinstance(h, bool) for h in period)
            and last_end <= period[0] < period[1] <= 24
        )
        if not ok:
            raise ConfigError(f"{key} = {periods!r}: must be {rule}", key)
        last_end = period[1]
    result["opening_hours"] = [[float(a), float(b)] for a, b in periods]
    weekdays = reader.raw("working_weekdays", [1, 2, 3, 4, 5])
    key = reader.key("working_weekdays")
    if (
        not isinstance(weekdays, list)
        or not weekdays
        or any(isinstance(d, bool) or d not in range(1, 8) for d in weekdays)
    ):
        raise ConfigError(
            f"{key} = {weekdays!r}: must be a non-empty list of ISO weekdays "
            "(1 = Monday ... 7 = Sunday)",
            key,
        )
    result["working_weekdays"] = [int(d) for d in weekdays]
    country = reader.raw("holidays_country", "VN")
    if country is not None:
        if not _holidays_known(country):
            raise reader.fail(
                "holidays_country",
                f" = {country!r}: not a country code the holidays package knows "
                "(e.g. VN); use null for no public holidays",
            )
    result["holidays_country"] = country
    closed = reader.raw("extra_closed_dates", [])
    if not isinstance(closed, list):
        raise reader.fail("extra_closed_dates", f" = {closed!r}: must be a list of dates")
    dates = Reader({str(i): d for i, d in enumerate(closed)}, reader.key("extra_closed_dates"))
    result["extra_closed_dates"] = [dates.date(str(i)).isoformat() for i in range(len(closed))]
    return result


def _holidays_known(country: object) -> bool:
    """Whether the holidays package has ``country``'s public holidays (only that
    country's module is imported: listing every country imports them all)."""
    try:
        holidays_lib.country_holidays(str(country))
    except NotImplementedError:
        return False
    return isinstance(country, str)
