"""What a budget can buy: per-commune amounts of levers, their cost, and repair to the caps.

An allocation gives, for each cell (lever, field, commune), a whole number of units:
seconded specialists (``second_staff``), Decree 173 contract staff (``contract_staff``),
clerks trained (``training``), workstations bought (``equipment``; no field). A unit's
cost is what the policy's ledger charges as budget (new money) over the horizon of the
run, read from the lever's policy config (configs/policy, unit costs from configs/costs):

- ``second_staff``: the allowance per person-month for the days the secondment is active
  in the run (the salary is paid anyway: opportunity, not budget);
- ``contract_staff``: the wage for the active days after the hiring delay, plus hiring;
- ``training``: the course fee per trainee (an upper bound: a trainee whose cohort does
  not start inside the run costs nothing);
- ``equipment``: the price of a workstation (network and sync upgrades are left out).

So an allocation's cost here is never below what the run's ``policy_cost_vnd`` shows.
``repair`` cuts an allocation back until it fits the budget and the staff cap (seconded
plus contract staff), one unit at a time from the largest piles; it never adds.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from sim.policies import build_policies
from sim.policies.base import DAYS_PER_MONTH
from sim.spec.config import ConfigError

LEVERS = ("second_staff", "contract_staff", "training", "equipment")
STAFF_LEVERS = ("second_staff", "contract_staff")
FIELD_LEVERS = ("second_staff", "contract_staff", "training")


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
        """Seconded plus contract staff."""
        return int(sum(n for c, n in allocation.items() if c.lever in STAFF_LEVERS))

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
            self._take_one(result, [c for c in result if c.lever in STAFF_LEVERS])
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
        field (``baseline`` when it is empty). With ``rule`` ``worst_overdue`` or
        ``largest_backlog``, staff levers place the same number of staff by that rule
        instead of per commune (the existing heuristics, for comparison)."""
        pairs = []
        groups: dict[tuple[str, str], dict[str, int]] = {}
        for cell, n in sorted(allocation.items()):
            if n > 0:
                groups.setdefault((cell.lever, cell.field), {})[cell.commune] = n
        for (lever, fld), amounts in groups.items():
            config = copy.deepcopy(self.configs[lever])
            name = f"{lever}_{fld}" if fld else lever
            if lever in STAFF_LEVERS:
                posts = [c for c in self.communes for _ in range(amounts.get(c, 0))]
                config.update(field=fld, count=len(posts))
                config.update(allocation="named", communes=posts)
                if rule != "named":
                    config.update(allocation=rule, communes=None)
            elif lever == "training":
                config.update(field=fld, communes="all", trainees=amounts)
            else:
                config.update(communes="all", workstations_per_commune=0, workstations=amounts)
                config.update(network_outage_probability=None, network_speed=None)
                config.update(sync_fix=False)
            pairs.append((name, config))
        return pairs or [("baseline", {"kind": "baseline", "cost_vnd": 0})]


def active_days(start: int, duration: int | None, days: int) -> int:
    """Days of ``[start, start + duration)`` inside a run of ``days`` days."""
    end = days if duration is None else min(days, start + duration)
    return max(0, end - start)


def unit_cost(lever: str, config: dict, days: int) -> float | None:
    """Budget VND of one unit of ``lever`` over a run of ``days`` days; None when the lever
    starts too late to act inside the run."""
    policy = build_policies({lever: _probe(lever, config)})[0]
    if policy.first_effect_day() >= days:
        return None
    if lever == "second_staff":
        return (
            policy.pay
            * active_days(policy.start_day, policy.duration_days, days)
            / (DAYS_PER_MONTH)
        )
    if lever == "contract_staff":
        worked = active_days(policy.start_day, policy.duration_days, days)
        return policy.pay * worked / DAYS_PER_MONTH + (policy.hiring_cost if worked else 0.0)
    if lever == "training":
        return policy.cost_per_trainee
    return policy.cost_workstation


def _probe(lever: str, config: dict) -> dict:
    """A lever's config in the form the optimiser runs it (checked by the policy class)."""
    probe = copy.deepcopy(config)
    if lever in STAFF_LEVERS:
        probe.update(allocation="worst_overdue", communes=None, count=1)
    return probe


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

    Bounds per commune: ``max_per_commune`` staff of a lever; the clerks of the field a
    commune has (training; every civil servant with ``include_unskilled``); the clerks
    without a workstation (equipment; none where every clerk has one).
    """
    for lever, config in configs.items():
        if lever not in LEVERS:
            raise ConfigError(
                f"optimize.levers: {lever!r} is not a lever; allowed: {', '.join(LEVERS)}",
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
        lever_fields = [""] if lever == "equipment" else list(fields)
        if lever == "contract_staff":
            lever_fields = [f for f in fields if f in config.get("allowed_fields", [])]
        for fld in lever_fields:
            probe = {**config, "field": fld} if fld else config
            cost = unit_cost(lever, probe, days)
            if cost is None:
                continue  # a lever that acts only after the horizon changes nothing
            for commune in spec.communes:
                cell = Cell(lever, fld, commune.name)
                costs[cell] = max(cost, 1.0)  # a free unit still counts a little
                upper[cell] = _bound(lever, fld, config, commune, max_per_commune)
                if budget_vnd is not None:
                    upper[cell] = min(upper[cell], math.floor(budget_vnd / costs[cell]))
                if max_staff is not None and lever in STAFF_LEVERS:
                    upper[cell] = min(upper[cell], max_staff)
    return Space(
        communes=[c.name for c in spec.communes],
        configs={k: dict(v) for k, v in configs.items()},
        unit_cost=costs,
        upper=upper,
        budget_vnd=budget_vnd,
        max_staff=max_staff,
    )


def _bound(lever: str, fld: str, config: dict, commune, max_per_commune: int) -> int:
    clerks = sum(g.count for g in commune.clerks)
    if lever in STAFF_LEVERS:
        return max_per_commune
    if lever == "training":
        if config.get("include_unskilled"):
            return clerks
        return sum(g.count for g in commune.clerks if fld in g.skills)
    if commune.workstations is None:
        return 0
    return max(0, clerks - commune.workstations)


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
