"""Push online public services: more households and businesses file online.

SOURCES.md: Lang Son (group 5) and Nghe An ask to raise online public services and
online payment on the national portal; Nghe An reports low online submission. In the
model a push moves each applicant's digital propensity ``p`` towards 1:
``p -> 1 - (1 - p) * (1 - gain)``, spread evenly over ``ramp_days`` (people take time
to change habits). Online payment adds to the gain of every applicant, electronic
authentication for businesses to the gain of businesses. Applicants without phone
signal still cannot file online.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.policies.base import Policy, check_commune_names, read_commune_names
from sim.spec.config import Reader

if TYPE_CHECKING:
    from sim.abm.policy_context import PolicyContext
    from sim.spec.scenario import ScenarioSpec


class OnlinePush(Policy):
    """Campaign, online payment and business e-authentication.

    Keys: ``communes``; ``propensity_gain`` (share of the gap to certain online use
    closed by the campaign); ``online_payment`` (bool) with ``online_payment_gain``;
    ``business_e_auth`` (bool) with ``business_e_auth_gain``; ``ramp_days``; costs
    ``campaign_cost_vnd_per_commune``, ``online_payment_cost_vnd_per_commune``,
    ``e_auth_cost_vnd_per_commune`` (all committed on the start day).
    """

    kind = "online_push"

    def __init__(self, name: str, reader: Reader) -> None:
        super().__init__(name, reader)
        self.names = read_commune_names(reader)
        self.gain = reader.probability("propensity_gain")
        self.online_payment = bool(reader.raw("online_payment", False))
        self.payment_gain = reader.probability("online_payment_gain", 0.0)
        self.business_e_auth = bool(reader.raw("business_e_auth", False))
        self.e_auth_gain = reader.probability("business_e_auth_gain", 0.0)
        self.ramp_days = reader.integer("ramp_days", 1, low=1)
        self.cost_campaign = reader.number("campaign_cost_vnd_per_commune", low=0)
        self.cost_payment = reader.number("online_payment_cost_vnd_per_commune", 0.0, low=0)
        self.cost_e_auth = reader.number("e_auth_cost_vnd_per_commune", 0.0, low=0)
        self.n_communes = 0

    def validate(self, spec: ScenarioSpec) -> None:
        check_commune_names(self.names, spec, self.reader)

    def total_gain(self, kind: str) -> float:
        """Share of the gap to 1 closed for one kind of applicant by the end of the ramp."""
        keep = (1 - self.gain) * (1 - (self.payment_gain if self.online_payment else 0.0))
        if kind == "business" and self.business_e_auth:
            keep *= 1 - self.e_auth_gain
        return 1 - keep

    def start(self, ctx: PolicyContext, day: int) -> None:
        self.communes = ctx.communes_named(self.names)
        self.n_communes = len(self.communes)

    def daily(self, ctx: PolicyContext, day: int) -> None:
        if day - self.start_day >= self.ramp_days:
            return
        for commune in self.communes:
            for kind, population in commune.populations.items():
                # the same daily step, ramp_days times, closes total_gain of the gap
                step = 1 - (1 - self.total_gain(kind)) ** (1 / self.ramp_days)
                population.close_online_gap(step)

    def cost_vnd(self, ctx: PolicyContext) -> float:
        per_commune = (
            self.cost_campaign
            + (self.cost_payment if self.online_payment else 0.0)
            + (self.cost_e_auth if self.business_e_auth else 0.0)
        )
        return self.n_communes * per_commune
