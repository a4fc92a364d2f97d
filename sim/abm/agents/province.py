"""Province: departments that finish the dossiers communes escalate (their path runs in
the compiled loop, sim/core/routing.py: a hand-off delay, then the department's queue,
whose own deadline replaces the commune's when it has one)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from sim.abm.agents.clerk import Clerk
from sim.core.office import PROVINCE, Office

if TYPE_CHECKING:
    from sim.abm.world import World


class Province(mesa.Agent):
    """The provincial departments (land registration, construction, ...) as one office."""

    def __init__(self, model: mesa.Model, world: World, index: int) -> None:
        super().__init__(model)
        self.world = world
        scenario = world.scenario
        self.departments = scenario.departments
        self.handoff_hours = scenario.handoff_hours
        self.calendar = world.calendar
        self.office = Office(
            "province", index, PROVINCE, self.calendar, world.engine, scenario.dispatch
        )
        engine = world.engine
        for department in self.departments.values():
            if department.deadline_working_days is not None:
                days = engine.column("field_dept_days")
                days[engine.field_index[department.field]] = department.deadline_working_days
        for department in self.departments.values():
            for _ in range(department.staff):
                self.office.add_clerk(
                    Clerk(model, {department.field: department.proficiency}, kind="department")
                )
        self._work_by_field = {name: d.work for name, d in self.departments.items()}

    def sample_work(self, catalogue, procedure_index: np.ndarray, u: np.ndarray) -> np.ndarray:
        """Provincial work content for each need (used only if it is escalated)."""
        work = np.zeros(len(u))
        fields = catalogue.fields[procedure_index]
        for name, distribution in self._work_by_field.items():
            mask = fields == name
            if mask.any():
                work[mask] = distribution.sample(u[mask])
        return work

    def second(self, field: str, count: int, keep: int = 1) -> list[Clerk]:
        """Up to ``count`` department staff of ``field`` released for secondment, leaving
        at least ``keep`` at the department (those busy finish their job first)."""
        staff = [c for c in self.office.clerks if c.kind == "department" and field in c.skills]
        released = staff[: max(0, min(count, len(staff) - keep))]
        for clerk in released:
            self.office.remove_clerk(clerk)
        return released

    def take_back(self, clerks: list[Clerk]) -> None:
        """Seconded department staff return to their department (after the job in hand)."""
        for clerk in clerks:
            clerk.unit = "province"
            clerk.after_current_job(self.office)

    def start_day(self, day: int) -> None:
        self.office.schedule_day(day)
