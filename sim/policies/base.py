"""The policy base class: a lever with a start day, a duration and a cost in VND.

A policy is called at the start of every simulated day with ``apply(context, day)``,
where ``context`` is the narrow view of the model in sim/abm/policy_context.py; a
policy acts only through explicit methods of communes, offices, clerks and the
province. The
base class turns that into three hooks a subclass fills in: ``start`` (first active
day), ``daily`` (every active day) and ``end`` (first day after the duration). Costs
are accrued for the days a policy was actually active inside the run, so a six-month
secondment in a three-month run costs three months.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sim.policies.ledger import Ledger
from sim.spec.config import ConfigError, Reader

if TYPE_CHECKING:
    from sim.abm.agents.commune import Commune
    from sim.abm.policy_context import PolicyContext
    from sim.spec.scenario import ScenarioSpec

DAYS_PER_MONTH = 365.25 / 12  # calendar days in an average month


@dataclass(frozen=True)
class Lever:
    """What an optimiser may set of a policy (sim/studies/budget_space.py): a whole number
    of units per commune, per field when ``per_field``; ``staff``: the units are people,
    counted against the optimiser's staff cap."""

    per_field: bool = True
    staff: bool = False


class Policy:
    """Base class: a lever active from ``start_day`` for ``duration_days`` (or ``months``).

    Args:
        name: the key of the policy in the ``policy`` config block.
        reader: a Reader over that block; subclasses read their own keys from it.
    """

    kind = "policy"
    cost_items: tuple[str, ...] = ()  # the ledger's items, listed even when nothing is spent
    lever: Lever | None = None  # what an optimiser may set (None: not a lever)

    def __init__(self, name: str, reader: Reader) -> None:
        self.name = name
        self.reader = reader
        self.ledger = Ledger(self.cost_items)
        self.province_share: float | None = None  # the scenario's share of province-wide items
        self.start_day = reader.integer("start_day", 0, low=0)
        if reader.has("duration_days") and reader.has("months"):
            raise ConfigError(
                f"{reader.path}: give duration_days or months, not both "
                f"(duration_days = {reader.raw('duration_days')!r}, "
                f"months = {reader.raw('months')!r})"
            )
        self.duration_days: int | None = None
        if reader.has("months"):
            self.months = reader.number("months", low=0, low_open=True)
            self.duration_days = max(1, round(self.months * DAYS_PER_MONTH))
        elif reader.has("duration_days"):
            self.duration_days = reader.integer("duration_days", low=1)
        self.started = False
        self.ended = False
        self.days_active = 0  # simulated days on which the policy was active

    # -- timing ------------------------------------------------------------------------
    def begins_day(self) -> int:
        """The day the policy's own action begins (a hiring round, a purchase): a policy
        that begins after the run ends can never act."""
        return self.start_day

    @property
    def end_day(self) -> int | None:
        """First day the policy is no longer active (None: until the end of the run)."""
        return None if self.duration_days is None else self.start_day + self.duration_days

    def active(self, day: int) -> bool:
        end = self.end_day
        return day >= self.start_day and (end is None or day < end)

    def apply(self, ctx: PolicyContext, day: int) -> None:
        """Change the model at the start of ``day`` (called every day by the model)."""
        if self.active(day):
            if not self.started:
                self.started = True
                self.start(ctx, day)
            self.days_active += 1
            self.daily(ctx, day)
        elif self.started and not self.ended:
            self.ended = True
            self.end(ctx, day)

    def start(self, ctx: PolicyContext, day: int) -> None:
        """First active day; the base policy does nothing."""

    def daily(self, ctx: PolicyContext, day: int) -> None:
        """Every active day, after ``start`` on the first; the base policy does nothing."""

    def end(self, ctx: PolicyContext, day: int) -> None:
        """First day after the duration; the base policy does nothing."""

    def cost_vnd(self, ctx: PolicyContext) -> float:
        """New money spent on the policy during the run so far (its ledger's budget), VND."""
        return self.ledger.budget_vnd()

    def costs(self, ctx: PolicyContext) -> dict:
        """The ledger split: budget vs opportunity, one-off vs recurring, by commune."""
        return self.ledger.split([c.name for c in ctx.communes], self.province_share)

    def validate(self, spec: ScenarioSpec) -> None:
        """Check the policy against the scenario before the run (fields, commune names)."""

    def first_effect_day(self) -> int:
        """The first day the policy can change anything (after any delay it has)."""
        return self.start_day

    def staffs_field(self) -> str | None:
        """The field of the clerks this policy brings to communes, if it brings any."""
        return None

    # -- as a lever of the optimiser (``lever`` set; sim/studies/budget_space.py) -------------
    @classmethod
    def lever_fields(cls, config: dict, fields: list[str]) -> list[str]:
        """The fields of ``fields`` the lever can act on ([""]: it has no field)."""
        return list(fields) if cls.lever is not None and cls.lever.per_field else [""]

    @classmethod
    def probe(cls, config: dict, field: str) -> dict:
        """The lever's config in the form the optimiser runs it, for one unit in ``field``
        (checked by building the policy)."""
        return {**config, "field": field} if field else dict(config)

    def unit_cost(self, days: int) -> float | None:
        """Budget VND of one unit over a run of ``days`` days, as this policy's own ledger
        charges it; None when the policy starts too late to act inside the run. Call on
        a fresh policy built from ``probe``."""
        if self.first_effect_day() >= days:
            return None
        self.charge_unit(days)
        return self.ledger.budget_vnd()

    def charge_unit(self, days: int) -> None:
        """Enter in the ledger what one unit costs over ``days`` days (levers only)."""
        raise NotImplementedError(f"policy kind {self.kind!r} is not a lever")

    @classmethod
    def unit_bound(cls, config: dict, field: str, commune, max_per_commune: int) -> int:
        """The most units a commune (a scenario ``CommuneSpec``) can take."""
        return max_per_commune

    @classmethod
    def allocated(
        cls, config: dict, field: str, amounts: dict[str, int], communes: list[str], rule: str
    ) -> dict:
        """The config that places ``amounts`` (commune -> units) of the lever in
        ``field``; ``communes``: every commune in order; ``rule``: ``named`` (as given) or
        a staff allocation rule that places the same number by itself."""
        raise NotImplementedError(f"policy kind {cls.kind!r} is not a lever")

    # -- helpers for subclasses --------------------------------------------------------
    def days_active_in(self, days: int) -> int:
        """Days the policy is active inside a run of ``days`` days."""
        end = days if self.end_day is None else min(days, self.end_day)
        return max(0, end - self.start_day)

    def months_active(self) -> float:
        return self.days_active / DAYS_PER_MONTH

    def read_province_share(self) -> None:
        """Read ``communes_per_province`` (how many communes share a province-wide item)."""
        self.communes_per_province = self.reader.integer("communes_per_province", low=1)

    def set_province_share(self, ctx: PolicyContext) -> None:
        self.province_share = min(1.0, len(ctx.communes) / self.communes_per_province)


def read_commune_names(reader: Reader, key: str = "communes") -> list[str] | None:
    """Commune names listed under ``key``; None (every commune) when absent or "all"."""
    value: Any = reader.raw(key, "all")
    if value == "all":
        return None
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise ConfigError(
            f"{reader.key(key)} = {value!r}: must be 'all' or a non-empty list of commune names"
        )
    return list(value)


def read_commune_amounts(reader: Reader, key: str) -> dict[str, int] | None:
    """A per-commune amount under ``key`` (``{commune: n}``, n an integer >= 0); None
    when absent. Names are checked against the scenario by ``check_commune_names``."""
    value: Any = reader.raw(key, None)
    if value is None:
        return None
    good = isinstance(value, dict) and all(
        isinstance(k, str) and isinstance(v, int) and not isinstance(v, bool) and v >= 0
        for k, v in value.items()
    )
    if not good:
        raise ConfigError(
            f"{reader.key(key)} = {value!r}: must be a mapping of commune names to whole "
            f"numbers >= 0, e.g. {{ky_lua: 2, dong_kinh: 1}}"
        )
    return dict(value)


def check_commune_names(
    names: list[str] | None, spec: ScenarioSpec, reader: Reader, key: str = "communes"
) -> None:
    known = [c.name for c in spec.communes]
    unknown = [name for name in names or () if name not in known]
    if unknown:
        raise ConfigError(
            f"{reader.key(key)}: unknown commune(s) {unknown} in scenario {spec.name!r}; "
            f"allowed: {', '.join(known)}"
        )


def check_field(field: str, spec: ScenarioSpec, reader: Reader, key: str = "field") -> None:
    if field not in spec.fields:
        raise ConfigError(
            f"{reader.key(key)} = {field!r}: not a field of scenario {spec.name!r}; "
            f"allowed: {', '.join(spec.fields)}"
        )


def require(commune: Commune, attribute: str, policy: Policy) -> None:
    """Fail clearly when a scenario mechanism a policy acts on is missing."""
    if not hasattr(commune, attribute):
        raise ConfigError(
            f"{policy.reader.path} (kind {policy.kind}): commune {commune.name!r} has no "
            f"{attribute!r}; this policy needs the scenario mechanism that defines it"
        )
