"""Demand seasonality: monthly factors and the Lunar New Year (Tet) closure and surge.

Needs keep arising while the PASC is closed for Tet (online dossiers wait for the
office, visitors come on the next working day); on top of that, fewer needs arise on
the holidays themselves and more in the weeks after (SOURCES.md: Khanh Binh received
200-300 dossiers a day after the 2026 Lunar New Year).
"""

from __future__ import annotations

import datetime as dt
from functools import cache

import holidays as holidays_lib

from sim.spec.mechanisms import LunarNewYear


@cache
def tet_holidays(year: int) -> frozenset[dt.date]:
    """The Lunar New Year public holidays of ``year`` in Vietnam."""
    table = holidays_lib.country_holidays("VN", years=[year], language="en_US")
    return frozenset(d for d, name in table.items() if "Lunar New Year" in name)


class DemandSeason:
    """The factor that multiplies a commune's expected needs on a calendar date.

    Args:
        monthly_factors: twelve factors, January to December.
        lunar: the Tet holiday and surge factors.
        with_tet: whether Tet applies (working calendars only; validation cases do not).
    """

    def __init__(
        self, monthly_factors: tuple[float, ...], lunar: LunarNewYear, with_tet: bool
    ) -> None:
        self.monthly_factors = monthly_factors
        self.lunar = lunar
        self.with_tet = with_tet and (
            lunar.holiday_factor != 1.0 or (lunar.surge_factor != 1.0 and lunar.surge_days > 0)
        )

    def factor(self, date: dt.date) -> float:
        factor = self.monthly_factors[date.month - 1]
        if not self.with_tet:
            return factor
        tet = tet_holidays(date.year)
        if date in tet:
            return factor * self.lunar.holiday_factor
        if tet and 0 < (date - max(tet)).days <= self.lunar.surge_days:
            return factor * self.lunar.surge_factor
        return factor
