"""Citizens and businesses: super-individuals who act only when a need arises.

A ``Population`` holds one commune's applicants of one kind as arrays. Each agent
stands for ``weight`` households (or businesses); a day's needs are handed to agents
with a few vectorised draws, so a day costs in proportion to its dossiers, not to the
population, and building a model costs no object per applicant. ``Population.agent``
gives one applicant as a ``Citizen`` or ``Business`` view over those arrays.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from sim.spec.behaviour import ApplicantBehaviour


class Applicant:
    """A household or business (``weight`` of them) that files dossiers: a view of one
    row of its population's arrays, made when asked for (nothing is stored in it)."""

    def __init__(self, population: Population, index: int) -> None:
        self.population = population
        self.index = index

    @property
    def weight(self) -> float:
        return float(self.population.weight[self.index])

    @property
    def digital_propensity(self) -> float:
        return float(self.population.propensity[self.index])

    @digital_propensity.setter
    def digital_propensity(self, value: float) -> None:
        self.population.propensity[self.index] = min(1.0, max(0.0, value))

    @property
    def has_signal(self) -> bool:
        return bool(self.population.has_signal[self.index])


class Citizen(Applicant):
    """Households of a commune."""


class Business(Applicant):
    """Business households and enterprises of a commune."""


class Population:
    """All applicants of one kind in one commune.

    Args:
        agent_class: ``Citizen`` or ``Business``, the view ``agent`` gives.
        units: households (or businesses) represented.
        behaviour: channel and supplement behaviour.
        rng: the stream that draws the agents' attributes.
        signal_coverage: the commune's share with phone signal (None: the behaviour's).
        distance_km_mean: mean distance from home to the PASC (0: distance plays no part).
    """

    def __init__(
        self,
        agent_class: type[Applicant],
        units: float,
        behaviour: ApplicantBehaviour,
        rng: np.random.Generator,
        signal_coverage: float | None = None,
        distance_km_mean: float = 0.0,
    ) -> None:
        self.behaviour = behaviour
        n_agents = max(1, int(np.ceil(units / behaviour.units_per_agent)))
        self.weight = np.full(n_agents, units / n_agents)
        self.cumulative_weight = np.cumsum(self.weight)
        self.total_weight = float(self.cumulative_weight[-1])
        mean = behaviour.digital_propensity_mean
        k = behaviour.digital_propensity_concentration
        if 0.0 < mean < 1.0:
            self.propensity = rng.beta(mean * k, (1 - mean) * k, n_agents)
        else:
            self.propensity = np.full(n_agents, mean)
            rng.random(n_agents)  # keep the stream aligned whatever the mean
        coverage = behaviour.signal_coverage if signal_coverage is None else signal_coverage
        self.has_signal = rng.random(n_agents) < coverage
        # distances only drawn when they matter, so scenarios without them keep their draws
        self.distance = rng.exponential(distance_km_mean, n_agents) if distance_km_mean else None
        self._online_pull = None
        if self.distance is not None and behaviour.distance_online_weight:
            d = self.distance
            self._online_pull = behaviour.distance_online_weight * d / (d + distance_km_mean)
        self.neighbour_boost = 0.0  # grows with the commune's online use
        self.index = -1  # its number among the model's populations (set by the model)
        self.agent_class = agent_class
        self.size = n_agents

    def agent(self, index: int) -> Applicant:
        """Applicant ``index`` as a view over the arrays."""
        if not 0 <= index < self.size:
            raise IndexError(f"applicant {index} of a population of {self.size}")
        return self.agent_class(self, index)

    def close_online_gap(self, share: float) -> None:
        """A campaign moves every propensity ``p`` to ``p + share * (1 - p)``."""
        self.propensity += share * (1 - self.propensity)

    def hear_from_neighbours(self, online_share: float) -> None:
        """Neighbours' online use today makes the channel more familiar (commune-wide)."""
        rate = self.behaviour.neighbour_rate
        if rate:
            self.neighbour_boost += rate * online_share * (1.0 - self.neighbour_boost)


class Applicants:
    """Every population's applicants in one set of arrays (the model's, in population
    order): each ``Population``'s arrays become views of its slice, so a day's needs
    and learning are done for all communes at once, with the same numbers as one
    population at a time."""

    def __init__(self, populations: list[Population]) -> None:
        sizes = np.array([p.size for p in populations], dtype=np.int64)
        self.start = np.concatenate(([0], np.cumsum(sizes)[:-1])).astype(np.int64)
        self.size = sizes
        self.total_weight = np.array([p.total_weight for p in populations])
        self.learning_rate = np.array([p.behaviour.online_learning_rate for p in populations])
        self.populations = populations
        self.weight = self._joined(populations, "weight")
        self.cumulative_weight = self._joined(populations, "cumulative_weight")
        self.propensity = self._joined(populations, "propensity")
        self.has_signal = self._joined(populations, "has_signal")
        self.online_pull = np.concatenate(  # 0: the trip plays no part (p + (1 - p) * 0 = p)
            [np.zeros(p.size) if p._online_pull is None else p._online_pull for p in populations]
        )
        self.distance = np.concatenate(
            [np.zeros(p.size) if p.distance is None else p.distance for p in populations]
        )

    def _joined(self, populations: list[Population], name: str) -> np.ndarray:
        joined = np.concatenate([getattr(p, name) for p in populations])
        for p, a in zip(populations, self.start.tolist(), strict=True):
            setattr(p, name, joined[a : a + p.size])  # a view: writes reach both
        return joined

    def neighbour_boost(self) -> np.ndarray:
        return np.array([p.neighbour_boost for p in self.populations])

    def pick(self, population: np.ndarray, u: np.ndarray) -> np.ndarray:
        """Each need's agent (index in its population), in proportion to weight."""
        return _pick_in_segments(
            self.cumulative_weight, self.start, self.size, self.total_weight, population, u
        )

    def goes_online(
        self, population: np.ndarray, agent: np.ndarray, u: np.ndarray, eligible: np.ndarray
    ) -> np.ndarray:
        """Channel choice of each need (of ``agent`` in ``population``): online when
        eligible, with signal, and the agent is inclined. Inclination is the agent's
        propensity, raised by the trip it saves (distance) and by neighbours' use of the
        online channel."""
        row = self.start[population] + agent
        p = self.propensity[row]
        p = p + (1.0 - p) * self.online_pull[row]
        p = p + (1.0 - p) * self.neighbour_boost()[population]
        return eligible & self.has_signal[row] & (u < p)

    def learn(self, population: np.ndarray, agent: np.ndarray, results: np.ndarray) -> None:
        """Agents whose online dossiers came back on time (``results`` of them each)
        lean further online: each result moves a propensity ``p`` to
        ``p + rate * (1 - p) / weight``, one household's experience in an agent standing
        for ``weight`` of them, so outputs do not depend on the weight in expectation.
        ``k`` results in one day compose to ``1 - (1 - p) * (1 - rate / weight) ** k``.
        """
        rate = self.learning_rate[population]
        learning = rate > 0
        row = (self.start[population] + agent)[learning]
        rate, results = rate[learning], results[learning]
        gap = (1.0 - self.propensity[row]) * (1.0 - rate / self.weight[row]) ** results
        self.propensity[row] = np.clip(1.0 - gap, 0.0, 1.0)


@njit(cache=True)
def _pick_in_segments(cumulative, start, size, total, population, u):
    """``searchsorted(side="right")`` of ``u * total`` in each need's population's
    cumulative weights, capped at its last agent."""
    picked = np.empty(len(u), dtype=np.int64)
    for i in range(len(u)):
        p = population[i]
        a, n = start[p], size[p]
        value = u[i] * total[p]
        lo, hi = 0, n
        while lo < hi:
            mid = (lo + hi) // 2
            if cumulative[a + mid] <= value:
                lo = mid + 1
            else:
                hi = mid
        picked[i] = min(lo, n - 1)
    return picked
