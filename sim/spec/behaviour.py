"""Applicants' behaviour parameters, read from ``scenario.applicants.<kind>``."""

from __future__ import annotations

from dataclasses import dataclass

from sim.spec.config import Reader


@dataclass(frozen=True)
class ApplicantBehaviour:
    """How a kind of applicant chooses a channel and answers supplement requests."""

    units_per_agent: float
    digital_propensity_mean: float
    digital_propensity_concentration: float
    signal_coverage: float
    give_up_probability: float
    return_days_mean: float
    online_learning_rate: float
    neighbour_rate: float = 0.0
    distance_online_weight: float = 0.0
    travel_days_per_10km: float = 0.0
    complaint_probability: float = 0.0
    complaint_hours: float = 0.5

    @classmethod
    def read(cls, reader: Reader) -> ApplicantBehaviour:
        return cls(
            units_per_agent=reader.number("units_per_agent", low=1),
            digital_propensity_mean=reader.probability("digital_propensity_mean"),
            digital_propensity_concentration=reader.number(
                "digital_propensity_concentration", 8.0, low=0, low_open=True
            ),
            signal_coverage=reader.probability("signal_coverage", 1.0),
            give_up_probability=reader.probability("give_up_probability", 0.0),
            return_days_mean=reader.number("return_days_mean", 3.0, low=0),
            online_learning_rate=reader.probability("online_learning_rate", 0.0),
            neighbour_rate=reader.probability("neighbour_rate", 0.0),
            distance_online_weight=reader.probability("distance_online_weight", 0.0),
            travel_days_per_10km=reader.number("travel_days_per_10km", 0.0, low=0),
            complaint_probability=reader.probability("complaint_probability", 0.0),
            complaint_hours=reader.number("complaint_hours", 0.5, low=0),
        )
