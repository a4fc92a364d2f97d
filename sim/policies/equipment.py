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

import copy
from typing import TYPE_CHECKING

from sim.policies.base import (
    DAYS_PER_MONTH,
    Lever,
    Policy,
    check_commune_names,
    read_commune_amounts,
    read_commune_names,
    require,
)
from sim.policies.ledger import PROVINCE
from sim.spec.config import ConfigError, Reader

if TYPE_CHECKING:
    from sim.abm.agents.commune import Commune
    from sim.abm.policy_context import PolicyContext
    from sim.spec.scenario import ScenarioSpec


class Equipment(Policy):
    """Buy workstations, upgrade the network and fix the sync software.

    Keys: ``communes``; ``workstations_per_commune`` (added; a commune whose scenario
    gives every clerk a seat keeps that); ``workstations: {commune: n}`` (the number
    for each commune named, instead of ``workstations_per_commune`` there);
    ``network_outage_probability`` and ``network_speed`` (the values after the upgrade;
    null keeps the scenario's); ``sync_fix`` (true: civil-status sync failures fall to
    ``sync_failure_probability_after``); ``procurement_delay_days`` (from the start day
    to the day it all works); costs ``cost_vnd_per_workstation`` (committed on the start
    day; in a commune that already seats every clerk they buy nothing useful and show
    as ``workstations_not_needed``), ``network_cost_vnd_per_commune_month`` (from the
    day it works, only in communes whose network is slower or less reliable than the
    upgrade: elsewhere nothing is upgraded and nothing paid), ``sync_fix_cost_vnd``
    (once, province-wide: charged to ``province``; ``communes_per_province`` gives the
    scenario's share).
    """

    kind = "equipment"
    cost_items = ("workstations", "workstations_not_needed", "network", "sync_fix")
    lever = Lever(per_field=False)  # workstations per commune

    def __init__(self, name: str, reader: Reader) -> None:
        super().__init__(name, reader)
        self.names = read_commune_names(reader)
        self.workstations = reader.integer("workstations_per_commune", 0, low=0)
        self.per_commune = read_commune_amounts(reader, "workstations") or {}
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
        self.read_province_share()
        self.installed = False
        self.network_days = 0
        self.upgraded: list[Commune] = []  # communes whose network the upgrade improves

    def validate(self, spec: ScenarioSpec) -> None:
        check_commune_names(self.names, spec, self.reader)
        check_commune_names(list(self.per_commune), spec, self.reader, "workstations")
        outside = [n for n in self.per_commune if self.names is not None and n not in self.names]
        if outside:
            raise ConfigError(
                f"{self.reader.key('workstations')}: {outside} not in "
                f"{self.reader.key('communes')} = {self.names!r}; add them there or use "
                "communes: all"
            )

    def bought(self, commune: Commune) -> int:
        """Workstations bought for ``commune``."""
        return self.per_commune.get(commune.name, self.workstations)

    def start(self, ctx: PolicyContext, day: int) -> None:
        self.communes = ctx.communes_named(self.names)
        for commune in self.communes:
            if self.bought(commune):
                require(commune, "workstations", self)
            if self.outage is not None or self.network_speed is not None:
                require(commune, "network_outage_probability", self)
            if self.sync_fix:
                require(commune, "sync_failure_probability", self)
            self.charge_workstations(
                commune.name, self.bought(commune), needed=commune.workstations is not None
            )
        if self.sync_fix:
            self.ledger.add("sync_fix", self.cost_sync, budget=True, one_off=True)
            self.set_province_share(ctx)

    def charge_workstations(self, where: str, n: int, *, needed: bool = True) -> None:
        """``n`` workstations bought (``needed``: the commune lacks seats)."""
        self.ledger.add(
            "workstations" if needed else "workstations_not_needed",
            n * self.cost_workstation,
            budget=True,
            one_off=True,
            where=where,
        )

    def first_effect_day(self) -> int:
        return self.start_day + self.delay

    # -- as a lever: workstations per commune (network and sync upgrades left out) --------
    def charge_unit(self, days: int) -> None:
        self.charge_workstations(PROVINCE, 1)

    @classmethod
    def unit_bound(cls, config: dict, field: str, commune, max_per_commune: int) -> int:
        """The clerks without a workstation (none where every clerk has one)."""
        if commune.workstations is None:
            return 0
        return max(0, sum(g.count for g in commune.clerks) - commune.workstations)

    @classmethod
    def allocated(
        cls, config: dict, field: str, amounts: dict[str, int], communes: list[str], rule: str
    ) -> dict:
        config = copy.deepcopy(config)
        config.update(communes="all", workstations_per_commune=0, workstations=amounts)
        config.update(network_outage_probability=None, network_speed=None)
        config.update(sync_fix=False)
        return config

    def daily(self, ctx: PolicyContext, day: int) -> None:
        if day < self.start_day + self.delay:
            return
        if not self.installed:
            self.installed = True
            for commune in self.communes:
                if commune.workstations is not None:
                    commune.workstations += self.bought(commune)
                if self._improves_network(commune):
                    self.upgraded.append(commune)
                    if self.outage is not None:
                        commune.network_outage_probability = self.outage
                    if self.network_speed is not None:
                        commune.network_speed = self.network_speed
                if self.sync_fix:
                    commune.sync_failure_probability = min(
                        commune.sync_failure_probability, self.sync_after
                    )
        if self.upgraded:
            self.network_days += 1
        for commune in self.upgraded:
            self.ledger.add(
                "network",
                self.cost_network / DAYS_PER_MONTH,
                budget=True,
                one_off=False,
                where=commune.name,
            )

    def _improves_network(self, commune: Commune) -> bool:
        """The upgrade makes the commune's network faster or more reliable."""
        faster = self.network_speed is not None and commune.network_speed < self.network_speed
        steadier = self.outage is not None and commune.network_outage_probability > self.outage
        return faster or steadier


class CentralHeadquarters(Policy):
    """Bring a commune's offices together on one site after a construction delay.

    Keys: ``communes`` (names, or ``all`` for every commune on more than one site),
    ``construction_days`` (from the start day), ``cost_vnd_per_commune`` (building or
    refitting, committed on the start day).
    """

    kind = "central_headquarters"
    cost_items = ("construction",)

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
        for commune in self.communes:
            self.ledger.add(
                "construction", self.cost_per_commune, budget=True, one_off=True, where=commune.name
            )

    def first_effect_day(self) -> int:
        return self.start_day + self.construction_days

    def daily(self, ctx: PolicyContext, day: int) -> None:
        if self.done or day < self.start_day + self.construction_days:
            return
        self.done = True
        for commune in self.communes:
            commune.sites = 1
