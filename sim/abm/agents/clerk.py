"""Clerk: a civil servant who serves dossiers in the fields it is skilled in.

A clerk's proficiency per field is its *base*: what the clerk can do rested, with the
usual equipment (1.0 = a trained specialist). Training and a contract hire's learning
raise the base, up to a cap. Everything temporary sits apart from it, as factors on
speed: the day's working *conditions* (network, the learning curve since the reform,
fatigue from overload, a missing workstation, a competing campaign; set afresh by
the commune every working day) and named *modifiers* that policies set and clear
(overtime fatigue). Service time divides work by base x conditions x modifiers, so a
temporary effect that ends leaves the base exactly as it was.

What the compiled loop reads and writes (duty, the job in hand, hours) lives in the
engine's clerk arrays at row ``index``; the properties below read and write them.
"""

from __future__ import annotations

import math

import mesa


class Clerk(mesa.Agent):
    """One member of staff of a commune office or a provincial department.

    Args:
        model: the model (its ``engine`` holds the clerk's row).
        skills: base proficiency per field (1.0 = a trained specialist; work content in
            hours is divided by it). Fields missing here are not handled at all.
        switch_hours: extra hours when the clerk turns to another field than the last.
        kind: ``"civil_servant"``, ``"seconded"``, ``"contract"`` or ``"department"``.

    ``skills`` is read by offices and policies; it changes only through
    ``set_proficiency`` and ``move_to``/``come_back``. Temporary effects go through
    ``c_conditions`` (the commune's, each working day) and ``set_modifier`` /
    ``clear_modifier``; ``speed_factor`` is their product (``update_speeds``).
    """

    def __init__(
        self,
        model: mesa.Model,
        skills: dict[str, float],
        switch_hours: float = 0.0,
        kind: str = "civil_servant",
    ) -> None:
        super().__init__(model)
        self.engine = model.engine
        self.index = self.engine.new_clerk()
        self.skills = {field: float(p) for field, p in skills.items() if p > 0}
        self._home_switch_hours = switch_hours
        self.switch_hours = switch_hours
        self.kind = kind
        self.office = None
        self.unit: str | None = None  # commune name or "province", for the figures
        self.modifiers: dict[str, float] = {}  # temporary factors set by policies, by name
        self.home_skills: dict[str, float] | None = None  # while moved to another field
        self._write_skills()

    # -- the engine's arrays ---------------------------------------------------------------
    def _column(self, name: str):
        return self.engine.column(name)

    def _write_skills(self) -> None:
        row = self._column("c_skill")[self.index]
        row[:] = 0.0
        for field, value in self.skills.items():
            row[self._field(field)] = value
        own = 0
        for field in self.own_skills:
            own |= 1 << self._field(field)
        self._column("c_own_fields")[self.index] = own

    def _field(self, field: str) -> int:
        try:
            return self.engine.field_index[field]
        except KeyError:
            raise ValueError(
                f"clerk skill {field!r}: not a field of the scenario "
                f"({', '.join(self.engine.fields)})"
            ) from None

    @property
    def on_duty(self) -> bool:
        return bool(self._column("c_on_duty")[self.index])

    @property
    def rostered(self) -> bool:
        return bool(self._column("c_rostered")[self.index])

    @property
    def leaving(self) -> bool:
        return bool(self._column("c_leaving")[self.index])

    @property
    def current(self) -> int | None:
        """Row of the dossier in hand (None when free)."""
        row = int(self._column("c_current")[self.index])
        return None if row < 0 else row

    @property
    def job_end(self) -> float:
        return float(self._column("c_job_end")[self.index])

    @property
    def switch_hours(self) -> float:
        return float(self._column("c_switch_hours")[self.index])

    @switch_hours.setter
    def switch_hours(self, value: float) -> None:
        self._column("c_switch_hours")[self.index] = value

    @property
    def speed_factor(self) -> float:
        return float(self._column("c_speed")[self.index])

    @property
    def busy_hours(self) -> float:
        return float(self._column("c_busy")[self.index])

    @property
    def busy_hours_by_field(self) -> dict[str, float]:
        row = self._column("c_busy_field")[self.index]
        names = self.engine.field_index
        own = set(self.skills) | set(self.home_skills or ())
        return {f: float(row[i]) for f, i in names.items() if row[i] > 0 or f in own}

    @property
    def available_hours(self) -> float:
        return float(self._column("c_available")[self.index])

    @available_hours.setter
    def available_hours(self, value: float) -> None:
        """Open hours at work (a policy adds the overtime hours a clerk stays)."""
        self._column("c_available")[self.index] = value

    @property
    def served(self) -> int:
        return int(self._column("c_served")[self.index])

    @property
    def conditions(self) -> float:
        """The day's working conditions (sim/abm/agents/staff_conditions), a factor on speed."""
        return float(self._column("c_conditions")[self.index])

    @property
    def fatigue(self) -> float:
        """0 rested .. 1 worn out by sustained overload (staff_conditions)."""
        return float(self._column("c_fatigue")[self.index])

    @fatigue.setter
    def fatigue(self, value: float) -> None:
        self._column("c_fatigue")[self.index] = value

    @property
    def other_duty_hours(self) -> float:
        """Hours of competing duties so far (sim/spec/mechanisms.Duty)."""
        return float(self._column("c_duty_hours")[self.index])

    @property
    def window_dossier_hours(self) -> float:
        """After the warm-up: open hours less duties, times the day's speed, summed."""
        return float(self._column("c_window_hours")[self.index])

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
        self._field(field)
        if self.home_skills is not None:  # moved for the week: the change outlasts the move
            self.home_skills[field] = value
            if field in self.skills:
                self.skills[field] = value
        else:
            self.skills[field] = value
        self._write_skills()
        return value

    def move_to(self, field: str, proficiency: float, switch_hours: float) -> None:
        """Serve only ``field`` (at ``proficiency``) until ``come_back`` (reassignment)."""
        if self.home_skills is None:
            self.home_skills = self.skills
            self._home_switch_hours = self.switch_hours
        self.skills = {field: proficiency}
        self.switch_hours = max(self._home_switch_hours, switch_hours)
        self._write_skills()

    def come_back(self) -> None:
        """Back to the clerk's own fields after a move."""
        if self.home_skills is not None:
            self.skills, self.home_skills = self.home_skills, None
            self.switch_hours = self._home_switch_hours
            self._write_skills()

    @property
    def own_skills(self) -> dict[str, float]:
        """The clerk's own fields and proficiencies, whether or not it is moved."""
        return self.skills if self.home_skills is None else self.home_skills

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
        modifier = math.prod(self.modifiers.values()) if self.modifiers else 1.0
        self._column("c_modifier")[self.index] = modifier
        update_speeds(self.engine, self.index)

    def effective_proficiency(self, field: str) -> float:
        """Base proficiency in ``field`` times every temporary factor (0 if not handled)."""
        return self.skills.get(field, 0.0) * self.speed_factor

    def field_shares(self) -> dict[str, float]:
        """The share of this clerk's dossier time each field took (own fields if no work)."""
        busy = self.busy_hours
        if busy > 0:
            return {f: h / busy for f, h in self.busy_hours_by_field.items() if h > 0}
        own = self.own_skills
        return {f: 1 / len(own) for f in own}

    # -- hours ---------------------------------------------------------------------------
    def hours_until(self, now: float) -> tuple[float, dict[str, float], float]:
        """Busy hours, busy hours by field and available hours up to ``now``.

        Busy hours are counted when a job starts; the part of the job in hand still to
        do after ``now`` is left out.
        """
        self.engine.mark_presence(self.index)
        busy, by_field = self.busy_hours, self.busy_hours_by_field
        if self.current is not None and self.office is not None:
            left = self.engine.working_hours_between(now, self.job_end)
            job_field = int(self._column("c_job_field")[self.index])
            names = (*self.engine.fields, "reception")
            busy -= left
            by_field[names[job_field]] -= left
        return busy, by_field, self.available_hours + self.other_duty_hours

    # -- moving between offices ------------------------------------------------------------
    def after_current_job(self, office=None) -> None:
        """Join ``office`` now if the clerk is free, else once the job in hand is finished
        (a clerk moving to another office finishes what it started where it was);
        ``None`` cancels a pending move."""
        nxt = self._column("c_next_office")
        self.engine.moves.pop(self.index, None)
        if self.current is None:
            nxt[self.index] = -1
            if office is not None:
                office.add_clerk(self)
        else:
            nxt[self.index] = -1 if office is None else office.index
            if office is not None:
                self.engine.moves[self.index] = (self, office)


def update_speeds(engine, rows) -> None:
    """Clerks' speed (a row or rows): today's conditions (``c_conditions``, set by the
    commune each working day) times their policies' modifiers (``c_modifier``)."""
    column = engine.column
    column("c_speed")[rows] = column("c_conditions")[rows] * column("c_modifier")[rows]
