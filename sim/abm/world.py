"""What the agents of one model share: the narrow context they get instead of the model.

Communes, the province and their staff conditions act on the engine (its clock, its
arrays, the events they schedule), the calendar, the metrics and their random streams;
the dossiers' path between them runs in the compiled loop (sim/core/routing.py). None
of them knows ``GovernanceModel``; Mesa's ``model`` they keep only to register as
agents.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sim.core.calendar import AlwaysOpenCalendar, WorkingCalendar
from sim.core.engine import Engine
from sim.core.metrics import Metrics
from sim.core.streams import Streams
from sim.spec.scenario import ScenarioSpec


@dataclass(frozen=True)
class World:
    """The shared state and outcomes an agent may use.

    Attributes:
        scenario: the parsed scenario (rules, premises, equipment, behaviour).
        calendar: the working calendar (opening hours, deadlines).
        engine: the arrays and the compiled loop (``now``, ``schedule``, ``column``).
        metrics: the bookkeeping; agents change it only through its methods.
        streams: the model's named random streams.
        start_date: the date of day 0.
    """

    scenario: ScenarioSpec
    calendar: AlwaysOpenCalendar | WorkingCalendar
    engine: Engine
    metrics: Metrics
    streams: Streams
    start_date: dt.date
