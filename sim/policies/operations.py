"""How offices work: overtime when the backlog is high, and the queue discipline.

SOURCES.md: Gia Lai's leaders ask communes "not to let work stagnate or backlog" and to
work until the work is done ("doing all the work, not working all the hours"). Overtime
opens a commune office longer on days when its backlog per clerk is above a threshold;
sustained overtime tires clerks, who then work more slowly until they recover.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.core.calendar import HOURS_PER_DAY
from sim.core.queues import DISCIPLINES
from sim.policies.base import Policy, check_commune_names, communes_named, read_commune_names
from sim.spec.config import ConfigError, Reader

if TYPE_CHECKING:
    from sim.abm.agents.clerk import Clerk
    from sim.abm.model import GovernanceModel
    from sim.spec.scenario import ScenarioSpec


class ExtendedHours:
    """A commune office's calendar with overtime: some days' last interval runs longer.

    Deadlines keep using the commune's own calendar; only when clerks work changes.
    Work started before a day's overtime was decided pauses at the ordinary closing
    hour of that day (the overtime is decided each morning).
    """

    always_open = False

    def __init__(self, base) -> None:
        self.base = base
        self.extra: dict[int, float] = {}

    def __getattr__(self, name: str):
        return getattr(self.base, name)

    def open_intervals(self, day: int) -> list[tuple[float, float]]:
        intervals = self.base.open_intervals(day)
        extra = self.extra.get(day, 0.0)
        if extra and intervals:
            a, b = intervals[-1]
            intervals = intervals[:-1] + [(a, min(b + extra, (day + 1) * HOURS_PER_DAY))]
        return intervals

    def open_hours(self, day: int) -> float:
        return sum(b - a for a, b in self.open_intervals(day))

    def finish_time(self, start: float, work_hours: float) -> float:
        """Overtime is only ever known for today, so only the start day can differ."""
        day = int(start // HOURS_PER_DAY)
        if not self.extra.get(day):
            return self.base.finish_time(start, work_hours)
        current, remaining = start, work_hours
        for a, b in self.open_intervals(day):
            if b <= current:
                continue
            current = max(current, a)
            if remaining <= b - current:
                return current + remaining
            remaining -= b - current
            current = b
        return self.base.finish_time((day + 1) * HOURS_PER_DAY, remaining)


class Overtime(Policy):
    """Extra hours on days when a commune's backlog per clerk exceeds a threshold.

    Keys: ``communes``; ``backlog_per_clerk_threshold`` (dossiers waiting or in service
    per clerk on duty, that morning); ``extra_hours`` per day; ``max_hours_per_month``
    per clerk; ``fatigue_per_day`` (proficiency lost per overtime day, multiplicative),
    ``recovery_per_day`` (regained per ordinary working day), ``max_fatigue``;
    ``cost_vnd_per_hour`` per clerk-hour of overtime.
    """

    kind = "overtime"

    def __init__(self, name: str, reader: Reader) -> None:
        super().__init__(name, reader)
        self.names = read_commune_names(reader)
        self.threshold = reader.number("backlog_per_clerk_threshold", low=0)
        self.extra_hours = reader.number("extra_hours", low=0, low_open=True, high=8.0)
        self.max_per_month = reader.number("max_hours_per_month", low=0)
        self.fatigue_step = reader.probability("fatigue_per_day")
        self.recovery = reader.probability("recovery_per_day")
        self.max_fatigue = reader.number("max_fatigue", 0.5, low=0, high=0.95)
        self.cost_per_hour = reader.number("cost_vnd_per_hour", low=0)
        self.clerk_hours = 0.0
        self.overtime_days = 0
        self.fatigue: dict[int, float] = {}  # clerk id -> fatigue in [0, max_fatigue]
        self.month_hours: dict[tuple[str, int, int], float] = {}

    def validate(self, spec: ScenarioSpec) -> None:
        check_commune_names(self.names, spec, self.reader)
        if spec.calendar.get("kind", "working") == "always_open":
            raise ConfigError(
                f"{self.reader.path} (kind overtime): scenario {spec.name!r} is open 24/7; "
                "overtime needs a working calendar"
            )

    def start(self, model: GovernanceModel, day: int) -> None:
        self.communes = communes_named(model, self.names)
        for commune in self.communes:
            if not isinstance(commune.office.calendar, ExtendedHours):
                commune.office.calendar = ExtendedHours(commune.office.calendar)

    def daily(self, model: GovernanceModel, day: int) -> None:
        if not model.calendar.is_working_day(day):
            return
        month = (model.date.year, model.date.month)
        for commune in self.communes:
            office = commune.office
            on_duty = [c for c in office.clerks if c.on_duty]
            used = self.month_hours.get((commune.name, *month), 0.0)
            load = (office.queued() + office.in_service()) / max(1, len(on_duty))
            overtime = load > self.threshold and used + self.extra_hours <= self.max_per_month
            if overtime:
                office.calendar.extra[day] = self.extra_hours
                self.month_hours[(commune.name, *month)] = used + self.extra_hours
                self.clerk_hours += self.extra_hours * len(on_duty)
                self.overtime_days += 1
            for clerk in on_duty:
                if overtime:
                    clerk.available_hours += self.extra_hours
                self._tire(clerk, overtime)

    def _tire(self, clerk: Clerk, overtime: bool) -> None:
        """Scale the clerk's proficiencies by its change in (1 - fatigue)."""
        old = self.fatigue.get(id(clerk), 0.0)
        if overtime:
            new = min(self.max_fatigue, old + self.fatigue_step)
        else:
            new = max(0.0, old - self.recovery)
        if new != old:
            ratio = (1 - new) / (1 - old)
            for field in clerk.skills:
                clerk.skills[field] *= ratio
            self.fatigue[id(clerk)] = new

    def end(self, model: GovernanceModel, day: int) -> None:
        for commune in self.communes:
            for clerk in commune.office.clerks:
                old = self.fatigue.pop(id(clerk), 0.0)
                for field in clerk.skills:
                    clerk.skills[field] /= 1 - old

    def cost_vnd(self, model: GovernanceModel) -> float:
        return self.clerk_hours * self.cost_per_hour


class Priority(Policy):
    """The order in which waiting dossiers are taken up: FIFO or earliest deadline first.

    Keys: ``discipline`` (``fifo`` or ``edf``), ``include_province`` (also the provincial
    departments), ``cost_vnd`` (a software setting; once).
    """

    kind = "priority"

    def __init__(self, name: str, reader: Reader) -> None:
        super().__init__(name, reader)
        self.discipline = reader.choice("discipline", DISCIPLINES)
        self.include_province = bool(reader.raw("include_province", True))
        self.cost = reader.number("cost_vnd", 0.0, low=0)
        self.previous: list[tuple[object, str]] = []

    def start(self, model: GovernanceModel, day: int) -> None:
        offices = [c.office for c in model.communes]
        if self.include_province:
            offices.append(model.province.office)
        for office in offices:
            self.previous.append((office, office.discipline))
            office.set_discipline(self.discipline)

    def end(self, model: GovernanceModel, day: int) -> None:
        for office, discipline in self.previous:
            office.set_discipline(discipline)

    def cost_vnd(self, model: GovernanceModel) -> float:
        return self.cost if self.started else 0.0
