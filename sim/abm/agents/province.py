"""Province: the offices beyond the commune a dossier's workflow may pass through (the
land registration branch, the tax office, the construction department, ...), each with
its own staff and queues. Their part of the path runs in the compiled loop
(sim/core/routing.py: a hand-off delay, then the office's queue, whose own deadline
replaces the commune's when it has one)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa

from sim.abm.agents.clerk import Clerk
from sim.core.office import PROVINCE, Office

if TYPE_CHECKING:
    from sim.abm.world import World


class Province(mesa.Agent):
    """The provincial departments, one office each (``offices``: name -> office number)."""

    def __init__(self, model: mesa.Model, world: World, offices: dict[str, int]) -> None:
        super().__init__(model)
        self.world = world
        scenario = world.scenario
        self.departments = scenario.departments
        self.handoff_hours = scenario.handoff_hours
        self.calendar = world.calendar
        engine = world.engine
        self.offices = {
            name: Office(f"province.{name}", index, PROVINCE, self.calendar, engine,
                         scenario.dispatch)
            for name, index in offices.items()
        }  # fmt: skip
        self.home: dict[int, Office] = {}  # a department clerk's row -> its own office
        for name, department in self.departments.items():
            office = self.offices[name]
            if department.deadline_working_days is not None:
                engine.column("o_deadline_days")[office.index] = department.deadline_working_days
            skills = {field: department.proficiency for field in department.fields}
            for _ in range(department.staff):
                clerk = Clerk(model, dict(skills), kind="department")
                office.add_clerk(clerk)
                self.home[clerk.index] = office

    @property
    def clerks(self) -> list[Clerk]:
        return [c for office in self.offices.values() for c in office.clerks]

    def department_of(self, field: str) -> Office | None:
        """The office of the department named by ``field`` (or the first serving it)."""
        if field in self.offices and field in self.departments:
            return self.offices[field]
        for name, department in self.departments.items():
            if field in department.fields:
                return self.offices[name]
        return None

    def second(self, field: str, count: int, keep: int = 1) -> list[Clerk]:
        """Up to ``count`` department staff of ``field`` released for secondment, leaving
        at least ``keep`` at the department (those busy finish their job first)."""
        office = self.department_of(field)
        if office is None:
            return []
        staff = [c for c in office.clerks if c.kind == "department" and field in c.skills]
        released = staff[: max(0, min(count, len(staff) - keep))]
        for clerk in released:
            office.remove_clerk(clerk)
        return released

    def take_back(self, clerks: list[Clerk]) -> None:
        """Seconded department staff return to their department (after the job in hand)."""
        for clerk in clerks:
            clerk.unit = "province"
            clerk.after_current_job(self.home[clerk.index])

    def start_day(self, day: int) -> None:
        for office in self.offices.values():
            office.schedule_day(day)
