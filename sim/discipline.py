"""Queue disciplines: the order in which waiting dossiers are taken up."""

from __future__ import annotations

import heapq
from collections import deque

from sim.dossier import Dossier


class FifoQueue:
    """First in, first out: the dossier that arrived at this office first."""

    __slots__ = ("_items",)

    def __init__(self) -> None:
        self._items: deque[tuple[float, Dossier]] = deque()

    def push(self, dossier: Dossier, now: float) -> None:
        self._items.append((now, dossier))

    def head_key(self) -> float:
        """Priority key of the head (smaller is served first); inf when empty."""
        return self._items[0][0] if self._items else float("inf")

    def pop(self) -> Dossier:
        return self._items.popleft()[1]

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self):
        return (item[1] for item in self._items)


class EdfQueue:
    """Earliest deadline first; ties go to the earlier arrival."""

    __slots__ = ("_heap", "_seq")

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, Dossier]] = []
        self._seq = 0

    def push(self, dossier: Dossier, now: float) -> None:
        self._seq += 1
        heapq.heappush(self._heap, (dossier.deadline, self._seq, dossier))

    def head_key(self) -> float:
        return self._heap[0][0] if self._heap else float("inf")

    def pop(self) -> Dossier:
        return heapq.heappop(self._heap)[2]

    def __len__(self) -> int:
        return len(self._heap)

    def __iter__(self):
        return (item[2] for item in self._heap)


DISCIPLINES = {"fifo": FifoQueue, "edf": EdfQueue}
