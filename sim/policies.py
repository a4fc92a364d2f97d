"""Policies: levers a province can pull, each with a start day, duration and cost.

A policy is a small class with ``apply(model, day)``, called at the start of every
simulated day, and ``cost_vnd(model)``. Configs in ``configs/policy/`` name the class
with ``kind`` and give its parameters; several policies compose.
"""

from __future__ import annotations

from typing import Any

from sim.config import ConfigError, Reader


class Policy:
    """Base class: a lever active from ``start_day`` for ``duration_days``."""

    kind = "policy"

    def __init__(self, name: str, reader: Reader) -> None:
        self.name = name
        self.start_day = reader.integer("start_day", 0, low=0)
        duration = reader.raw("duration_days", None)
        self.duration_days = None if duration is None else reader.integer("duration_days", low=1)

    def active(self, day: int) -> bool:
        end = None if self.duration_days is None else self.start_day + self.duration_days
        return day >= self.start_day and (end is None or day < end)

    def apply(self, model, day: int) -> None:
        """Change the model at the start of ``day``; the base policy does nothing."""

    def cost_vnd(self, model) -> float:
        return 0.0


class Baseline(Policy):
    """No intervention: the scenario as it stands."""

    kind = "baseline"


POLICY_CLASSES: dict[str, type[Policy]] = {cls.kind: cls for cls in (Baseline,)}


def build_policies(policy_cfg: dict[str, Any] | None) -> list[Policy]:
    """Policy objects from the composed ``policy`` block ({name: {kind: ..., ...}})."""
    policies = []
    for name, params in (policy_cfg or {}).items():
        reader = Reader(params, f"policy.{name}")
        kind = reader.choice("kind", POLICY_CLASSES)
        policies.append(POLICY_CLASSES[kind](name, reader))
    if not policies:
        raise ConfigError("policy: no policy selected; use policy=baseline for none")
    return policies
