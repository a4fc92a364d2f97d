"""The arithmetic of the measures that are differences of runs.

A marginal rate is the cost of dossiers without what a run or a process pays once
(interpreter start, imports, config, model building, compiling or loading compiled
code): the dossiers a long run has beyond a short one over the CPU seconds it takes
beyond it. A cold start is what the first run after an install pays beyond the same run
with the compiled code cached. A straight line through a run's CPU seconds against its
dossiers, at several demands over the same days, splits the cost into a part per dossier
(the slope) and a part per simulated day (the intercept over the days).
"""

from __future__ import annotations


def marginal_rate(short: dict, long: dict, cpu: str = "cpu_s") -> float:
    """Dossiers per CPU-second of what the ``long`` run has beyond the ``short`` one.

    Both are results with ``dossiers`` and a CPU-seconds key ``cpu``; what both runs pay
    alike cancels in the difference.
    """
    dossiers = long["dossiers"] - short["dossiers"]
    seconds = long[cpu] - short[cpu]
    if dossiers <= 0 or seconds <= 0:
        raise ValueError(
            f"marginal rate: the long run has {long['dossiers']:,} dossiers in "
            f"{long[cpu]:.3f} CPU s and the short one {short['dossiers']:,} in "
            f"{short[cpu]:.3f} CPU s; the long run needs more of both: make it longer"
        )
    return dossiers / seconds


def fixed_cost(result: dict, rate: float, cpu: str = "cpu_s") -> float:
    """CPU seconds of a run beyond its dossiers at the marginal ``rate``: what the run
    pays once (start-up, model building, outputs)."""
    return result[cpu] - result["dossiers"] / rate


def cold_start_extra(cold: dict, warm: dict, key: str = "elapsed_s") -> float:
    """Seconds the first run with an empty cache of compiled code takes beyond the same
    run with that cache filled by the first."""
    return cold[key] - warm[key]


def line_fit(xs: list[float], ys: list[float]) -> tuple[float, float]:
    """Slope and intercept of the least-squares line of ``ys`` on ``xs``."""
    if len(xs) != len(ys) or len(set(xs)) < 2:
        raise ValueError(f"line_fit: needs two or more distinct x values; got {xs} and {ys}")
    n = len(xs)
    mean_x, mean_y = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mean_x) ** 2 for x in xs)
    sxy = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True))
    slope = sxy / sxx
    return slope, mean_y - slope * mean_x
