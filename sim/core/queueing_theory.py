"""Closed-form queueing results that the validation scenarios must reproduce."""

from __future__ import annotations

import math


def erlang_c(servers: int, arrival_rate: float, service_rate: float) -> float:
    """Probability that an arrival waits in an M/M/c queue (Erlang C)."""
    offered = arrival_rate / service_rate
    if offered >= servers:
        raise ValueError(f"unstable queue: load {offered / servers:.3f} >= 1")
    term = 1.0
    partial = 1.0  # sum of offered^k / k! for k < servers
    for k in range(1, servers):
        term *= offered / k
        partial += term
    top = term * offered / servers * servers / (servers - offered)
    return top / (partial + top)


def mmc_mean_wait(servers: int, arrival_rate: float, service_rate: float) -> float:
    """Mean time in queue before service starts, M/M/c FIFO."""
    return erlang_c(servers, arrival_rate, service_rate) / (servers * service_rate - arrival_rate)


def mmc_mean_sojourn(servers: int, arrival_rate: float, service_rate: float) -> float:
    return mmc_mean_wait(servers, arrival_rate, service_rate) + 1.0 / service_rate


def mmc_sojourn_cdf(t: float, servers: int, arrival_rate: float, service_rate: float) -> float:
    """P(wait + service <= t) in an M/M/c FIFO queue.

    The wait is 0 with probability 1 - C and exponential with rate theta = c mu - lambda
    otherwise; the service is exponential with rate mu, independent of the wait.
    """
    c = erlang_c(servers, arrival_rate, service_rate)
    mu = service_rate
    theta = servers * service_rate - arrival_rate
    if abs(theta - mu) < 1e-12:
        waited = math.exp(-mu * t) * (1 + mu * t)  # P(Exp(mu) + Exp(mu) > t)
    else:
        waited = (theta * math.exp(-mu * t) - mu * math.exp(-theta * t)) / (theta - mu)
    survival = (1 - c) * math.exp(-mu * t) + c * waited
    return 1.0 - survival


def tandem_mean_sojourn(
    servers: int,
    arrival_rate: float,
    service_rate: float,
    escalation_probability: float,
    province_servers: int,
    province_service_rate: float,
) -> float:
    """Mean sojourn of an open Jackson network: M/M/c, then with probability p a
    second M/M/c fed by the thinned Poisson stream."""
    first = mmc_mean_sojourn(servers, arrival_rate, service_rate)
    if escalation_probability == 0:
        return first
    second = mmc_mean_sojourn(
        province_servers, arrival_rate * escalation_probability, province_service_rate
    )
    return first + escalation_probability * second
