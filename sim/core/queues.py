"""Queue disciplines: the order in which waiting dossiers are taken up.

Both queues are built-in containers underneath (a deque, a heap list), so that the
office's hot loop asks ``if queue:`` and ``len(queue)`` at C speed; iterating a queue
yields its dossiers.
"""

from __future__ import annotations

import heapq
from collections import deque

from sim.core.dossier import Dossier

INFINITY = float("inf")


class FifoQueue(deque):
    """First in, first out: the dossier that arrived at this office first.

    Items are ``(arrival time, dossier)``.
    """

    __slots__ = ()

    def push(self, dossier: Dossier, now: float) -> None:
        self.append((now, dossier))

    def head_key(self) -> float:
        """Priority key of the head (smaller is served first); inf when empty."""
        return self[0][0] if self else INFINITY

    def pop(self) -> Dossier:  # type: ignore[override]
        return self.popleft()[1]

    def __iter__(self):
        return (item[1] for item in deque.__iter__(self))


class EdfQueue(list):
    """Earliest deadline first; ties go to the earlier arrival.

    A binary heap of ``(deadline, sequence, dossier)``.
    """

    __slots__ = ("_seq",)

    def __init__(self) -> None:
        super().__init__()
        self._seq = 0

    def push(self, dossier: Dossier, now: float) -> None:
        self._seq += 1
        heapq.heappush(self, (dossier.deadline, self._seq, dossier))

    def head_key(self) -> float:
        return self[0][0] if self else INFINITY

    def pop(self) -> Dossier:  # type: ignore[override]
        return heapq.heappop(self)[2]

    def __iter__(self):
        return (item[2] for item in list.__iter__(self))


DISCIPLINES = {"fifo": FifoQueue, "edf": EdfQueue}
