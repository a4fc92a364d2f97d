"""Uniforms keyed by what they decide, not by the order they are drawn in.

A stream hands out numbers in sequence, so when a policy changes how many draws come
before a given one (four more clerks to check for absence, one more supplement
answered earlier in the day), every later draw moves and two runs under one seed stop
being paired. A keyed uniform depends only on the run's root and on its keys: what it
is for (``ABSENCE``, ``SUPPLEMENT_DELAY``, ...), whose it is (a clerk's or a dossier's
number) and when (the day, the attempt). Clerk 17's absence draw on day 40 is the same
number in every run of a seed, whatever else happens (common random numbers).

The numbers come from a counter-based generator: the keys are folded into a 64-bit
state by SplitMix64's finalizer (Steele, Lea and Flood 2014), the mixing step that
seeds NumPy's and Java's generators; the top 53 bits give a double in [0, 1). The
mixing step and the folding of a key exist once, compiled (``_mix``, ``_fold``); day-level
Python asks the same compiled functions for one number or an array of them.
"""

from __future__ import annotations

import numpy as np
from numba import njit

MASK = (1 << 64) - 1
GOLDEN = 0x9E3779B97F4A7C15  # 2^64 / golden ratio: SplitMix64's increment
KEY_STEP = 0xD1B54A32D192ED03  # an odd constant that spreads consecutive keys apart
TO_UNIT = 2.0**-53

# what a keyed uniform decides (a key of its own, so two purposes never share a number)
ABSENCE = 1
RESIGNATION = 2
BALK_ONLINE = 3
BALK_RETURN_TIME = 4
SUPPLEMENT_GIVE_UP = 5
SUPPLEMENT_DELAY = 6
STEP_NEEDED = 7  # whether a dossier's workflow step applies to it
STEP_AMOUNT = 8  # a step's work content or the length of its wait

_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)


@njit(cache=True)
def _mix(z):
    """SplitMix64's finalizer on a ``uint64`` (the arithmetic wraps modulo 2**64)."""
    z = (z ^ (z >> np.uint64(30))) * _M1
    z = (z ^ (z >> np.uint64(27))) * _M2
    return z ^ (z >> np.uint64(31))


@njit(cache=True)
def _fold(state, key):
    """The state after one more key. Every operand is a ``uint64``: mixing signed and
    unsigned integers would go through floats."""
    return _mix(state + np.uint64(GOLDEN) + np.uint64(key) * np.uint64(KEY_STEP))


@njit(cache=True)
def _unit(state):
    return np.float64(state >> np.uint64(11)) * TO_UNIT


@njit(cache=True)
def keyed_uniform(root, purpose, uid, attempt):
    """The uniform for (purpose, uid, attempt) under ``root``, inside compiled code."""
    return _unit(_fold(_fold(_fold(root, purpose), uid), attempt))


@njit(cache=True)
def _uniform_of_keys(root, keys):
    state = root
    for key in keys:
        state = _fold(state, key)
    return _unit(state)


@njit(cache=True)
def _uniforms_of_ids(root, purpose, ids, keys):
    result = np.empty(len(ids))
    first = _fold(root, purpose)
    for i in range(len(ids)):
        state = _fold(first, ids[i])
        for key in keys:
            state = _fold(state, key)
        result[i] = _unit(state)
    return result


def _keys(keys) -> np.ndarray:
    return np.array([int(k) & MASK for k in keys], dtype=np.uint64)


class KeyedUniforms:
    """The keyed uniforms of one run.

    Args:
        root: the run's root (from its seed); keys are non-negative integers.
    """

    def __init__(self, root: int) -> None:
        self.root = int(root) & MASK

    def uniform(self, *keys: int) -> float:
        """One uniform in [0, 1) for ``keys`` (purpose first, then whose and when)."""
        return float(_uniform_of_keys(np.uint64(self.root), _keys(keys)))

    def uniforms(self, purpose: int, ids, *keys: int) -> np.ndarray:
        """``uniform(purpose, id, *keys)`` for each of ``ids``, as an array."""
        ids = np.asarray(ids, dtype=np.uint64)
        return _uniforms_of_ids(np.uint64(self.root), np.uint64(purpose), ids, _keys(keys))
