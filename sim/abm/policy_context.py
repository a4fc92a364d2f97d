"""What a policy sees of the model: a narrow context instead of the whole model.

Policies (sim/policies) act on communes, their offices and clerks, and on the
province, through those agents' explicit methods (``Commune.assign``/``release``,
``Office.set_on_duty``/``extend_hours``/``set_discipline``, ``Clerk.set_proficiency``/
``set_modifier``, ``Province.second``/``take_back``...). They never see the model
itself: what they need of it (today, the calendar, their random stream, a new member
of staff, the overdue dossiers of a field) comes through this context, which the model
keeps up to date each morning.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from sim.abm.agents.clerk import Clerk
    from sim.abm.agents.commune import Commune
    from sim.abm.agents.province import Province
    from sim.spec.procedures import Catalogue


@dataclass
class PolicyContext:
    """The model as a policy sees it.

    Attributes:
        communes: the communes, in scenario order.
        province: the provincial departments.
        calendar: the working calendar (deadlines, working days).
        rng: the policy random stream (``streams.policy``): a policy's draws never
            shift the citizens' demand.
        catalogue: procedures by applicant kind (expected work per field).
        new_clerk: ``new_clerk(skills, kind)`` creates a member of staff (not yet on
            any roster).
        now: the simulation clock, in hours.
        overdue_open: ``overdue_open(field)`` counts, per commune name, the open
            dossiers of ``field`` past their deadline still at the commune stage.
        day, date: today (set each morning before the policies act).
    """

    communes: Sequence[Commune]
    province: Province
    calendar: Any
    rng: np.random.Generator
    catalogue: Mapping[str, Catalogue]
    new_clerk: Callable[[dict[str, float], str], Clerk]
    now: Callable[[], float]
    overdue_open: Callable[[str], dict[str, int]]
    day: int = -1
    date: dt.date = dt.date(2025, 7, 1)

    def communes_named(self, names: Sequence[str] | None) -> list[Commune]:
        """The communes with these names (in this order), or all of them for None."""
        if names is None:
            return list(self.communes)
        by_name = {c.name: c for c in self.communes}
        return [by_name[name] for name in names]
