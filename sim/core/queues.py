"""Queue disciplines: the order in which waiting dossiers are taken up.

Each office keeps one queue per field: a leftist heap whose nodes are the dossiers'
rows (``d_q_left``, ``d_q_right``, ``d_q_rank``), so a queue needs no storage of its
own and a dossier is in at most one queue at a time. The key is the dossier's arrival
at the queue (first in, first out) or its deadline (earliest deadline first); ties go
to the dossier that joined first (``d_q_seq``). Merging walks the right spines, whose
length is at most log2 of the queue's size, with a small explicit stack.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from sim.core.state import C

FIFO, EDF = "fifo", "edf"
DISCIPLINES = (FIFO, EDF)
QUEUE_SEQUENCE = C["queue_sequence"]
NONE = -1
STACK = 128  # right spines are at most log2(rows) long


@njit(cache=True)
def _less(s, a, b):
    ka, kb = s.d_q_key[a], s.d_q_key[b]
    return ka < kb or (ka == kb and s.d_q_seq[a] < s.d_q_seq[b])


@njit(cache=True)
def _rank(s, node):
    return 0 if node == NONE else s.d_q_rank[node]


@njit(cache=True)
def _merge(s, a, b):
    """The root of the heap holding the nodes of heaps ``a`` and ``b``."""
    stack = np.empty(STACK, dtype=np.int64)
    depth = 0
    while a != NONE and b != NONE:
        if _less(s, b, a):
            a, b = b, a
        stack[depth] = a  # a stays on top; its right subtree merges with b
        depth += 1
        a = s.d_q_right[a]
    root = a if a != NONE else b
    while depth > 0:
        depth -= 1
        parent = stack[depth]
        s.d_q_right[parent] = root
        left = s.d_q_left[parent]
        if _rank(s, left) < _rank(s, root):  # keep the shorter spine on the right
            s.d_q_left[parent], s.d_q_right[parent] = root, left
        s.d_q_rank[parent] = _rank(s, s.d_q_right[parent]) + 1
        root = parent
    return root


@njit(cache=True)
def push(s, office, field, row, now):
    """A dossier joins the queue of ``field`` at ``office``."""
    s.counters[QUEUE_SEQUENCE] += 1
    s.d_q_seq[row] = s.counters[QUEUE_SEQUENCE]
    s.d_q_key[row] = s.d_deadline[row] if s.o_edf[office] else now
    s.d_q_left[row] = NONE
    s.d_q_right[row] = NONE
    s.d_q_rank[row] = 1
    s.o_root[office, field] = _merge(s, s.o_root[office, field], row)
    s.o_queued[office, field] += 1


@njit(cache=True)
def head_key(s, office, field):
    """The key of the dossier first in line (infinity when the queue is empty)."""
    root = s.o_root[office, field]
    return np.inf if root == NONE else s.d_q_key[root]


@njit(cache=True)
def pop(s, office, field):
    """Take the dossier first in line (the queue must not be empty)."""
    root = s.o_root[office, field]
    s.o_root[office, field] = _merge(s, s.d_q_left[root], s.d_q_right[root])
    s.o_queued[office, field] -= 1
    s.d_q_left[root] = NONE
    s.d_q_right[root] = NONE
    return root


@njit(cache=True)
def reorder(s, office, edf, now):
    """Put every queue of ``office`` under another discipline (in their current order)."""
    s.o_edf[office] = edf
    for field in range(s.o_root.shape[1]):
        n = s.o_queued[office, field]
        rows = np.empty(n, dtype=np.int64)
        for k in range(n):
            rows[k] = pop(s, office, field)
        for k in range(n):
            push(s, office, field, rows[k], now)


@njit(cache=True)
def members(s, office, field):
    """The rows waiting in one queue, in no particular order."""
    n = s.o_queued[office, field]
    rows = np.empty(n, dtype=np.int64)
    stack = np.empty(n + 1, dtype=np.int64)
    depth = 0
    found = 0
    if s.o_root[office, field] != NONE:
        stack[0] = s.o_root[office, field]
        depth = 1
    while depth > 0:
        depth -= 1
        node = stack[depth]
        rows[found] = node
        found += 1
        for child in (s.d_q_left[node], s.d_q_right[node]):
            if child != NONE:
                stack[depth] = child
                depth += 1
    return rows
