"""Ranking and selection: which of a few candidates is best, judged by paired replications.

Every candidate is run on the same replications (common random numbers: replication r
sees the same demand whatever the allocation), so two candidates are compared by the
t-interval of their paired differences. The candidate with the best mean leads; every
candidate whose paired interval against the leader includes zero cannot be told apart
from it; among those the cheapest wins (ties: the better mean).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from sim.core.stats import mean_interval, paired_differences

MAXIMISED_SUFFIXES = ("_rate", "online_share")  # figures where more is better


def direction(objective: str) -> str:
    """``maximize`` for rates and shares, ``minimize`` for counts, hours and VND."""
    return "maximize" if objective.endswith(MAXIMISED_SUFFIXES) else "minimize"


def loss(objective: str, value: float) -> float:
    """The value as something to minimise."""
    return -value if direction(objective) == "maximize" else value


def paired_interval(a: Sequence[float], b: Sequence[float]) -> tuple[float, float, float]:
    """Mean of ``a - b`` over paired replications and its 95% t-interval."""
    return mean_interval(paired_differences(a, b))


def select(
    values: Mapping[str, Sequence[float]], costs: Mapping[str, float], objective: str
) -> tuple[str, list[str]]:
    """The winner and the candidates indistinguishable from the leader (leader first).

    Args:
        values: per candidate, the objective in replications 0..n-1 (the same for all).
        costs: per candidate, its cost (VND).
        objective: the summary figure (its direction says which way is better).
    """
    if not values:
        raise ValueError("select: no candidates")

    def mean_loss(name: str) -> float:
        return loss(objective, float(sum(values[name]) / len(values[name])))

    leader = min(values, key=lambda n: (mean_loss(n), costs[n], n))
    tied = [leader]
    for name in values:
        if name == leader:
            continue
        _, low, high = paired_interval(values[name], values[leader])
        if math.isnan(low) or low <= 0 <= high:
            tied.append(name)
    winner = min(tied, key=lambda n: (costs[n], mean_loss(n), n))
    return winner, tied


def figures(values: Sequence[float]) -> tuple[float, list[float]]:
    """Mean and 95% interval of replications' values (the interval is NaN with one)."""
    mean, low, high = mean_interval(values)
    return mean, [low, high]
