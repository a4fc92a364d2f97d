"""Equipment, network, software and premises: what clerks work with and where.

SOURCES.md: every province reports deficient machines and equipment and calls for IT
infrastructure and high-speed networks; Gia Lai and Lang Son (group 7) name software
that fails to synchronise civil-status records; Lang Son (Tam Thanh, Luong Van Tri)
asks for a centralised headquarters instead of several sites. These policies change
the commune mechanisms (workstations, network, sync, sites) the scenario defines, after
a procurement or construction delay; the commune's staff conditions
(sim/abm/agents/staff_conditions.py) turn them into clerks' speed afresh every working day.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.policies.base import (
    Policy,
    check_commune_names,
    read_commune_names,
    require,
)
from sim.spec.config import Reader

if TYPE_CHECKING:
    from sim.abm.agents.commune import Commune
    from sim.abm.policy_context import PolicyContext
    from sim.spec.scenario import ScenarioSpec


class Equipment(Policy):
    """Buy workstations, upgrade the network and fix the sync software.

    Keys: ``communes``; ``workstations_per_commune`` (added; a commune whose scenario
    gives every clerk a seat keeps that); ``network_outage_probability``
    and ``network_speed`` (the values after the upgrade; null keeps the
    scenario's); ``sync_fix`` (true: civil-status sync failures fall to
    ``sync_failure_probability_after``); ``procurement_delay_days`` (from the start day
    to the day it all works); costs ``cost_vnd_per_workstation``,
    ``network_cost_vnd_per_commune_month`` (from the day it works), ``sync_fix_cost_vnd``
    (once, province-wide). Money is committed on the start day.
    """

    kind = "equipment"

    def __init__(self, name: str, reader: Reader) -> None:
        super().__init__(name, reader)
        self.names = read_commune_names(reader)
        self.workstations = reader.integer("workstations_per_commune", 0, low=0)
        self.outage = (
            reader.probability("network_outage_probability")
            if reader.has("network_outage_probability")
            else None
        )
        self.network_speed = (
            reader.number("network_speed", low=0, low_open=True, high=1.0)
            if reader.has("network_speed")
            else None
        )
        self.sync_fix = bool(reader.raw("sync_fix", False))
        self.sync_after = reader.probability("sync_failure_probability_after", 0.0)
        self.delay = reader.integer("procurement_delay_days", 0, low=0)
        self.cost_workstation = reader.number("cost_vnd_per_workstation", low=0)
        self.cost_network = reader.number("network_cost_vnd_per_commune_month", 0.0, low=0)
        self.cost_sync = reader.number("sync_fix_cost_vnd", 0.0, low=0)
        self.installed = False
        self.network_days = 0

    def validate(self, spec: ScenarioSpec) -> None:
        check_commune_names(self.names, spec, self.reader)

    def start(self, ctx: PolicyContext, day: int) -> None:
        self.communes = ctx.communes_named(self.names)
        for commune in self.communes:
            if self.workstations:
                require(commune, "workstations", self)
            if self.outage is not None or self.network_speed is not None:
                require(commune, "network_outage_probability", self)
            if self.sync_fix:
                require(commune, "sync_failure_probability", self)

    def first_effect_day(self) -> int:
        return self.start_day + self.delay

    def daily(self, ctx: PolicyContext, day: int) -> None:
        if day < self.start_day + self.delay:
            return
        if not self.installed:
            self.installed = True
            for commune in self.communes:
                if commune.workstations is not None:
                    commune.workstations += self.workstations
                if self.outage is not None:
                    commune.network_outage_probability = self.outage
                if self.network_speed is not None:
                    commune.network_speed = self.network_speed
                if self.sync_fix:
                    commune.sync_failure_probability = min(
                        commune.sync_failure_probability, self.sync_after
                    )
        if self.outage is not None or self.network_speed is not None:
            self.network_days += 1

    def cost_vnd(self, ctx: PolicyContext) -> float:
        if not self.started:
            return 0.0
        n = len(self.communes)
        return (
            n * self.workstations * self.cost_workstation
            + (self.cost_sync if self.sync_fix else 0.0)
            + n * self.network_days / (365.25 / 12) * self.cost_network
        )


class CentralHeadquarters(Policy):
    """Bring a commune's offices together on one site after a construction delay.

    Keys: ``communes`` (names, or ``all`` for every commune on more than one site),
    ``construction_days`` (from the start day), ``cost_vnd_per_commune`` (building or
    refitting, committed on the start day).
    """

    kind = "central_headquarters"

    def __init__(self, name: str, reader: Reader) -> None:
        super().__init__(name, reader)
        self.names = read_commune_names(reader)
        self.construction_days = reader.integer("construction_days", 0, low=0)
        self.cost_per_commune = reader.number("cost_vnd_per_commune", low=0)
        self.communes: list[Commune] = []
        self.done = False

    def validate(self, spec: ScenarioSpec) -> None:
        check_commune_names(self.names, spec, self.reader)

    def start(self, ctx: PolicyContext, day: int) -> None:
        for commune in ctx.communes_named(self.names):
            require(commune, "sites", self)
        self.communes = [
            c for c in ctx.communes_named(self.names) if self.names is not None or c.sites > 1
        ]

    def first_effect_day(self) -> int:
        return self.start_day + self.construction_days

    def daily(self, ctx: PolicyContext, day: int) -> None:
        if self.done or day < self.start_day + self.construction_days:
            return
        self.done = True
        for commune in self.communes:
            commune.sites = 1

    def cost_vnd(self, ctx: PolicyContext) -> float:
        return len(self.communes) * self.cost_per_commune
