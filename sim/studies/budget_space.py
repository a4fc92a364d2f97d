"""What a budget can buy: per-commune amounts of levers, their cost, and repair to the caps.

A lever is a policy class that declares one (``Policy.lever``, sim/policies/base.py;
README "Adding a policy"). An allocation gives, for each cell (lever, field, commune), a
whole number of units. Everything that differs between levers comes from the policy
class: the fields it acts on, the config of one unit (``probe``), a unit's cost as the
policy's own ledger charges it as budget (new money) over the horizon of the run
(``unit_cost``: e.g. the allowance for the days a secondment is active, the salary being
paid anyway), a commune's bound (``unit_bound``) and the config that places an
allocation (``allocated``). This module names no policy.

So an allocation's cost here is never below what the run's ``policy_cost_vnd`` shows.
``repair`` cuts an allocation back until it fits the budget and the staff cap (the staff
levers' units), one unit at a time from the largest piles; it never adds.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from sim.policies import POLICY_CLASSES, build_policies, levers, no_policy
from sim.spec.config import ConfigError


def is_staff(lever: str) -> bool:
    """The lever's units are people (they count against the staff cap)."""
    return POLICY_CLASSES[lever].lever.staff


@dataclass(frozen=True, order=True)
class Cell:
    """One decision variable: units of ``lever`` in ``field`` (empty: none) at ``commune``."""

    lever: str
    field: str
    commune: str

    @property
    def name(self) -> str:
        """The parameter name an optimiser sees: ``lever.field.commune``."""
        return (
            f"{self.lever}.{self.field}.{self.commune}"
            if self.field
            else (f"{self.lever}.{self.commune}")
        )


Allocation = dict[Cell, int]


@dataclass
class Space:
    """The cells a budget may fund, each unit's cost and each cell's upper bound."""

    communes: list[str]
    configs: dict[str, dict]  # lever -> its resolved policy config
    unit_cost: dict[Cell, float]
    upper: dict[Cell, int]
    budget_vnd: float | None = None
    max_staff: int | None = None
    cells: list[Cell] = field(init=False)

    def __post_init__(self) -> None:
        self.cells = sorted(c for c in self.unit_cost if self.upper.get(c, 0) > 0)

    # -- measures ----------------------------------------------------------------------
    def cost(self, allocation: Mapping[Cell, int]) -> float:
        """Budget VND of an allocation over the horizon (an upper bound of the run's)."""
        return float(sum(self.unit_cost[c] * n for c, n in allocation.items()))

    def staff(self, allocation: Mapping[Cell, int]) -> int:
        """The units of the staff levers (people)."""
        return int(sum(n for c, n in allocation.items() if is_staff(c.lever)))

    def fits(self, allocation: Mapping[Cell, int]) -> bool:
        """Within every cell's bound, the budget and the staff cap."""
        if any(n < 0 or n > self.upper.get(c, 0) for c, n in allocation.items()):
            return False
        if self.budget_vnd is not None and self.cost(allocation) > self.budget_vnd * (1 + 1e-9):
            return False
        return self.max_staff is None or self.staff(allocation) <= self.max_staff

    # -- repair and simple allocations -------------------------------------------------
    def repair(self, allocation: Mapping[Cell, int]) -> Allocation:
        """The allocation cut back to the bounds, the staff cap and the budget.

        Each cell is first clipped to its bound; then, while the staff cap or the budget
        is exceeded, one unit goes from the largest pile that counts against it (ties: the
        dearest unit, then the last cell), so the shape of the allocation is kept.
        """
        result = {c: min(int(n), self.upper.get(c, 0)) for c, n in allocation.items() if int(n) > 0}
        result = {c: n for c, n in result.items() if n > 0}
        while self.max_staff is not None and self.staff(result) > self.max_staff:
            self._take_one(result, [c for c in result if is_staff(c.lever)])
        while self.budget_vnd is not None and self.cost(result) > self.budget_vnd * (1 + 1e-9):
            self._take_one(result, list(result))
        return dict(sorted(result.items()))

    def _take_one(self, allocation: Allocation, among: list[Cell]) -> None:
        cell = max(among, key=lambda c: (allocation[c], self.unit_cost[c], c))
        allocation[cell] -= 1
        if not allocation[cell]:
            del allocation[cell]

    def plus(self, allocation: Mapping[Cell, int], cell: Cell) -> Allocation:
        """The allocation with one more unit in ``cell``."""
        result = dict(allocation)
        result[cell] = result.get(cell, 0) + 1
        return dict(sorted(result.items()))

    def equal_split(self) -> Allocation:
        """One unit to each cell in turn (lever by lever, commune by commune) while it fits:
        the same amount everywhere the money reaches."""
        result: Allocation = {}
        grew = True
        while grew:
            grew = False
            for cell in self.cells:
                trial = self.plus(result, cell)
                if self.fits(trial):
                    result, grew = trial, True
        return result

    # -- policies ----------------------------------------------------------------------
    def policies(self, allocation: Mapping[Cell, int], rule: str = "named") -> list:
        """The RunSpec policies of an allocation: ``(name, config)`` pairs, one per lever and
        field (no intervention when it is empty). With ``rule`` ``worst_overdue`` or
        ``largest_backlog``, staff levers place the same number of staff by that rule
        instead of per commune (the existing heuristics, for comparison)."""
        pairs = []
        groups: dict[tuple[str, str], dict[str, int]] = {}
        for cell, n in sorted(allocation.items()):
            if n > 0:
                groups.setdefault((cell.lever, cell.field), {})[cell.commune] = n
        for (lever, fld), amounts in groups.items():
            config = POLICY_CLASSES[lever].allocated(
                self.configs[lever], fld, amounts, self.communes, rule
            )
            pairs.append((f"{lever}_{fld}" if fld else lever, config))
        return pairs or [no_policy()]


def unit_cost(lever: str, config: dict, field: str, days: int) -> float | None:
    """Budget VND of one unit of ``lever`` in ``field`` over a run of ``days`` days, as
    the policy's ledger charges it; None when the lever starts too late to act in the run."""
    probe = POLICY_CLASSES[lever].probe(config, field)
    return build_policies({lever: probe})[0].unit_cost(days)


def build_space(
    spec,
    configs: Mapping[str, dict],
    *,
    fields: list[str],
    days: int,
    budget_vnd: float | None,
    max_staff: int | None,
    max_per_commune: int,
) -> Space:
    """Every cell the scenario ``spec`` allows for the levers in ``configs``.

    A commune's bound is the policy's (``unit_bound``: ``max_per_commune`` unless the
    policy knows better, e.g. the clerks it can train), cut to what the budget and the
    staff cap allow.
    """
    for lever, config in configs.items():
        if lever not in levers():
            raise ConfigError(
                f"optimize.levers: {lever!r} is not a lever; allowed: {', '.join(levers())}",
                "optimize.levers",
            )
        if config.get("kind") != lever:
            raise ConfigError(
                f"policy.{lever}.kind = {config.get('kind')!r}: the lever {lever} needs a "
                f"config of kind {lever}",
                f"policy.{lever}.kind",
            )
    unknown = [f for f in fields if f not in spec.fields]
    if unknown:
        raise ConfigError(
            f"optimize.fields: {unknown} not fields of scenario {spec.name!r}; allowed: "
            f"{', '.join(spec.fields)}",
            "optimize.fields",
        )
    costs: dict[Cell, float] = {}
    upper: dict[Cell, int] = {}
    for lever, config in configs.items():
        policy = POLICY_CLASSES[lever]
        for fld in policy.lever_fields(config, list(fields)):
            cost = unit_cost(lever, config, fld, days)
            if cost is None:
                continue  # a lever that acts only after the horizon changes nothing
            for commune in spec.communes:
                cell = Cell(lever, fld, commune.name)
                costs[cell] = max(cost, 1.0)  # a free unit still counts a little
                upper[cell] = policy.unit_bound(config, fld, commune, max_per_commune)
                if budget_vnd is not None:
                    upper[cell] = min(upper[cell], math.floor(budget_vnd / costs[cell]))
                if max_staff is not None and is_staff(lever):
                    upper[cell] = min(upper[cell], max_staff)
    return Space(
        communes=[c.name for c in spec.communes],
        configs={k: dict(v) for k, v in configs.items()},
        unit_cost=costs,
        upper=upper,
        budget_vnd=budget_vnd,
        max_staff=max_staff,
    )


def allocation_rows(space: Space, allocation: Mapping[Cell, int]) -> list[dict]:
    """``allocation.csv`` rows: commune, lever, field, amount, cost_vnd (nonzero cells)."""
    return [
        {
            "commune": cell.commune,
            "lever": cell.lever,
            "field": cell.field,
            "amount": n,
            "cost_vnd": round(space.unit_cost[cell] * n),
        }
        for cell, n in sorted(allocation.items(), key=lambda kv: (kv[0].commune, kv[0]))
        if n > 0
    ]
