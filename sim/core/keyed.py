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
scalar (plain Python integers) and array (NumPy ``uint64``) versions give identical
numbers.
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


def _mix(z: int) -> int:
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return z ^ (z >> 31)


_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)


def _mix_array(z: np.ndarray) -> np.ndarray:
    z = (z ^ (z >> np.uint64(30))) * _M1
    z = (z ^ (z >> np.uint64(27))) * _M2
    return z ^ (z >> np.uint64(31))


class KeyedUniforms:
    """The keyed uniforms of one run.

    Args:
        root: the run's root (from its seed); keys are non-negative integers.
    """

    def __init__(self, root: int) -> None:
        self.root = int(root) & MASK

    def uniform(self, *keys: int) -> float:
        """One uniform in [0, 1) for ``keys`` (purpose first, then whose and when)."""
        state = self.root
        for key in keys:
            state = _mix((state + GOLDEN + int(key) * KEY_STEP) & MASK)
        return (state >> 11) * TO_UNIT

    def uniforms(self, purpose: int, ids, *keys: int) -> np.ndarray:
        """``uniform(purpose, id, *keys)`` for each of ``ids``, as an array."""
        ids = np.asarray(ids, dtype=np.uint64)
        if len(keys) == 1:  # the usual case, compiled: (purpose, id, day or attempt)
            return _keyed_uniforms(np.uint64(self.root), purpose, ids, keys[0])
        with np.errstate(over="ignore"):
            state = _mix_array(np.uint64((self.root + GOLDEN + purpose * KEY_STEP) & MASK))
            state = _mix_array(state + np.uint64(GOLDEN) + ids * np.uint64(KEY_STEP))
            for key in keys:
                step = np.uint64((GOLDEN + int(key) * KEY_STEP) & MASK)
                state = _mix_array(state + step)
        return (state >> np.uint64(11)).astype(np.float64) * TO_UNIT


@njit(cache=True)
def _mix_scalar(z):
    z = (z ^ (z >> np.uint64(30))) * _M1
    z = (z ^ (z >> np.uint64(27))) * _M2
    return z ^ (z >> np.uint64(31))


@njit(cache=True)
def keyed_uniform(root, purpose, uid, attempt):
    """``KeyedUniforms(root).uniform(purpose, uid, attempt)`` inside compiled code.

    Every operand is a ``uint64``, so the arithmetic wraps modulo 2**64 as the Python
    version's masking does (mixing signed and unsigned would go through floats).
    """
    golden = np.uint64(GOLDEN)
    step = np.uint64(KEY_STEP)
    state = _mix_scalar(root + golden + np.uint64(purpose) * step)
    state = _mix_scalar(state + golden + np.uint64(uid) * step)
    state = _mix_scalar(state + golden + np.uint64(attempt) * step)
    return np.float64(state >> np.uint64(11)) * TO_UNIT


@njit(cache=True)
def _keyed_uniforms(root, purpose, ids, key):
    result = np.empty(len(ids))
    for i in range(len(ids)):
        result[i] = keyed_uniform(root, purpose, ids[i], key)
    return result
