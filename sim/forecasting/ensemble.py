"""The calibration's scoring and its ensemble (ABC-style acceptance).

- ``cell_losses``: per commune x field, the mean squared difference of the simulated
  (mean over replications) and observed ``open_end``, ``overdue_end`` and ``resolved``,
  each scaled by the observed mean + 1 (a Poisson-like scale, so that big and small
  cells weigh alike).
- ``ensemble``: per cell, the trials whose loss is among the best ``accept`` share;
  member k takes the k-th accepted value of each cell (in a seeded order), and a
  demand factor drawn within its standard error.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np

from sim.runs.calibration import STOCKS


def cell_losses(runs: Sequence[dict], observed: Mapping[str, dict]) -> dict[str, float]:
    """Per cell: the scaled squared error of the runs' mean against the observed series
    (``runs``: ``daily_cells`` blocks of replications of one parameter set)."""
    losses = {}
    for cell, seen in observed.items():
        total = 0.0
        for model_key, _ in STOCKS:
            obs = np.asarray(seen[model_key], dtype=float)
            sim = np.mean([r["cells"][cell][model_key] for r in runs], axis=0)
            total += float(np.mean((sim - obs) ** 2) / (obs.mean() + 1.0))
        losses[cell] = total
    return losses


def ensemble(
    trials: Sequence[Mapping[str, float]],
    losses: Sequence[Mapping[str, float]],
    demand: Mapping[str, dict],
    size: int,
    accept: float,
    seed: int,
    supported: Mapping[str, bool],
    capacity_se: Mapping[str, float] | None = None,
) -> tuple[list[dict], dict]:
    """``size`` parameter sets ``{"demand": {cell: f}, "capacity": {cell: f}}`` and per
    cell the accepted capacity values' summary. A cell without enough data takes its
    field's accepted values pooled over the supported cells of that field. Where a cell
    has a direct capacity estimate, each member but the first multiplies its value by a
    draw within that estimate's relative SE (``capacity_se``): the data's uncertainty,
    which the accepted trials, crowded near the optimum by the search, understate."""
    capacity_se = capacity_se or {}
    rng = np.random.default_rng(seed)
    cells = list(losses[0])
    keep = max(3, math.ceil(accept * len(trials)))
    accepted: dict[str, list[float]] = {}
    for cell in cells:
        order = np.argsort([loss[cell] for loss in losses])[:keep]
        accepted[cell] = [float(trials[i][cell]) for i in order]
    for cell in cells:
        if not supported[cell]:
            field = cell.split("|")[1]
            pooled = [
                v for c in cells if supported[c] and c.endswith(f"|{field}") for v in accepted[c]
            ]
            accepted[cell] = pooled or [1.0]
    members = []
    for k in range(size):
        capacity = {}
        for cell in cells:
            values = accepted[cell]
            if k == 0:
                capacity[cell] = values[0]
                continue
            shock = float(rng.normal(0.0, capacity_se.get(cell, 0.0)))
            capacity[cell] = values[int(rng.integers(len(values)))] * math.exp(shock)
        demand_k = {}
        for cell, d in demand.items():
            shock = 0.0 if k == 0 else float(rng.normal(0.0, d["relative_se"]))
            demand_k[cell] = d["demand_factor"] * math.exp(shock)
        members.append({"demand": demand_k, "capacity": capacity})
    spread = {c: math.exp(1.645 * capacity_se.get(c, 0.0)) for c in cells}
    summary = {
        cell: {
            "best": values[0],
            "p05": float(np.quantile(values, 0.05)) / spread[cell],
            "p50": float(np.median(values)),
            "p95": float(np.quantile(values, 0.95)) * spread[cell],
            "accepted": len(values),
            "own_data": bool(supported[cell]),
        }
        for cell, values in accepted.items()
    }
    return members, summary
