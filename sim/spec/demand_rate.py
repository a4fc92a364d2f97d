"""Demand at the national rate: dossiers per household and per business per year.

The national figure counts dossiers per commune per working day at every level, so
the share filed directly with provincial departments is taken out before it is spread
over a commune's households and businesses (docs/SOURCES.md, "Demand at the national
rate", gives the arithmetic and the sources).
"""

from __future__ import annotations

from dataclasses import dataclass

from sim.spec.config import ConfigError, Reader


@dataclass(frozen=True)
class NationalRate:
    """The inputs of ``scenario.demand.national``; the per-unit rates follow from them."""

    dossiers_per_commune_per_working_day: float
    provincial_share: float
    working_days_per_year: float
    business_share: float
    households_per_commune: float
    businesses_per_commune: float

    @property
    def commune_dossiers_per_year(self) -> float:
        """What a mean commune's PASC receives in a year (provincial filings left out)."""
        return (
            self.dossiers_per_commune_per_working_day
            * (1.0 - self.provincial_share)
            * self.working_days_per_year
        )

    def per_unit_per_year(self) -> dict[str, float]:
        """Dossiers per household (``citizen``) and per business (``business``) per year."""
        total = self.commune_dossiers_per_year
        return {
            "citizen": (1.0 - self.business_share) * total / self.households_per_commune,
            "business": self.business_share * total / self.businesses_per_commune,
        }

    @classmethod
    def read(cls, r: Reader) -> NationalRate:
        return cls(
            dossiers_per_commune_per_working_day=r.number(
                "dossiers_per_commune_per_working_day", low=0
            ),
            provincial_share=r.number("provincial_share", low=0, high=0.95),
            working_days_per_year=r.number("working_days_per_year", low=1, high=366),
            business_share=r.probability("business_share"),
            households_per_commune=r.number("households_per_commune", low=0, low_open=True),
            businesses_per_commune=r.number("businesses_per_commune", low=0, low_open=True),
        )


def dossiers_per_unit_per_year(demand: Reader, kinds: tuple[str, ...]) -> dict[str, float]:
    """Per applicant kind: ``demand.<kind>_dossiers_per_year``, or derived from ``national``.

    Giving both for a kind is an error: one of them would be silently ignored.
    """
    if not demand.has("national"):
        return {kind: demand.number(f"{kind}_dossiers_per_year", 0.0, low=0) for kind in kinds}
    for kind in kinds:
        key = f"{kind}_dossiers_per_year"
        if demand.has(key):
            raise ConfigError(
                f"{demand.key(key)} = {demand.data[key]!r} and {demand.key('national')} are "
                f"both set: give one of them (set {demand.key(key)}=null to use the "
                "national rate)",
                demand.key(key),
            )
    rates = NationalRate.read(demand.child("national")).per_unit_per_year()
    return {kind: rates.get(kind, 0.0) for kind in kinds}
