"""Synthetic provinces and a synthetic country, drawn from documented distributions.

``scenario=province`` and ``scenario=country`` do not list their communes: they give
``n_communes`` (and ``n_provinces``) and a ``layout`` block of distributions, and this
module writes the ``communes`` list in the same form as a hand-written scenario's
(``name``, ``households``, ``businesses``, ``clerks``), plus the provincial departments'
staff. The layout is drawn from ``scenario.layout_seed`` alone, not from the model's
seed: a province is a fixed place, and its replications differ only in what happens
there (demand, behaviour), so every replication and every policy sees the same
communes.
"""

from __future__ import annotations

import copy
import math

import numpy as np

from sim.spec.config import ConfigError, Reader


def is_country(data: dict) -> bool:
    """A country scenario runs one model per province (see ``sim.runs.country``)."""
    return isinstance(data, dict) and data.get("n_provinces") is not None


def expand(data: dict) -> dict:
    """The scenario dict with its communes drawn, when it asks for a synthetic layout.

    A scenario without ``n_communes`` comes back unchanged.
    """
    if not isinstance(data, dict) or data.get("n_communes") is None:
        return data
    if is_country(data):
        raise ConfigError(
            f"scenario.n_provinces = {data['n_provinces']!r}: a country runs as one model "
            "per province; read it with sim.runs.country.read_scenario, not as one province"
        )
    r = Reader(data, "scenario")
    n_communes = r.integer("n_communes", low=1)
    seed = r.integer("layout_seed", 0, low=0)
    return province_scenario(data, n_communes, np.random.default_rng([seed]), prefix="")


def province_scenario(data: dict, n_communes: int, rng: np.random.Generator, prefix: str):
    """One province's scenario dict: ``n_communes`` communes and its departments."""
    r = Reader(data, "scenario")
    if r.raw("communes", []):
        raise ConfigError(
            f"scenario.communes has {len(data['communes'])} entries and scenario.n_communes "
            f"= {n_communes}: give either a communes list or n_communes, not both"
        )
    layout = Layout(r.child("layout"))
    result = copy.deepcopy(data)
    for key in ("n_communes", "n_provinces", "layout", "layout_seed"):
        result.pop(key, None)
    result["communes"] = layout.communes(n_communes, rng, prefix)
    province = result.setdefault("province", {})
    departments = province.setdefault("departments", {})
    for field, per_commune in layout.department_staff_per_commune.items():
        departments.setdefault(field, {})["staff"] = max(1, round(per_commune * n_communes))
    return result


def province_sizes(n_communes: int, n_provinces: int, sigma: float, rng) -> list[int]:
    """Communes per province: lognormal weights, rounded to add up to ``n_communes``.

    Largest-remainder rounding keeps the national total exact; every province has at
    least one commune.
    """
    if n_provinces > n_communes:
        raise ConfigError(
            f"scenario.n_provinces = {n_provinces}: must be <= scenario.n_communes ({n_communes})"
        )
    weights = rng.lognormal(0.0, sigma, n_provinces)
    share = 1 + (n_communes - n_provinces) * weights / weights.sum()
    sizes = np.floor(share).astype(int)
    short = n_communes - int(sizes.sum())
    order = np.argsort(-(share - sizes), kind="stable")
    sizes[order[:short]] += 1
    return [int(s) for s in sizes]


class Layout:
    """The ``scenario.layout`` block: the distributions communes are drawn from."""

    def __init__(self, r: Reader) -> None:
        self.households_mean = r.number("households_mean", low=1)
        self.households_cv = r.number("households_cv", low=0)
        self.businesses_per_household = r.number("businesses_per_household", low=0)
        positions = r.child("positions")
        self.positions_base = positions.number("base", low=0)
        self.residents_included = positions.number("residents_included", low=0)
        self.residents_per_extra_mountain = positions.number("residents_per_extra_mountain", low=1)
        self.residents_per_extra_other = positions.number("residents_per_extra_other", low=1)
        self.positions_max = positions.number("max", low=0)
        self.positions_max_ward = positions.number("max_ward", self.positions_max, low=0)
        self.ward_residents = positions.number("ward_residents", math.inf, low=0)
        self.people_per_household = r.number("people_per_household", low=0, low_open=True)
        self.mountain_share = r.probability("mountain_share", 0.0)
        self.staffing_factor_mean = r.number("staffing_factor_mean", low=0)
        self.staffing_factor_sd = r.number("staffing_factor_sd", low=0)
        self.handling_share = r.probability("handling_share")
        self.proficiency_cv = r.number("proficiency_cv", low=0)
        self.province_size_sigma = r.number("province_size_sigma", 0.0, low=0)
        self.several_sites_share = r.probability("several_sites_share", 0.0)
        self.households_per_counter = r.number("households_per_counter", 0.0, low=0)
        self.workstations_per_clerk_min = r.probability("workstations_per_clerk_min", 1.0)
        self.outage_probability_max = r.probability("network_outage_probability_max", 0.0)
        self.network_speed_min = r.number("network_speed_min", 1.0, low=0, low_open=True, high=1)
        self.sync_failure_probability_max = r.probability("sync_failure_probability_max", 0.0)
        self.signal_coverage_min = r.probability("signal_coverage_min", 1.0)
        self.distance_km_mean = r.number("distance_km_mean", 0.0, low=0)
        roles = r.items("clerk_roles")
        if not roles:
            raise ConfigError(f"{r.key('clerk_roles')} = []: at least one role is needed")
        self.roles = [
            (
                role.raw("skills"),
                role.number("switch_hours", 0.0, low=0),
                role.number("share", low=0),
            )
            for role in roles
        ]
        total = sum(share for _, _, share in self.roles)
        if total <= 0:
            raise ConfigError(f"{r.key('clerk_roles')}: shares add up to 0")
        self.role_shares = np.array([share / total for _, _, share in self.roles])
        staff = r.raw("department_staff_per_commune", {})
        staff_reader = Reader(staff, r.key("department_staff_per_commune"))
        self.department_staff_per_commune = {
            name: staff_reader.number(name, low=0) for name in staff
        }

    def communes(self, n: int, rng: np.random.Generator, prefix: str) -> list[dict]:
        """``n`` communes' entries, each drawn with a fixed number of uniforms."""
        sigma2 = math.log1p(self.households_cv**2)
        households = rng.lognormal(
            math.log(self.households_mean) - sigma2 / 2, math.sqrt(sigma2), n
        )
        staffing = rng.normal(self.staffing_factor_mean, self.staffing_factor_sd, n)
        p_sigma2 = math.log1p(self.proficiency_cv**2)
        proficiency = rng.lognormal(-p_sigma2 / 2, math.sqrt(p_sigma2), (n, len(self.roles)))
        conditions = rng.random((n, 7))  # one column per condition, drawn after the above
        mountain = rng.random(n) < self.mountain_share  # drawn last: earlier draws keep
        width = len(str(n))
        result = []
        for i in range(n):
            positions = self.positions(float(households[i]), bool(mountain[i]))
            handlers = max(0, round(positions * self.handling_share * max(staffing[i], 0.0)))
            clerks = []
            for (skills, switch, _), count, factor in zip(
                self.roles, self._split(handlers), proficiency[i], strict=True
            ):
                group = {
                    "count": count,
                    "skills": {f: round(float(p) * float(factor), 3) for f, p in skills.items()},
                }
                if switch:
                    group["switch_hours"] = switch
                clerks.append(group)
            entry = {
                "name": f"{prefix}c{i + 1:0{width}d}",
                "households": round(float(households[i]), 1),
                "businesses": round(float(households[i]) * self.businesses_per_household, 1),
                "clerks": clerks,
            }
            entry.update(self._conditions(conditions[i], entry, sum(c["count"] for c in clerks)))
            entry["remote"] = bool(mountain[i])
            result.append(entry)
        return result

    def positions(self, households: float, mountain: bool) -> float:
        """Positions of a commune government by the national orientation: a base, one
        more per so many residents above a threshold (fewer in mountain areas), capped."""
        residents = households * self.people_per_household
        per = self.residents_per_extra_mountain if mountain else self.residents_per_extra_other
        extra = math.floor(max(0.0, residents - self.residents_included) / per)
        cap = self.positions_max_ward if residents > self.ward_residents else self.positions_max
        return min(cap, self.positions_base + extra)

    def _conditions(self, u: np.ndarray, entry: dict, handlers: int) -> dict:
        """Premises, equipment and network of one commune, each from its own uniform."""
        low = self.workstations_per_clerk_min
        counters = 0
        if self.households_per_counter:
            counters = max(1, round(entry["households"] / self.households_per_counter))
        return {
            "sites": 2 if u[0] < self.several_sites_share else 1,
            "reception_counters": counters,
            "workstations": min(handlers, math.ceil(handlers * (low + (1 - low) * u[1]))),
            "network_outage_probability": round(self.outage_probability_max * u[2], 4),
            "network_speed": round(self.network_speed_min + (1 - self.network_speed_min) * u[3], 3),
            "sync_failure_probability": round(self.sync_failure_probability_max * u[4], 4),
            "signal_coverage": round(
                self.signal_coverage_min + (1 - self.signal_coverage_min) * u[5], 3
            ),
            "distance_km_mean": round(self.distance_km_mean * 2 * u[6], 2),
        }

    def _split(self, handlers: int) -> list[int]:
        """Clerks per role: one each so that every field is served, the rest by share."""
        n_roles = len(self.roles)
        extra = max(0, handlers - n_roles)
        share = extra * self.role_shares
        counts = np.floor(share).astype(int)
        order = np.argsort(-(share - counts), kind="stable")
        counts[order[: extra - int(counts.sum())]] += 1
        return [int(c) + 1 for c in counts]
