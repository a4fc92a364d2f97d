"""The event loop that runs service inside a day, in continuous time.

A plain binary heap of ``(time, sequence, handler, argument)`` tuples; the sequence
number breaks ties in scheduling order, so runs are reproducible. The day's arrivals come
as a separate time-sorted list merged into the loop, which saves a heap push and pop
per dossier. Events that many callers put on the same few instants (every office opening
at 7:30, every complaint check at a close-of-business deadline) share one heap entry per
instant: ``schedule_at_instant`` keeps them in a list run in the order they were added,
the order separate heap entries would have run in.
"""

from __future__ import annotations

import gc
import heapq
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

Handler = Callable[[Any], None]
INFINITY = float("inf")
YOUNG_COLLECTION_THRESHOLD = 50_000  # allocations between young-generation collections
_frozen_runs = 0


@contextmanager
def long_lived_objects_frozen() -> Iterator[None]:
    """Keep the garbage collector off the objects that live as long as a run.

    A model's agents, calendar and tables (millions of objects for a large province)
    outlive every dossier, and each full collection would walk them all again; the
    dossiers and events of a run form no reference cycles, so reference counting frees
    them without the collector. Inside this block the objects that exist at its start
    are frozen (``gc.freeze``) and young collections run every
    ``YOUNG_COLLECTION_THRESHOLD`` allocations; both are undone at its end, so cycles
    left by one run are collected after it. The numbers a run produces do not depend on
    the collector.
    """
    global _frozen_runs
    if _frozen_runs or not gc.isenabled():
        yield
        return
    thresholds = gc.get_threshold()
    _frozen_runs += 1
    gc.freeze()
    gc.set_threshold(max(thresholds[0], YOUNG_COLLECTION_THRESHOLD), *thresholds[1:])
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()
        _frozen_runs -= 1


class EventEngine:
    """Continuous-time discrete-event scheduler shared by every office of a model."""

    def __init__(self) -> None:
        self.now = 0.0
        self._heap: list[tuple[float, int, Handler, Any]] = []
        self._seq = 0
        self._instants: dict[float, list[tuple[Handler, Any]]] = {}
        self.events_processed = 0

    def schedule(self, time: float, handler: Handler, argument: Any = None) -> None:
        """Call ``handler(argument)`` at ``time`` (never earlier than now)."""
        self._seq += 1
        heapq.heappush(self._heap, (time, self._seq, handler, argument))

    def schedule_at_instant(self, time: float, handler: Handler, argument: Any = None) -> None:
        """Like ``schedule``, for instants many events share: one heap entry per instant."""
        batch = self._instants.get(time)
        if batch is None:
            batch = self._instants[time] = []
            self.schedule(time, self._run_instant, time)
        batch.append((handler, argument))

    def _run_instant(self, time: float) -> None:
        for handler, argument in self._instants.pop(time):
            handler(argument)

    def run_until(
        self,
        end: float,
        arrivals: Sequence[tuple[float, Handler, Any]] = (),
    ) -> None:
        """Process every event before ``end``; ``arrivals`` is sorted by time.

        Scheduled events at the same instant as an arrival go first (a clerk who finishes
        at time t is free for a dossier arriving at t).
        """
        heap = self._heap
        pop = heapq.heappop
        n_arrivals = len(arrivals)
        i = 0
        processed = 0
        next_arrival = arrivals[0][0] if n_arrivals else INFINITY
        while True:
            if heap and heap[0][0] <= next_arrival:
                if heap[0][0] >= end:
                    break
                time, _, handler, argument = pop(heap)
            elif next_arrival < end:
                time, handler, argument = arrivals[i]
                i += 1
                next_arrival = arrivals[i][0] if i < n_arrivals else INFINITY
            else:
                break
            self.now = time
            handler(argument)
            processed += 1
        for late in arrivals[i:]:
            self.schedule(*late)
        self.events_processed += processed
        self.now = max(self.now, end)

    def pending_arguments(self) -> Iterator[Any]:
        """The argument of every event scheduled and not yet run (grouped ones included)."""
        for _, _, handler, argument in self._heap:
            if handler != self._run_instant:
                yield argument
        for batch in self._instants.values():
            for _, argument in batch:
                yield argument

    def pending(self) -> int:
        """Events scheduled and not yet run."""
        return sum(1 for _ in self.pending_arguments())
