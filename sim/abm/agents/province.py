"""Province: departments that finish the dossiers communes escalate."""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from sim.abm.agents.clerk import Clerk
from sim.core.dossier import IN_TRANSIT, Dossier
from sim.core.office import Office

if TYPE_CHECKING:
    from sim.abm.world import World


class Province(mesa.Agent):
    """The provincial departments (land registration, construction, ...) as one office."""

    def __init__(self, model: mesa.Model, world: World) -> None:
        super().__init__(model)
        self.world = world
        scenario = world.scenario
        self.departments = scenario.departments
        self.handoff_hours = scenario.handoff_hours
        self.calendar = world.calendar
        self.office = Office(
            "province",
            list(self.departments),
            self.calendar,
            world.engine,
            scenario.dispatch,
            on_served=world.resolve,
            on_first_service=world.metrics.on_first_service,
        )
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

    def start_day(self, day: int) -> None:
        self.office.schedule_day(day)

    def escalate(self, dossier: Dossier) -> None:
        """Hand a dossier up; it reaches the department after the hand-off delay."""
        self.world.metrics.on_transit_started()
        dossier.status = IN_TRANSIT
        engine = self.world.engine
        engine.schedule(engine.now + self.handoff_hours, self.receive, dossier)

    def receive(self, dossier: Dossier) -> None:
        self.world.metrics.on_transit_ended()
        dossier.stage = 1
        dossier.work = dossier.province_work
        days = self.departments[dossier.field].deadline_working_days
        if days is not None:  # the department's own deadline replaces the commune's
            dossier.deadline = self.calendar.deadline(self.world.engine.now, days)
        self.office.arrive(dossier)
