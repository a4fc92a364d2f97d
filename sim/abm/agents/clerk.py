"""Clerk: a civil servant who serves dossiers in the fields it is skilled in.

A clerk's proficiency per field is its *base*: what the clerk can do rested, with the
usual equipment (1.0 = a trained specialist). Training and a contract hire's learning
raise the base, up to a cap. Everything temporary sits apart from it, as factors on
speed: the day's working *conditions* (network, the learning curve since the reform,
fatigue from overload, a missing workstation, a competing campaign; set afresh by
the commune every working day) and named *modifiers* that policies set and clear
(overtime fatigue). Service time divides work by base x conditions x modifiers, so a
temporary effect that ends leaves the base exactly as it was.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import mesa

from sim.core.dossier import Dossier


class Clerk(mesa.Agent):
    """One member of staff of a commune office or a provincial department.

    Args:
        model: the model.
        skills: base proficiency per field (1.0 = a trained specialist; work content in
            hours is divided by it). Fields missing here are not handled at all.
        switch_hours: extra hours when the clerk turns to another field than the last.
        kind: ``"civil_servant"``, ``"seconded"``, ``"contract"`` or ``"department"``.

    ``skills`` is read by offices and policies; it changes only through
    ``set_proficiency``. Temporary effects go through ``set_conditions`` and
    ``set_modifier``/``clear_modifier``; ``speed_factor`` is their product.
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
        self._home_switch_hours = switch_hours
        self.kind = kind
        self.office = None
        self.unit: str | None = None  # commune name or "province", for the figures
        self.on_duty = True
        self.leaving = False
        self.current: Dossier | None = None
        self.last_field: str | None = None
        self.conditions = 1.0  # the day's working conditions (sim/abm/agents/staff_conditions)
        self.modifiers: dict[str, float] = {}  # temporary factors set by policies, by name
        self.speed_factor = 1.0  # conditions x modifiers
        self.fatigue = 0.0  # 0 rested .. 1 worn out by sustained overload (staff_conditions)
        self.busy_hours = 0.0
        self.busy_hours_by_field: dict[str, float] = dict.fromkeys(self.skills, 0.0)
        self.available_hours = 0.0  # open hours at work, counted by mark_presence
        self.other_duty_hours = 0.0  # hours of competing duties (sim/spec/mechanisms.Duty)
        self.window_dossier_hours = 0.0  # after warm-up: open hours less duties, x conditions
        self.rostered = False  # on an office's roster (set by the office)
        self._present_since: float | None = None
        self.job_end = 0.0  # when the job in hand ends
        self.job_field = ""  # the field its hours were counted under
        self.served = 0
        self.home_skills: dict[str, float] | None = None  # while moved to another field
        self._on_departure: Callable[[], None] | None = None

    # -- proficiency and speed ----------------------------------------------------------
    def set_proficiency(self, field: str, value: float, cap: float | None = None) -> float:
        """Set the base proficiency in ``field`` (capped at ``cap``); return the value set.

        A field the clerk did not handle before is added (its hours are counted from now).
        """
        if cap is not None:
            value = min(value, cap)
        if value <= 0:
            raise ValueError(f"proficiency in {field!r} must be positive, got {value!r}")
        value = float(value)
        if self.home_skills is not None:  # moved for the week: the change outlasts the move
            self.home_skills[field] = value
            if field in self.skills:
                self.skills[field] = value
        else:
            self.skills[field] = value
        self.busy_hours_by_field.setdefault(field, 0.0)
        return value

    def move_to(self, field: str, proficiency: float, switch_hours: float) -> None:
        """Serve only ``field`` (at ``proficiency``) until ``come_back`` (reassignment)."""
        if self.home_skills is None:
            self.home_skills = self.skills
            self._home_switch_hours = self.switch_hours
        self.skills = {field: proficiency}
        self.switch_hours = max(self._home_switch_hours, switch_hours)
        self.busy_hours_by_field.setdefault(field, 0.0)

    def come_back(self) -> None:
        """Back to the clerk's own fields after a move."""
        if self.home_skills is not None:
            self.skills, self.home_skills = self.home_skills, None
            self.switch_hours = self._home_switch_hours

    @property
    def own_skills(self) -> dict[str, float]:
        """The clerk's own fields and proficiencies, whether or not it is moved."""
        return self.skills if self.home_skills is None else self.home_skills

    def set_conditions(self, factor: float) -> None:
        """Today's working conditions, as a factor on speed (set by the commune)."""
        self.conditions = factor
        self._update_speed()

    def set_modifier(self, name: str, factor: float) -> None:
        """A named temporary factor on speed (1.0 removes its effect)."""
        if factor <= 0:
            raise ValueError(f"speed modifier {name!r} must be positive, got {factor!r}")
        self.modifiers[name] = factor
        self._update_speed()

    def clear_modifier(self, name: str) -> None:
        """End a temporary effect: the speed goes back to conditions x other modifiers."""
        if self.modifiers.pop(name, None) is not None:
            self._update_speed()

    def _update_speed(self) -> None:
        factor = self.conditions
        if self.modifiers:
            factor *= math.prod(self.modifiers.values())
        self.speed_factor = factor

    def effective_proficiency(self, field: str) -> float:
        """Base proficiency in ``field`` times every temporary factor (0 if not handled)."""
        return self.skills.get(field, 0.0) * self.speed_factor

    def field_shares(self) -> dict[str, float]:
        """The share of this clerk's dossier time each field took (own fields if no work)."""
        if self.busy_hours > 0:
            return {f: h / self.busy_hours for f, h in self.busy_hours_by_field.items() if h > 0}
        own = self.own_skills
        return {f: 1 / len(own) for f in own}

    # -- work ------------------------------------------------------------------------------
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

    def count_day(self, open_hours: float, duty_hours: float, counted: bool) -> None:
        """Note a working day at work: the hours its competing duties take, and (after
        the warm-up, ``counted``) the hours left for dossiers at today's speed.

        A clerk on a duty is off duty until the duty's hours are done, so those hours are
        not counted by ``mark_presence``; they are added to its hours at work in the
        figures (``hours_until``).
        """
        self.other_duty_hours += duty_hours
        if counted:
            self.window_dossier_hours += (open_hours - duty_hours) * self.speed_factor

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
        return busy, by_field, self.available_hours + self.other_duty_hours

    # -- moving between offices ------------------------------------------------------------
    def after_current_job(self, action: Callable[[], None]) -> None:
        """Do ``action`` now if the clerk is free, else once the job in hand is finished.

        A clerk moving to another office finishes what it started where it was.
        """
        if self.current is None:
            self._on_departure = None
            action()
        else:
            self._on_departure = action

    def departed(self) -> None:
        """Called by the office when a clerk who left it finished the job in hand."""
        action, self._on_departure = self._on_departure, None
        if action is not None:
            action()
