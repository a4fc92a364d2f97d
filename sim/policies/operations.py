"""How offices work: overtime when the backlog is high, and the queue discipline.

SOURCES.md: Gia Lai's leaders ask communes "not to let work stagnate or backlog" and to
work until the work is done ("doing all the work, not working all the hours"). Overtime
opens a commune office longer on days when its backlog per clerk is above a threshold;
sustained overtime tires clerks, who then work more slowly until they recover.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.core.queues import DISCIPLINES
from sim.policies.base import Policy, check_commune_names, read_commune_names
from sim.spec.config import ConfigError, Reader

if TYPE_CHECKING:
    from sim.abm.agents.clerk import Clerk
    from sim.abm.policy_context import PolicyContext
    from sim.spec.scenario import ScenarioSpec


class Overtime(Policy):
    """Extra hours for the clerks of fields whose queue is over a threshold.

    Keys: ``communes``; ``backlog_per_clerk_threshold`` (dossiers of a field waiting or
    in service per clerk on duty skilled in it, that morning: the clerks skilled in a
    field over it stay late, the others leave at the ordinary closing);
    ``extra_hours`` per day; ``max_hours_per_month`` per clerk; ``fatigue_per_day``
    (speed lost per overtime day), ``recovery_per_day`` (regained per ordinary working
    day), ``max_fatigue``: fatigue is a temporary factor on the clerk's speed,
    ``1 - fatigue``, never a change of its base proficiency, and it is capped so that an
    overtime day never yields less work than the same day without overtime
    (``(open + extra) x (1 - fatigue) >= open``); ``cost_vnd_per_hour`` per clerk-hour
    of overtime worked (budget, recurring, in the commune).
    """

    kind = "overtime"
    cost_items = ("overtime_pay",)

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
        self._tired: dict[int, Clerk] = {}  # clerk id -> clerk, to clear its fatigue at the end
        self.month_hours: dict[tuple[str, int, int], float] = {}

    def validate(self, spec: ScenarioSpec) -> None:
        check_commune_names(self.names, spec, self.reader)
        if spec.calendar.get("kind", "working") == "always_open":
            raise ConfigError(
                f"{self.reader.path} (kind overtime): scenario {spec.name!r} is open 24/7; "
                "overtime needs a working calendar"
            )

    def start(self, ctx: PolicyContext, day: int) -> None:
        self.communes = ctx.communes_named(self.names)

    def daily(self, ctx: PolicyContext, day: int) -> None:
        if not ctx.calendar.is_working_day(day):
            return
        month = (ctx.date.year, ctx.date.month)
        ordinary = ctx.calendar.open_hours(day)
        # the most fatigue that still leaves an overtime day ahead of an ordinary one
        cap = min(self.max_fatigue, self.extra_hours / (ordinary + self.extra_hours))
        for commune in self.communes:
            office = commune.office
            on_duty = [c for c in office.clerks if c.on_duty]
            used = self.month_hours.get((commune.name, *month), 0.0)
            staying = []
            if used + self.extra_hours <= self.max_per_month:
                fields = self.fields_over_threshold(office, on_duty)
                staying = [c for c in on_duty if any(f in c.skills for f in fields)]
            if staying:
                office.extend_hours(day, self.extra_hours, staying)
                self.month_hours[(commune.name, *month)] = used + self.extra_hours
                hours = self.extra_hours * len(staying)
                self.clerk_hours += hours
                self.overtime_days += 1
                self.ledger.add(
                    "overtime_pay",
                    hours * self.cost_per_hour,
                    budget=True,
                    one_off=False,
                    where=commune.name,
                )
            stays = set(staying)
            for clerk in on_duty:
                if clerk in stays:
                    clerk.available_hours += self.extra_hours
                self._tire(clerk, clerk in stays, cap)

    def fields_over_threshold(self, office, on_duty: list[Clerk]) -> list[str]:
        """Fields whose dossiers waiting or in service per skilled clerk exceed the threshold."""
        over = []
        in_service = office.busy_by_field(on_duty)
        for field, waiting in office.queue_lengths().items():
            skilled = sum(1 for c in on_duty if field in c.skills)
            if skilled and (waiting + in_service.get(field, 0)) / skilled > self.threshold:
                over.append(field)
        return over

    def _tire(self, clerk: Clerk, overtime: bool, cap: float) -> None:
        """Overtime fatigue: a temporary factor on speed, never a change of proficiency."""
        old = self.fatigue.get(id(clerk), 0.0)
        if overtime:
            new = min(cap, old + self.fatigue_step)
        else:
            new = max(0.0, old - self.recovery)
        if new != old:
            self.fatigue[id(clerk)] = new
            self._tired[id(clerk)] = clerk
            clerk.set_modifier(self.modifier, 1.0 - new)

    def end(self, ctx: PolicyContext, day: int) -> None:
        """Fatigue ends with the policy, wherever the clerk works now."""
        for clerk in self._tired.values():
            clerk.clear_modifier(self.modifier)
        self._tired.clear()
        self.fatigue.clear()

    @property
    def modifier(self) -> str:
        """Name of this policy's speed modifier on clerks."""
        return f"overtime_fatigue:{self.name}"


class Priority(Policy):
    """The order in which waiting dossiers are taken up: FIFO or earliest deadline first.

    Keys: ``discipline`` (``fifo`` or ``edf``), ``include_province`` (also the provincial
    departments), ``cost_vnd`` (a software setting; once).
    """

    kind = "priority"
    cost_items = ("software_setting",)

    def __init__(self, name: str, reader: Reader) -> None:
        super().__init__(name, reader)
        self.discipline = reader.choice("discipline", DISCIPLINES)
        self.include_province = bool(reader.raw("include_province", True))
        self.cost = reader.number("cost_vnd", 0.0, low=0)
        self.previous: list[tuple[object, str]] = []

    def start(self, ctx: PolicyContext, day: int) -> None:
        offices = [c.office for c in ctx.communes]
        if self.include_province:
            offices.extend(ctx.province.offices.values())
        for office in offices:
            self.previous.append((office, office.discipline))
            office.set_discipline(self.discipline)
        self.ledger.add("software_setting", self.cost, budget=True, one_off=True)

    def end(self, ctx: PolicyContext, day: int) -> None:
        for office, discipline in self.previous:
            office.set_discipline(discipline)
