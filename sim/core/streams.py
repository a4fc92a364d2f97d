"""The model's named random streams."""

from __future__ import annotations

import numpy as np

# appended streams leave the earlier ones' draws unchanged (SeedSequence spawn keys)
STREAMS = (
    "demand",
    "population",
    "behaviour",
    "staff",
    "policy",
    "dossier",
    "staffing",
    "infrastructure",
    "carried",
)


class Streams:
    """Independent random streams spawned from the model's ``rng``.

    Demand has a stream of its own, so that two policies run under one seed see the same
    citizens' needs (common random numbers) whatever else they change.
    """

    def __init__(self, rng: np.random.Generator) -> None:
        for name, child in zip(STREAMS, rng.spawn(len(STREAMS)), strict=True):
            setattr(self, name, child)
