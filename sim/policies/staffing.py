"""Extra staff for communes: seconded specialists, Decree 173 contracts, a shared specialist.

SOURCES.md: Nghe An asked its Department of Home Affairs to second civil servants to
communes short of staff (land, construction, finance, IT); Tay Ninh seconded 20
provincial staff to 15 communes; Official Letter 7415/BNV-CCVC names secondment and
Decree 173/2025 labour contracts (at most 24 months, not for "regular and continuous"
state-management tasks) among four ways to fill gaps; Lang Son group 9 asked
neighbouring communes to support each other.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING

from sim.policies.allocation import allocate, read_rule
from sim.policies.base import (
    DAYS_PER_MONTH,
    Lever,
    Policy,
    check_commune_names,
    check_field,
    read_commune_names,
)
from sim.policies.ledger import PROVINCE
from sim.spec.config import ConfigError, Reader

if TYPE_CHECKING:
    from sim.abm.agents.clerk import Clerk
    from sim.abm.agents.commune import Commune
    from sim.abm.policy_context import PolicyContext
    from sim.spec.scenario import ScenarioSpec

CONTRACT_MAX_MONTHS = 24  # SOURCES.md: Decree 173/2025 labour contracts last at most 24 months


class SecondStaff(Policy):
    """Specialists seconded from the province to communes for some months.

    Keys: ``field``, ``count``, ``proficiency``, ``allocation`` (``worst_overdue``,
    ``largest_backlog`` or ``named`` with ``communes``), ``start_day``, ``months``,
    ``brings_workstation``, ``from_department`` (the share of the staff taken from the
    provincial department of the field the scenario simulates, while it keeps
    ``department_keeps``, so its own queue shows the trade-off; the rest come from the
    province's other offices, which the model does not simulate),
    ``salary_vnd_per_person_month`` (paid by the province anyway: an
    opportunity cost), ``allowance_vnd_per_person_month`` (travel and lodging: new
    money). Staff are allocated on the start day, from the state of the backlog that
    morning, and return when the months are over.
    """

    kind = "second_staff"
    clerk_kind = "seconded"
    cost_items = ("salary", "allowance")
    lever = Lever(per_field=True, staff=True)  # people per commune and field

    def __init__(self, name: str, reader: Reader) -> None:
        super().__init__(name, reader)
        self.field = str(reader.raw("field"))
        self.count = reader.integer("count", low=1)
        self.proficiency = reader.number("proficiency", 1.0, low=0, low_open=True)
        self.rule, self.names = read_rule(reader)
        self.seat = bool(reader.raw("brings_workstation", False))
        self.read_pay(reader)
        self.staff: list[Clerk] = []
        self.posts: list[Commune] = []  # where each member of staff went
        self.from_department: list[Clerk] = []  # those taken from the provincial department

    def read_pay(self, reader: Reader) -> None:
        self.from_dept = reader.probability("from_department", 0.0)
        self.department_keeps = reader.integer("department_keeps", 1, low=0)
        self.salary = reader.number("salary_vnd_per_person_month", low=0)
        self.pay = reader.number("allowance_vnd_per_person_month", low=0)
        self.pay_item = "allowance"

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
        posts = allocate(ctx, self.field, self.count, self.rule, self.names)
        if self.from_dept:
            wanted = round(self.from_dept * len(posts))
            self.from_department = ctx.province.second(
                self.field, wanted, keep=self.department_keeps
            )
        for i, commune in enumerate(posts):
            if i < len(self.from_department):
                clerk = self.from_department[i]
            else:
                clerk = ctx.new_clerk({self.field: self.proficiency}, self.clerk_kind)
            self.staff.append(clerk)
            self.posts.append(commune)
            commune.assign(clerk, own_workstation=self.seat)

    def start(self, ctx: PolicyContext, day: int) -> None:
        self.hire(ctx)

    def daily(self, ctx: PolicyContext, day: int) -> None:
        for commune in self.posts:  # a day of each person's pay, where they work
            self.charge_days(commune.name, 1)

    def charge_days(self, where: str, days: int) -> None:
        """One person's pay for ``days`` days: the salary (paid anyway: opportunity) and
        the allowance or wage (new money)."""
        if self.salary:
            self.ledger.add(
                "salary", self.salary * days / DAYS_PER_MONTH, budget=False, one_off=False,
                where=where,
            )  # fmt: skip
        self.ledger.add(
            self.pay_item, self.pay * days / DAYS_PER_MONTH, budget=True, one_off=False,
            where=where,
        )  # fmt: skip

    # -- as a lever: people placed per commune ------------------------------------------
    def charge_unit(self, days: int) -> None:
        self.charge_days(PROVINCE, self.days_active_in(days))

    @classmethod
    def probe(cls, config: dict, field: str) -> dict:
        probe = copy.deepcopy(super().probe(config, field))
        probe.update(allocation="worst_overdue", communes=None, count=1)
        return probe

    @classmethod
    def allocated(
        cls, config: dict, field: str, amounts: dict[str, int], communes: list[str], rule: str
    ) -> dict:
        config = copy.deepcopy(config)
        posts = [c for c in communes for _ in range(amounts.get(c, 0))]
        config.update(field=field, count=len(posts))
        config.update(allocation="named", communes=posts)
        if rule != "named":
            config.update(allocation=rule, communes=None)
        return config

    def end(self, ctx: PolicyContext, day: int) -> None:
        for clerk, commune in zip(self.staff, self.posts, strict=True):
            commune.release(clerk)
        ctx.province.take_back(self.from_department)


class ContractStaff(SecondStaff):
    """Decree 173/2025 labour contracts for specialist (not regular continuous) work.

    Extra keys: ``hiring_delay_days`` (recruitment before the first working day),
    ``starting_proficiency`` rising linearly to ``proficiency`` over ``learning_months``,
    ``allowed_fields`` (fields whose work may be contracted out), ``regular_continuous``
    (must be false: Decree 173 forbids contracts for regular continuous tasks),
    ``wage_vnd_per_person_month`` and ``hiring_cost_vnd_per_person`` (new money).
    ``months`` is the contract length (at most 24) and counts from the first working
    day; the staff are new hires, not taken from a department.
    """

    kind = "contract_staff"
    clerk_kind = "contract"
    cost_items = ("wage", "hiring")

    def read_pay(self, reader: Reader) -> None:
        self.from_dept = 0.0
        self.salary = 0.0
        self.pay = reader.number("wage_vnd_per_person_month", low=0)
        self.pay_item = "wage"

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

    def begins_day(self) -> int:
        return self.recruiting_from  # recruitment begins; the staff arrive after the delay

    def daily(self, ctx: PolicyContext, day: int) -> None:
        super().daily(ctx, day)
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
        for clerk, commune in zip(self.staff, self.posts, strict=True):
            clerk.set_proficiency(self.field, self.starting_proficiency)
            self.charge_hiring(commune.name)

    def charge_hiring(self, where: str) -> None:
        self.ledger.add("hiring", self.hiring_cost, budget=True, one_off=True, where=where)

    def charge_unit(self, days: int) -> None:
        super().charge_unit(days)
        if self.days_active_in(days):
            self.charge_hiring(PROVINCE)

    @classmethod
    def lever_fields(cls, config: dict, fields: list[str]) -> list[str]:
        """Only contractable work (``allowed_fields``)."""
        return [f for f in fields if f in config.get("allowed_fields", [])]


class SharedSpecialist(Policy):
    """Specialists who rotate over neighbouring communes, a spell at each in turn.

    Keys: ``field``, ``count`` (specialists, each starting at a different commune of the
    rotation), ``communes`` (the neighbours, in rotation order; ``all`` for every
    commune), ``rotation_days``, ``proficiency``, ``brings_workstation``,
    ``salary_vnd_per_person_month`` (paid anyway: opportunity),
    ``allowance_vnd_per_person_month`` and ``travel_cost_vnd_per_move`` (new money).
    """

    kind = "shared_specialist"
    cost_items = ("salary", "allowance", "travel")

    def __init__(self, name: str, reader: Reader) -> None:
        super().__init__(name, reader)
        self.field = str(reader.raw("field"))
        self.count = reader.integer("count", 1, low=1)
        self.names = read_commune_names(reader)
        self.rotation_days = reader.integer("rotation_days", low=1)
        self.proficiency = reader.number("proficiency", 1.0, low=0, low_open=True)
        self.seat = bool(reader.raw("brings_workstation", False))
        self.salary = reader.number("salary_vnd_per_person_month", low=0)
        self.allowance = reader.number("allowance_vnd_per_person_month", low=0)
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
        if elapsed and not elapsed % self.rotation_days and len(self.rotation) > 1:
            for i, clerk in enumerate(self.staff):
                self.rotation[self.position[i]].release(clerk)
                self.position[i] = (self.position[i] + 1) % len(self.rotation)
                here = self.rotation[self.position[i]]
                here.assign(clerk, own_workstation=self.seat)
                self.moves += 1
                self.ledger.add(
                    "travel", self.travel_cost, budget=True, one_off=False, where=here.name
                )
        for i in range(len(self.staff)):
            where = self.rotation[self.position[i]].name
            self.ledger.add(
                "salary", self.salary / DAYS_PER_MONTH, budget=False, one_off=False, where=where
            )
            self.ledger.add(
                "allowance",
                self.allowance / DAYS_PER_MONTH,
                budget=True,
                one_off=False,
                where=where,
            )

    def end(self, ctx: PolicyContext, day: int) -> None:
        for i, clerk in enumerate(self.staff):
            self.rotation[self.position[i]].release(clerk)
