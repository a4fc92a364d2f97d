"""What the agents of one model share: the narrow context they get instead of the model.

Communes, the province and their staff conditions act on the clock (``engine``), the
calendar, the metrics and their random streams, and hand finished dossiers on through
callbacks (``resolve``, ``withdraw``; a commune also gets the province's ``escalate``),
as an ``Office`` hands on what it served through ``on_served``. None of them knows
``GovernanceModel``; Mesa's ``model`` they keep only to register as agents.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from sim.core.calendar import AlwaysOpenCalendar, WorkingCalendar
from sim.core.dossier import Dossier
from sim.core.engine import EventEngine
from sim.core.metrics import Metrics
from sim.core.streams import Streams
from sim.spec.scenario import ScenarioSpec


@dataclass(frozen=True)
class World:
    """The shared state and outcomes an agent may use.

    Attributes:
        scenario: the parsed scenario (rules, premises, equipment, behaviour).
        calendar: the working calendar (opening hours, deadlines).
        engine: the event clock (``now``, ``schedule``).
        metrics: the bookkeeping; agents change it only through its methods.
        streams: the model's named random streams.
        start_date: the date of day 0.
        resolve: a dossier is finished (its result goes to the applicant).
        withdraw: the applicant gave a dossier up.
    """

    scenario: ScenarioSpec
    calendar: AlwaysOpenCalendar | WorkingCalendar
    engine: EventEngine
    metrics: Metrics
    streams: Streams
    start_date: dt.date
    resolve: Callable[[Dossier], None]
    withdraw: Callable[[Dossier], None]
