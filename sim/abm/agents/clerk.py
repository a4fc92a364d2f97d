"""Clerk: a civil servant who serves dossiers in the fields it is skilled in."""

from __future__ import annotations

import mesa

from sim.core.dossier import Dossier


class Clerk(mesa.Agent):
    """One member of staff of a commune office or a provincial department.

    Args:
        model: the model.
        skills: proficiency per field (1.0 = a trained specialist; work content in
            hours is divided by it). Fields missing here are not handled at all.
        switch_hours: extra hours when the clerk turns to another field than the last.
        kind: ``"civil_servant"``, ``"seconded"``, ``"contract"`` or ``"department"``.
    """

    def __init__(
        self,
        model: mesa.Model,
        skills: dict[str, float],
        switch_hours: float = 0.0,
        kind: str = "civil_servant",
    ) -> None:
        super().__init__(model)
        self.skills = {field: float(p) for field, p in skills.items() if p > 0}
        self.switch_hours = switch_hours
        self.kind = kind
        self.office = None
        self.unit: str | None = None  # commune name or "province", for the figures
        self.on_duty = True
        self.leaving = False
        self.current: Dossier | None = None
        self.last_field: str | None = None
        self.speed_factor = 1.0  # equipment and network, set by the commune each day
        self.fatigue = 0.0  # 0 rested .. 1 worn out by sustained overload (sim/agents/staffing)
        self.busy_hours = 0.0
        self.busy_hours_by_field: dict[str, float] = dict.fromkeys(self.skills, 0.0)
        self.available_hours = 0.0
        self.served = 0

    def service_hours(self, dossier: Dossier) -> float:
        """Working hours this clerk needs for the dossier's current stage."""
        field = dossier.field
        proficiency = self.skills[field]
        dossier.served_proficiency = proficiency
        hours = dossier.work / (proficiency * self.speed_factor)
        if self.last_field is not None and self.last_field != field:
            hours += self.switch_hours
        self.last_field = field
        self.busy_hours += hours
        self.busy_hours_by_field[field] += hours
        self.served += 1
        return hours

    def start_day(self, open_hours: float) -> None:
        """Count the hours this clerk is available today."""
        if self.on_duty and self.office is not None:
            self.available_hours += open_hours

    def departed(self) -> None:
        """Called when a clerk who left its office finished the job in hand."""
