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
        self.available_hours = 0.0  # open hours at work, counted by mark_presence
        self.rostered = False  # on an office's roster (set by the office)
        self._present_since: float | None = None
        self.job_end = 0.0  # when the job in hand ends
        self.job_field = ""  # the field its hours were counted under
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
        self.job_field = field
        self.served += 1
        return hours

    def mark_presence(self, now: float) -> None:
        """Count the open hours since the last change of presence, then note the new state.

        A clerk is at work while on duty on a roster, and also while it finishes the job
        in hand after going off duty or leaving; utilisation is busy hours over these
        hours, so it cannot exceed 1 whatever absences and transfers happen.
        """
        if self._present_since is not None and self.office is not None:
            self.available_hours += self.office.calendar.working_hours_between(
                self._present_since, now
            )
        present = self.current is not None or (self.on_duty and self.rostered)
        self._present_since = now if present else None

    def hours_until(self, now: float) -> tuple[float, dict[str, float], float]:
        """Busy hours, busy hours by field and available hours up to ``now``.

        Busy hours are counted when a job starts; the part of the job in hand still to
        do after ``now`` is left out.
        """
        self.mark_presence(now)
        busy, by_field = self.busy_hours, dict(self.busy_hours_by_field)
        if self.current is not None and self.office is not None:
            left = self.office.calendar.working_hours_between(now, self.job_end)
            busy -= left
            by_field[self.job_field] -= left
        return busy, by_field, self.available_hours

    def departed(self) -> None:
        """Called when a clerk who left its office finished the job in hand."""
