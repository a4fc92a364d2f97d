"""Extra staff for communes: seconded specialists, Decree 173 contracts, a shared specialist.

SOURCES.md: Nghe An asked its Department of Home Affairs to second civil servants to
communes short of staff (land, construction, finance, IT); Tay Ninh seconded 20
provincial staff to 15 communes; Official Letter 7415/BNV-CCVC names secondment and
Decree 173/2025 labour contracts (at most 24 months, not for "regular and continuous"
state-management tasks) among four ways to fill gaps; Lang Son group 9 asked
neighbouring communes to support each other.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.policies.allocation import allocate, read_rule
from sim.policies.base import (
    DAYS_PER_MONTH,
    Policy,
    check_commune_names,
    check_field,
    read_commune_names,
)
from sim.spec.config import ConfigError, Reader

if TYPE_CHECKING:
    from sim.abm.agents.clerk import Clerk
    from sim.abm.agents.commune import Commune
    from sim.abm.policy_context import PolicyContext
    from sim.spec.scenario import ScenarioSpec

CONTRACT_MAX_MONTHS = 24  # SOURCES.md: Decree 173/2025 labour contracts last at most 24 months


class SecondStaff(Policy):
    """Provincial specialists seconded to communes for some months.

    Keys: ``field``, ``count``, ``proficiency``, ``allocation`` (``worst_overdue``,
    ``largest_backlog`` or ``named`` with ``communes``), ``start_day``, ``months``,
    ``brings_workstation``, ``cost_vnd_per_person_month``. Staff are allocated on the
    start day, from the state of the backlog that morning, and return to the province
    when the months are over.
    """

    kind = "second_staff"
    clerk_kind = "seconded"

    def __init__(self, name: str, reader: Reader) -> None:
        super().__init__(name, reader)
        self.field = str(reader.raw("field"))
        self.count = reader.integer("count", low=1)
        self.proficiency = reader.number("proficiency", 1.0, low=0, low_open=True)
        self.rule, self.names = read_rule(reader)
        self.seat = bool(reader.raw("brings_workstation", False))
        self.cost_per_person_month = reader.number("cost_vnd_per_person_month", low=0)
        self.staff: list[Clerk] = []
        self.posts: list[Commune] = []  # where each member of staff went

    def validate(self, spec: ScenarioSpec) -> None:
        check_field(self.field, spec, self.reader)
        check_commune_names(self.names, spec, self.reader)

    def staffs_field(self) -> str | None:
        return self.field

    @property
    def assigned_to(self) -> list[str]:
        """The commune each member of staff went to, by name."""
        return [commune.name for commune in self.posts]

    def hire(self, ctx: PolicyContext) -> None:
        for commune in allocate(ctx, self.field, self.count, self.rule, self.names):
            clerk = ctx.new_clerk({self.field: self.proficiency}, self.clerk_kind)
            self.staff.append(clerk)
            self.posts.append(commune)
            commune.assign(clerk, own_workstation=self.seat)

    def start(self, ctx: PolicyContext, day: int) -> None:
        self.hire(ctx)

    def end(self, ctx: PolicyContext, day: int) -> None:
        for clerk, commune in zip(self.staff, self.posts, strict=True):
            commune.release(clerk)

    def cost_vnd(self, ctx: PolicyContext) -> float:
        return self.count * self.months_active() * self.cost_per_person_month


class ContractStaff(SecondStaff):
    """Decree 173/2025 labour contracts for specialist (not regular continuous) work.

    Extra keys: ``hiring_delay_days`` (recruitment before the first working day),
    ``starting_proficiency`` rising linearly to ``proficiency`` over ``learning_months``,
    ``allowed_fields`` (fields whose work may be contracted out), ``regular_continuous``
    (must be false: Decree 173 forbids contracts for regular continuous tasks),
    ``hiring_cost_vnd_per_person``. ``months`` is the contract length (at most 24) and
    counts from the first working day.
    """

    kind = "contract_staff"
    clerk_kind = "contract"

    def __init__(self, name: str, reader: Reader) -> None:
        months = reader.raw("months")
        super().__init__(name, reader)
        if self.months > CONTRACT_MAX_MONTHS:
            raise ConfigError(
                f"{reader.key('months')} = {months!r}: Decree 173/2025 labour contracts last "
                f"at most {CONTRACT_MAX_MONTHS} months; use months <= {CONTRACT_MAX_MONTHS}"
            )
        if reader.raw("regular_continuous", False) is not False:
            raise ConfigError(
                f"{reader.key('regular_continuous')} = {reader.raw('regular_continuous')!r}: "
                "Decree 173/2025 contracts may not cover regular and continuous "
                "state-management tasks; allowed: false"
            )
        self.allowed_fields = list(reader.raw("allowed_fields"))
        if self.field not in self.allowed_fields:
            raise ConfigError(
                f"{reader.key('field')} = {self.field!r}: not contractable work under Decree "
                f"173/2025 in this config; allowed (allowed_fields): "
                f"{', '.join(self.allowed_fields)}"
            )
        self.hiring_delay_days = reader.integer("hiring_delay_days", 0, low=0)
        self.starting_proficiency = reader.number(
            "starting_proficiency", low=0, low_open=True, high=self.proficiency
        )
        self.learning_days = reader.number("learning_months", low=0) * DAYS_PER_MONTH
        self.hiring_cost = reader.number("hiring_cost_vnd_per_person", 0.0, low=0)
        # the contract runs for `months` from the first working day, after the hiring delay
        self.start_day += self.hiring_delay_days
        self.recruiting_from = self.start_day - self.hiring_delay_days

    def daily(self, ctx: PolicyContext, day: int) -> None:
        if self.learning_days <= 0:
            share = 1.0
        else:
            share = min(1.0, (day - self.start_day) / self.learning_days)
        proficiency = self.starting_proficiency + share * (
            self.proficiency - self.starting_proficiency
        )
        for clerk in self.staff:
            clerk.set_proficiency(self.field, proficiency, cap=self.proficiency)

    def hire(self, ctx: PolicyContext) -> None:
        super().hire(ctx)
        for clerk in self.staff:
            clerk.set_proficiency(self.field, self.starting_proficiency)

    def cost_vnd(self, ctx: PolicyContext) -> float:
        hired = self.count * self.hiring_cost if ctx.day >= self.recruiting_from else 0.0
        return hired + super().cost_vnd(ctx)


class SharedSpecialist(Policy):
    """Specialists who rotate over neighbouring communes, a spell at each in turn.

    Keys: ``field``, ``count`` (specialists, each starting at a different commune of the
    rotation), ``communes`` (the neighbours, in rotation order; ``all`` for every
    commune), ``rotation_days``, ``proficiency``, ``brings_workstation``,
    ``cost_vnd_per_person_month``, ``travel_cost_vnd_per_move``.
    """

    kind = "shared_specialist"

    def __init__(self, name: str, reader: Reader) -> None:
        super().__init__(name, reader)
        self.field = str(reader.raw("field"))
        self.count = reader.integer("count", 1, low=1)
        self.names = read_commune_names(reader)
        self.rotation_days = reader.integer("rotation_days", low=1)
        self.proficiency = reader.number("proficiency", 1.0, low=0, low_open=True)
        self.seat = bool(reader.raw("brings_workstation", False))
        self.cost_per_person_month = reader.number("cost_vnd_per_person_month", low=0)
        self.travel_cost = reader.number("travel_cost_vnd_per_move", 0.0, low=0)
        self.staff: list[Clerk] = []
        self.position: list[int] = []
        self.moves = 0

    def validate(self, spec: ScenarioSpec) -> None:
        check_field(self.field, spec, self.reader)
        check_commune_names(self.names, spec, self.reader)

    def staffs_field(self) -> str | None:
        return self.field

    def start(self, ctx: PolicyContext, day: int) -> None:
        self.rotation = ctx.communes_named(self.names)
        for i in range(self.count):
            clerk = ctx.new_clerk({self.field: self.proficiency}, "seconded")
            self.staff.append(clerk)
            self.position.append(i % len(self.rotation))
            self.rotation[self.position[-1]].assign(clerk, own_workstation=self.seat)

    def daily(self, ctx: PolicyContext, day: int) -> None:
        elapsed = day - self.start_day
        if elapsed == 0 or elapsed % self.rotation_days or len(self.rotation) < 2:
            return
        for i, clerk in enumerate(self.staff):
            self.rotation[self.position[i]].release(clerk)
            self.position[i] = (self.position[i] + 1) % len(self.rotation)
            self.rotation[self.position[i]].assign(clerk, own_workstation=self.seat)
            self.moves += 1

    def end(self, ctx: PolicyContext, day: int) -> None:
        for i, clerk in enumerate(self.staff):
            self.rotation[self.position[i]].release(clerk)

    def cost_vnd(self, ctx: PolicyContext) -> float:
        return (
            self.count * self.months_active() * self.cost_per_person_month
            + self.moves * self.travel_cost
        )
