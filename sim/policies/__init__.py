"""Policies: levers a province can pull, each with a start day, duration and cost.

A policy is a small class with ``apply(context, day)``, called at the start of every
simulated day, and ``cost_vnd(context)``; ``context`` is the narrow view of the model
in sim/abm/policy_context.py (policies never see the model itself, and act only
through explicit methods of communes, offices, clerks and the province). Configs in
``configs/policy/`` name the class with ``kind`` and give its parameters; several
compose (``policy=[second_staff,training]``) and are applied in the order of the
``policy`` block. Randomness inside a policy comes only from ``context.rng`` (the
model's policy stream), so a policy never shifts the citizens' demand.
"""

from __future__ import annotations

from typing import Any

from sim.policies.base import Policy
from sim.policies.equipment import CentralHeadquarters, Equipment
from sim.policies.online import OnlinePush
from sim.policies.operations import Overtime, Priority
from sim.policies.staffing import ContractStaff, SecondStaff, SharedSpecialist
from sim.policies.training import Training
from sim.spec.config import ConfigError, Reader


class Baseline(Policy):
    """No intervention: the scenario as it stands."""

    kind = "baseline"

    def __init__(self, name: str, reader: Reader) -> None:
        super().__init__(name, reader)
        reader.number("cost_vnd", 0.0, low=0, high=0)  # nothing is spent, by definition


POLICY_CLASSES: dict[str, type[Policy]] = {
    cls.kind: cls
    for cls in (
        Baseline,
        SecondStaff,
        ContractStaff,
        Training,
        Equipment,
        OnlinePush,
        SharedSpecialist,
        Overtime,
        Priority,
        CentralHeadquarters,
    )
}


def no_policy() -> tuple[str, dict]:
    """The ``(name, config)`` pair of a run without intervention."""
    return Baseline.kind, {"kind": Baseline.kind, "cost_vnd": 0}


def levers() -> tuple[str, ...]:
    """The policy kinds an optimiser may fund (their class declares a ``lever``)."""
    return tuple(kind for kind, cls in POLICY_CLASSES.items() if cls.lever is not None)


def build_policies(policy_cfg: dict[str, Any] | None, spec=None) -> list[Policy]:
    """Policy objects from the composed ``policy`` block ({name: {kind: ..., ...}}).

    With a scenario ``spec``, each policy is also checked against it (fields, communes),
    so a bad name fails before the run rather than on the policy's start day.
    """
    policies = []
    for name, params in (policy_cfg or {}).items():
        reader = Reader(params, f"policy.{name}")
        kind = reader.choice("kind", POLICY_CLASSES)
        policy = POLICY_CLASSES[kind](name, reader)
        if spec is not None:
            policy.validate(spec)
        policies.append(policy)
    if not policies:
        raise ConfigError("policy: no policy selected; use policy=baseline for none")
    return policies


__all__ = ["POLICY_CLASSES", "Baseline", "Policy", "build_policies", "levers", "no_policy"]
