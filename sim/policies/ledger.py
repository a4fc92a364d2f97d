"""What a policy costs, split the way a finance officer audits it.

Every amount a policy spends is one entry: an item ("allowance", "workstations"...),
VND, whether it is new money (``budget``: allowances, travel, contracts, equipment,
training fees, overtime actually worked) or salaries already paid that the policy
moves from other work (``opportunity``: a seconded specialist's salary, a trainee's
days at the course), whether it is paid once (``one_off``) or accrues with time
(``recurring``), and where it falls: a commune's name, or ``province`` for
province-wide items (a province-wide item is charged once, to the province; the
scenario's share of it is shown beside).
"""

from __future__ import annotations

from collections.abc import Sequence

PROVINCE = "province"  # where province-wide items fall


class Ledger:
    """The entries of one policy, summed on demand."""

    def __init__(self, items: tuple[str, ...] = ()) -> None:
        self.items = items  # listed in the split even when nothing was spent on them
        self._totals: dict[tuple[str, bool, bool, str], float] = {}

    def add(
        self, item: str, vnd: float, *, budget: bool, one_off: bool, where: str = PROVINCE
    ) -> None:
        """Record ``vnd`` spent on ``item`` (ignored when zero)."""
        if vnd < 0:
            raise ValueError(f"cost of {item!r} must not be negative, got {vnd!r}")
        if vnd == 0:
            return
        key = (item, budget, one_off, where)
        self._totals[key] = self._totals.get(key, 0.0) + vnd

    def budget_vnd(self) -> float:
        """New money spent: what ``policy_cost_vnd`` reports."""
        return sum(v for (_, budget, _, _), v in self._totals.items() if budget)

    def split(self, communes: Sequence[str], province_share: float | None = None) -> dict:
        """``budget_vnd``, ``opportunity_vnd``, ``one_off_vnd``, ``recurring_vnd``,
        ``by_commune`` (every commune, then ``province``), ``items``; with
        ``province_share`` (the scenario's share of province-wide items) also
        ``province_share_vnd``. Keys are the same whatever was spent, so replications
        average entry by entry."""
        totals = self._totals
        by_where: dict[str, float] = dict.fromkeys([*communes, PROVINCE], 0.0)
        items: dict[str, float] = dict.fromkeys(self.items, 0.0)
        for (item, _, _, where), vnd in totals.items():
            by_where[where] = by_where.get(where, 0.0) + vnd
            items[item] = items.get(item, 0.0) + vnd
        result = {
            "budget_vnd": sum(v for k, v in totals.items() if k[1]),
            "opportunity_vnd": sum(v for k, v in totals.items() if not k[1]),
            "one_off_vnd": sum(v for k, v in totals.items() if k[2]),
            "recurring_vnd": sum(v for k, v in totals.items() if not k[2]),
            "by_commune": by_where,
            "items": items,
        }
        if province_share is not None:
            result["province_share_vnd"] = by_where.get(PROVINCE, 0.0) * province_share
        return result
