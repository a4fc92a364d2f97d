"""PASC reception counters: the one-stop desk visitors meet before the back office.

In-person visitors queue at the desk, where a counter clerk checks and logs the file
(``premises.reception_hours`` each), then the dossier goes on to the specialist back
office, after a courier hand-off when its field sits on another headquarters site.
Online dossiers go straight to the back office. The desk is an ``Office`` with a single
queue (everyone queues together) served by ``CounterClerk``s.
"""

from __future__ import annotations

from sim.abm.agents.clerk import Clerk
from sim.core.dossier import QUEUED, Dossier
from sim.core.office import Office

RECEPTION = "reception"


class CounterClerk(Clerk):
    """A reception clerk: the same time for every file, whatever its field."""

    def __init__(self, model, reception_hours: float) -> None:
        super().__init__(model, {RECEPTION: 1.0}, kind="reception")
        self.reception_hours = reception_hours

    def service_hours(self, dossier: Dossier) -> float:
        hours = self.reception_hours / self.speed_factor
        self.busy_hours += hours
        self.busy_hours_by_field[RECEPTION] += hours
        self.job_field = RECEPTION
        self.served += 1
        return hours


class ReceptionDesk(Office):
    """The counters of one PASC: one queue in arrival order, any counter serves anyone."""

    def __init__(self, name, calendar, engine, on_served, on_first_service) -> None:
        super().__init__(name, [RECEPTION], calendar, engine, "fifo", on_served, on_first_service)

    def arrive(self, dossier: Dossier) -> None:
        dossier.status = QUEUED
        if self.is_open and self.idle:
            self._start(self.idle.pop(0), dossier)
            return
        self.queues[RECEPTION].push(dossier, self.engine.now)

    def set_discipline(self, discipline: str) -> None:
        """The desk serves visitors in arrival order whatever the back office does."""

    def waiting(self) -> int:
        return len(self.queues[RECEPTION])

    def counters(self) -> int:
        return sum(1 for c in self.clerks if c.on_duty)
