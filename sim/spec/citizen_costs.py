"""What a trip to the PASC costs a citizen: travel speed, VND per km, the value of time.

Read from the scenario's ``citizen`` block (the scenarios include
``configs/scenario/_citizen.yaml``, which takes the numbers from ``configs/costs``);
without it the model still counts trips, km and hours at the counter, but not travel
hours or VND.
"""

from __future__ import annotations

from dataclasses import dataclass

from sim.spec.config import Reader


@dataclass(frozen=True)
class CitizenCosts:
    """Unit values for the citizen figures (``citizen_hours``, ``citizen_cost_vnd``)."""

    travel_vnd_per_km: float
    travel_km_per_hour: float
    time_vnd_per_hour: float
    between_sites_km: float

    @classmethod
    def read(cls, r: Reader) -> CitizenCosts:
        return cls(
            travel_vnd_per_km=r.number("travel_vnd_per_km", low=0),
            travel_km_per_hour=r.number("travel_km_per_hour", low=0, low_open=True),
            time_vnd_per_hour=r.number("time_vnd_per_hour", low=0),
            between_sites_km=r.number("between_sites_km", 0.0, low=0),
        )

    def rates(self) -> tuple[float, float, float]:
        """(VND per km, km per hour, VND per hour): what the tallies' figures need."""
        return (self.travel_vnd_per_km, self.travel_km_per_hour, self.time_vnd_per_hour)
