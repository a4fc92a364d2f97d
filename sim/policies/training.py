"""Short training courses for commune clerks in one field.

SOURCES.md: Lang Son (groups 1, 7, 9) and Gia Lai call for short-term training of commune
staff on procedures, software, IT and e-documents. A course takes its trainees away
from the desk for some working days; afterwards their proficiency in the field rises.
Cohorts are limited in size, so training a whole province takes several rounds.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING

from sim.policies.base import (
    Lever,
    Policy,
    check_commune_names,
    check_field,
    read_commune_amounts,
    read_commune_names,
)
from sim.policies.ledger import PROVINCE
from sim.spec.config import ConfigError, Reader

if TYPE_CHECKING:
    from sim.abm.agents.clerk import Clerk
    from sim.abm.policy_context import PolicyContext
    from sim.spec.scenario import ScenarioSpec


class Training(Policy):
    """Train a share of the clerks who work in ``field``, cohort after cohort.

    Keys: ``field``; ``share`` of the clerks skilled in the field (the least proficient
    first, ties drawn at random from the policy stream); ``include_unskilled`` (also
    train clerks who do not yet handle the field, starting from proficiency 0);
    ``course_days`` (working days away from the desk); ``proficiency_gain`` (added to
    proficiency, capped at ``max_proficiency``); ``cohort_capacity`` (trainees per
    course, province-wide); ``communes``; ``cost_vnd_per_trainee``. Instead of
    ``share`` over ``communes``, ``trainees: {commune: n}`` trains the ``n`` least
    proficient clerks of the field in each commune named (fewer where it has fewer).
    """

    kind = "training"
    cost_items = ("course_fees", "trainee_salaries")
    lever = Lever(per_field=True)  # trainees per commune and field

    def __init__(self, name: str, reader: Reader) -> None:
        super().__init__(name, reader)
        self.field = str(reader.raw("field"))
        self.share = reader.probability("share")
        self.include_unskilled = bool(reader.raw("include_unskilled", False))
        self.course_days = reader.integer("course_days", low=1)
        self.gain = reader.number("proficiency_gain", low=0)
        self.max_proficiency = reader.number("max_proficiency", 1.0, low=0, low_open=True)
        self.cohort_capacity = reader.integer("cohort_capacity", low=1)
        self.names = read_commune_names(reader)
        self.trainees = read_commune_amounts(reader, "trainees")
        if self.trainees is not None and self.names is not None:
            raise ConfigError(
                f"{reader.key('trainees')}: give trainees per commune or a list of "
                f"communes ({reader.key('communes')} = {self.names!r}), not both; set "
                "communes: all with trainees"
            )
        self.cost_per_trainee = reader.number("cost_vnd_per_trainee", low=0)
        self.salary = reader.number("trainee_salary_vnd_per_month", low=0)
        self.days_per_month = reader.number("working_days_per_month", low=1)
        if self.duration_days is not None:
            raise ConfigError(
                f"{reader.path}: training runs until every cohort is trained; drop "
                "duration_days/months (set start_day, share and cohort_capacity instead)"
            )
        self.waiting: list[Clerk] = []
        self.in_course: list[Clerk] = []
        self.course_left = 0  # working days left of the current course
        self.trained = 0
        self.enrolled = 0

    def validate(self, spec: ScenarioSpec) -> None:
        check_field(self.field, spec, self.reader)
        check_commune_names(self.names, spec, self.reader)
        check_commune_names(list(self.trainees or ()), spec, self.reader, "trainees")

    def start(self, ctx: PolicyContext, day: int) -> None:
        """Choose the trainees: the least proficient first, ties in random order."""
        candidates = [
            clerk
            for commune in ctx.communes_named(self.names)
            for clerk in commune.clerks
            if clerk.kind == "civil_servant"
            and (self.field in clerk.own_skills or self.include_unskilled)
        ]
        tie_break = ctx.rng.random(len(candidates))
        order = sorted(
            range(len(candidates)),
            key=lambda i: (candidates[i].own_skills.get(self.field, 0.0), tie_break[i]),
        )
        if self.trainees is None:
            n = round(self.share * len(candidates))
            self.waiting = [candidates[i] for i in order[:n]]
            return
        left = dict(self.trainees)  # places per commune, least proficient first
        self.waiting = []
        for i in order:
            unit = candidates[i].unit
            if left.get(unit, 0) > 0:
                left[unit] -= 1
                self.waiting.append(candidates[i])

    def daily(self, ctx: PolicyContext, day: int) -> None:
        if not ctx.calendar.is_working_day(day):
            return
        if self.in_course and self.course_left == 0:
            self._graduate()
        if not self.in_course and self.waiting:
            cohort = self.waiting[: self.cohort_capacity]
            self.waiting = self.waiting[self.cohort_capacity :]
            for clerk in cohort:
                if clerk.office is not None:
                    clerk.office.set_on_duty(clerk, False)
                self.charge_trainee(clerk.unit or PROVINCE)
            self.in_course = cohort
            self.enrolled += len(cohort)
            self.course_left = self.course_days
        if self.in_course:
            self.course_left -= 1

    def charge_trainee(self, where: str) -> None:
        """One trainee's course: the fee (new money) and the salary of the days away from
        the desk (paid anyway: opportunity)."""
        course_salary = self.salary * self.course_days / self.days_per_month
        self.ledger.add(
            "course_fees", self.cost_per_trainee, budget=True, one_off=True, where=where
        )
        self.ledger.add("trainee_salaries", course_salary, budget=False, one_off=True, where=where)

    # -- as a lever: trainees per commune -------------------------------------------------
    def charge_unit(self, days: int) -> None:
        """An upper bound: a trainee whose cohort does not start inside the run costs
        nothing."""
        self.charge_trainee(PROVINCE)

    @classmethod
    def unit_bound(cls, config: dict, field: str, commune, max_per_commune: int) -> int:
        """The commune's clerks of the field (every one with ``include_unskilled``)."""
        if config.get("include_unskilled"):
            return sum(g.count for g in commune.clerks)
        return sum(g.count for g in commune.clerks if field in g.skills)

    @classmethod
    def allocated(
        cls, config: dict, field: str, amounts: dict[str, int], communes: list[str], rule: str
    ) -> dict:
        config = copy.deepcopy(config)
        config.update(field=field, communes="all", trainees=amounts)
        return config

    def _graduate(self) -> None:
        for clerk in self.in_course:
            was = clerk.own_skills.get(self.field, 0.0)
            # the cap applies to the base proficiency; no one is made worse by a course
            now = max(was, min(self.max_proficiency, was + self.gain))
            if now > 0:
                clerk.set_proficiency(self.field, now)
            if clerk.office is not None:
                clerk.office.set_on_duty(clerk, True)
        self.trained += len(self.in_course)
        self.in_course = []
