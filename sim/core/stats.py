"""Statistics over replications: t-intervals, paired differences, flattened summaries.

Replication r of every job sees the same demand (common random numbers), so two jobs
are compared replication by replication: the interval of the mean paired difference is
much narrower than the two jobs' own intervals would suggest. Every 95% interval of the
project (summary ``ci95`` blocks, the sweep comparison, the study plots' bands, the
output regression's tolerance) comes from ``half_width``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence

import numpy as np

LEVEL = 0.95
# Below this many replications the t-quantile exceeds 2.78 (12.7 with two): the
# interval rests on a rough estimate of the spread and is too wide to mean much.
MIN_REPLICATIONS = 5
MAX_ADVISED = 1000  # replications_for answers at most this


def half_width(std, n: int, level: float = LEVEL):
    """Half-width of the t-interval of a mean of ``n`` values with sample std ``std``.

    ``std`` may be an array (one interval per row); needs ``n >= 2``.
    """
    from scipy import stats  # scipy.stats takes half a second to import: only when needed

    return stats.t.ppf((1 + level) / 2, n - 1) * std / math.sqrt(n)


def finite(values: Iterable) -> np.ndarray:
    """The finite numbers among ``values`` (None, NaN and infinities left out)."""
    array = np.array([np.nan if v is None else v for v in values], dtype=float)
    return array[np.isfinite(array)]


def mean_interval(
    values: Iterable,
    level: float = LEVEL,
    bounds: tuple[float, float] | None = None,
) -> tuple[float, float, float]:
    """Mean of the finite values and its t-interval: ``(mean, low, high)``.

    With no finite value all three are NaN; with one, the interval is NaN. ``bounds``
    (the range the figure can take) clips the interval, never the mean.
    """
    values = finite(values)
    if len(values) == 0:
        return math.nan, math.nan, math.nan
    mean = float(values.mean())
    if len(values) < 2:
        return mean, math.nan, math.nan
    half = float(half_width(values.std(ddof=1), len(values), level))
    low, high = mean - half, mean + half
    if bounds is not None:
        low, high = max(low, bounds[0]), min(high, bounds[1])
    return mean, low, high


def replications_for(values: Iterable, target: float, level: float = LEVEL) -> int | None:
    """Replications a t-interval needs to be at most ``target`` either side of the mean,
    judged from the spread of ``values`` (at least 2, at most ``MAX_ADVISED``); None
    when it cannot be judged (fewer than two values, no target)."""
    values = finite(values)
    if len(values) < 2 or not target > 0:
        return None
    spread = float(values.std(ddof=1))
    from scipy import stats

    n = max(2, math.ceil((stats.norm.ppf((1 + level) / 2) * spread / target) ** 2))
    while n < MAX_ADVISED and half_width(spread, n, level) > target:
        n += 1
    return min(n, MAX_ADVISED)


def paired_differences(a: Iterable, b: Iterable) -> np.ndarray:
    """``a[r] - b[r]`` over the replications both have (the first ``min(len)``).

    Replication r has the same seed whatever a job's replication count, so a job with
    12 replications pairs with one of 20 over the first 12.
    """
    a, b = np.asarray(list(a), dtype=float), np.asarray(list(b), dtype=float)
    n = min(len(a), len(b))
    return a[:n] - b[:n]


def flatten(data: Mapping, prefix: str = "") -> dict[str, int | float | None]:
    """Numbers of a nested summary as ``{"by_field.land.on_time_rate": value, ...}``.

    Numbers keep their type and None (a figure with no value) is kept; strings, lists
    and booleans are left out.
    """
    flat: dict[str, int | float | None] = {}
    for key, value in data.items():
        path = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(flatten(value, path + "."))
        elif value is None or (isinstance(value, int | float) and not isinstance(value, bool)):
            flat[path] = value
    return flat


FALSE_DISCOVERY_RATE = 0.1  # q-value under which one of many tested effects is reported


def q_values(p_values: Sequence[float]) -> list[float]:
    """Benjamini-Hochberg adjusted p-values (false discovery rate), in the order given."""
    p = np.asarray(p_values, dtype=float)
    if not len(p):
        return []
    order = np.argsort(p)
    ranked = p[order] * len(p) / np.arange(1, len(p) + 1)
    adjusted = np.minimum.accumulate(ranked[::-1])[::-1].clip(max=1.0)
    q = np.empty_like(adjusted)
    q[order] = adjusted
    return q.tolist()
