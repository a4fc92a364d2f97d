"""PASC reception counters: the one-stop desk visitors meet before the back office.

In-person visitors queue at the desk, where a counter clerk checks and logs the file
(``premises.reception_hours`` each), then the dossier goes on to the specialist back
office, after a courier hand-off when its field sits on another headquarters site.
Online dossiers go straight to the back office. The desk is an office with a single
queue in arrival order (everyone queues together) served by ``CounterClerk``s; its
flow runs in the compiled loop (sim/core/routing.py).
"""

from __future__ import annotations

from sim.abm.agents.clerk import Clerk
from sim.core.engine import RECEPTION  # the desk's queue, the column after the fields


class CounterClerk(Clerk):
    """A reception clerk: the same time for every file, whatever its field."""

    def __init__(self, model, reception_hours: float) -> None:
        super().__init__(model, {RECEPTION: 1.0}, kind="reception")
        self.reception_hours = reception_hours
        self.engine.column("c_fixed_hours")[self.index] = reception_hours
