"""The model's named random streams."""

from __future__ import annotations

import numpy as np

from sim.core.keyed import KeyedUniforms

# appended streams leave the earlier ones' draws unchanged (SeedSequence spawn keys);
# "behaviour" and "staffing" are no longer drawn from (their decisions take keyed
# uniforms) but keep their places so the streams after them keep their draws
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
    "keyed_root",
)


class Streams:
    """Independent random streams spawned from the model's ``rng``.

    Demand has a stream of its own, so that two policies run under one seed see the same
    citizens' needs (common random numbers) whatever else they change. Decisions whose
    number of draws depends on what a policy changed (absences of a roster a policy
    enlarged, supplement answers in the order dossiers are served) take ``keyed``
    uniforms instead (sim/core/keyed.py).
    """

    def __init__(self, rng: np.random.Generator) -> None:
        for name, child in zip(STREAMS, rng.spawn(len(STREAMS)), strict=True):
            setattr(self, name, child)
        self.keyed = KeyedUniforms(int(self.keyed_root.integers(2**63)))
