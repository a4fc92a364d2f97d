"""Where extra staff go: worst overdue first, largest backlog first, or a named list.

Staff are handed out one at a time, each to the commune with the highest score divided
by (1 + staff it already received), so a commune twice as bad gets about twice as many.
Ties (for instance on the first day, when nothing is overdue yet) are broken by the
commune's structural load in the field: expected work hours a day per unit of skilled
capacity (staff already given counted in), so the most stretched commune comes first.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.spec.config import ConfigError, Reader

if TYPE_CHECKING:
    from sim.abm.agents.commune import Commune
    from sim.abm.policy_context import PolicyContext

RULES = ("worst_overdue", "largest_backlog", "named")


def read_rule(reader: Reader) -> tuple[str, list[str] | None]:
    """The ``allocation`` rule and, for ``named``, the list of commune names."""
    rule = reader.choice("allocation", RULES, "worst_overdue")
    names = reader.raw("communes", None)
    if rule != "named" and names is not None:
        raise ConfigError(
            f"{reader.key('communes')} = {names!r}: used only with allocation: named; "
            f"add {reader.key('allocation')}=named (or drop the list)"
        )
    if rule == "named":
        if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
            raise ConfigError(
                f"{reader.key('communes')} = {names!r}: allocation 'named' needs a non-empty "
                "list of commune names (a name may repeat to send it several staff)"
            )
    return rule, names


def field_work_and_capacity(
    ctx: PolicyContext, commune: Commune, field: str
) -> tuple[float, float]:
    """Expected commune-stage work hours a day in ``field``, and the skilled capacity."""
    hours = 0.0
    for kind, per_day in commune.needs_per_day.items():
        procedures = ctx.catalogue[kind].procedures
        total_share = sum(p.share for p in procedures) or 1.0
        hours += per_day * sum(
            p.share / total_share * p.work.mean for p in procedures if p.field == field
        )
    capacity = sum(c.skills.get(field, 0.0) for c in commune.clerks)
    return hours, capacity


def field_scores(ctx: PolicyContext, field: str, rule: str) -> dict[str, float]:
    """Per commune: overdue open dossiers of the field, or dossiers of the field waiting."""
    scores = {c.name: 0.0 for c in ctx.communes}
    if rule == "largest_backlog":
        for commune in ctx.communes:
            office = commune.office
            waiting = office.queue_lengths().get(field, 0)
            scores[commune.name] = float(waiting + office.busy_by_field().get(field, 0))
        return scores
    return {name: float(n) for name, n in ctx.overdue_open(field).items()}


def allocate(
    ctx: PolicyContext, field: str, count: int, rule: str, names: list[str] | None
) -> list[Commune]:
    """The commune each of ``count`` staff goes to (a commune may appear several times)."""
    by_name = {c.name: c for c in ctx.communes}
    if rule == "named":
        return [by_name[names[i % len(names)]] for i in range(count)]
    scores = field_scores(ctx, field, rule)
    work = {c.name: field_work_and_capacity(ctx, c, field) for c in ctx.communes}
    given = dict.fromkeys(by_name, 0)
    order = {name: i for i, name in enumerate(by_name)}
    result = []
    for _ in range(count):
        best = max(
            by_name,
            key=lambda n: (
                scores[n] / (1 + given[n]),
                _per_capacity(work[n][0], work[n][1] + given[n]),
                -order[n],
            ),
        )
        given[best] += 1
        result.append(by_name[best])
    return result


def _per_capacity(hours: float, capacity: float) -> float:
    if capacity > 0:
        return hours / capacity
    return float("inf") if hours > 0 else 0.0
