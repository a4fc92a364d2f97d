"""Commune: its PASC's offices, staff, applicants and conditions, day by day.

The path of a dossier (sim/core/routing.py, in the compiled loop): in-person visitors
meet the reception desk first (when the commune has counters; they may leave a long
queue and come back another day, or switch online), then the back office, after a
courier hand-off when the field sits on another headquarters site. After service it may
go back to the applicant for a supplement, be redone (a faulty result by an unskilled
clerk; a civil-status record that failed to sync), go up to the province, or be
resolved. The commune sets the conditions that path reads each day.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

import mesa

from sim.abm.agents.applicant import Business, Citizen, Population
from sim.abm.agents.chair import Chair
from sim.abm.agents.clerk import Clerk
from sim.abm.agents.reception import CounterClerk
from sim.abm.agents.staff_conditions import StaffConditions
from sim.core.office import BACK_OFFICE, DESK, Office
from sim.core.state import COMMUNE_EVENTS
from sim.spec.procedures import APPLICANT_KINDS


@functools.lru_cache(maxsize=64)
def _month(date: dt.date) -> str:
    """``YYYY-MM`` of ``date`` (every commune asks each day)."""
    return date.strftime("%Y-%m")


if TYPE_CHECKING:
    import datetime as dt

    from sim.abm.world import World
    from sim.spec.scenario import CommuneSpec

AGENT_CLASSES = {"citizen": Citizen, "business": Business}


class Commune(mesa.Agent):
    """A commune (or ward) and its Public Administration Service Center.

    Conditions a policy may change during a run: ``workstations`` (None: one per clerk),
    ``network_speed`` (alias ``network_speed_factor``), ``network_outage_probability``,
    ``sync_failure_probability``, ``sites``, ``site_handoff_hours``. They take effect at
    the next working day's start, or at once after ``refresh_speed()``.

    Args:
        model: the Mesa model the commune and its agents register with.
        world: what the commune uses of its model (sim/abm/world.py).
        spec: the commune's part of the scenario.
        index: its row in the engine's commune arrays (and its back office's).
        desk_index: the office row of its reception desk (used if it has counters).
    """

    def __init__(
        self, model: mesa.Model, world: World, spec: CommuneSpec, index: int, desk_index: int
    ) -> None:
        super().__init__(model)
        self.name = spec.name
        self.spec = spec
        self.world = world
        self.index = index
        scenario = world.scenario
        self.calendar = world.calendar
        engine = self.engine = world.engine
        self.office = Office(
            f"commune:{spec.name}", index, BACK_OFFICE, self.calendar, engine, scenario.dispatch,
            commune=index,
        )  # fmt: skip
        self.desk: Office | None = None
        if spec.reception_counters:
            self.desk = Office(
                f"reception:{spec.name}", desk_index, DESK, self.calendar, engine, "fifo",
                commune=index,
            )  # fmt: skip
            engine.column("m_desk")[index] = desk_index
            for _ in range(spec.reception_counters):
                counter = CounterClerk(model, scenario.premises.reception_hours)
                counter.unit = spec.name
                self.desk.add_clerk(counter)
        self.populations = {
            kind: Population(
                AGENT_CLASSES[kind],
                self._units(kind),
                scenario.behaviour[kind],
                world.streams.population,
                signal_coverage=spec.signal_coverage,
                distance_km_mean=spec.distance_km_mean,
            )
            for kind in scenario.behaviour
        }
        self.needs_per_day = self._needs_per_day(scenario)
        for group in spec.clerks:
            for _ in range(group.count):
                self.office.add_clerk(Clerk(model, group.skills, group.switch_hours))
        for clerk in self.office.clerks:  # a warm start: the overload the history shows
            clerk.fatigue = spec.initial_fatigue
        self.workstations = spec.workstations
        self.network_speed = spec.network_speed
        self.network_outage_probability = spec.network_outage_probability
        self.sync_failure_probability = spec.sync_failure_probability
        self.sites = spec.sites
        self.site_handoff_hours = scenario.premises.site_handoff_hours
        self.staffing = StaffConditions(self, world)
        self.chair = Chair(self, world)
        self.month = world.start_date.strftime("%Y-%m")
        self.sync_factor = 1.0  # share of sync failures left today (software fixes)
        self.work_received: dict[tuple[str, str], float] = {}  # (month, field), after warm-up
        self._lent_workstations: set[Clerk] = set()  # clerks who brought their own

    # -- set-up --------------------------------------------------------------------
    def _units(self, kind: str) -> float:
        if self.spec.arrivals_per_hour is not None:
            return 1.0
        return self.spec.households if kind == "citizen" else self.spec.businesses

    def _needs_per_day(self, scenario) -> dict[str, float]:
        """Expected needs per calendar day, by applicant kind, before seasonality."""
        if self.spec.arrivals_per_hour is not None:
            shares = {
                k: sum(p.share for p in scenario.procedures if p.applicant == k)
                for k in APPLICANT_KINDS
            }
            total = sum(shares.values())
            return {
                k: 24.0 * self.spec.arrivals_per_hour * shares[k] / total
                for k in scenario.behaviour
            }
        return {
            kind: self._units(kind) * scenario.dossiers_per_unit_per_year[kind] / 365.0
            for kind in scenario.behaviour
        }

    @property
    def clerks(self) -> list[Clerk]:
        return self.office.clerks

    @property
    def sites(self) -> int:
        return self._sites

    @sites.setter
    def sites(self, value: int) -> None:
        """On several sites, ``premises.off_site_fields`` sit away from the PASC desk."""
        self._sites = max(1, int(value))
        premises = self.world.scenario.premises
        off_site = self.engine.column("m_off_site")[self.index]
        off_site[:] = False
        for field in premises.off_site_fields if self._sites > 1 else ():
            off_site[self.engine.field_index[field]] = True

    @property
    def site_handoff_hours(self) -> float:
        return float(self.engine.column("m_handoff_hours")[self.index])

    @site_handoff_hours.setter
    def site_handoff_hours(self, value: float) -> None:
        self.engine.column("m_handoff_hours")[self.index] = value

    @property
    def counts(self) -> dict[str, int]:
        """Counts of the loop's events here: balked, switched online, complaints, ..."""
        row = self.engine.column("m_events")[self.index]
        return {name: int(n) for name, n in zip(COMMUNE_EVENTS, row, strict=True)}

    @property
    def network_speed_factor(self) -> float:
        return self.network_speed

    @network_speed_factor.setter
    def network_speed_factor(self, value: float) -> None:
        self.network_speed = value

    def refresh_speed(self) -> None:
        """Recompute every clerk's speed now, after a policy changed the conditions."""
        self.staffing.refresh()

    # -- staff who come and go (policies) ------------------------------------------------
    def assign(self, clerk: Clerk, own_workstation: bool = False) -> None:
        """Put a clerk on this commune's roster, once it has finished any job elsewhere.

        With ``own_workstation`` the clerk brings its own (a lent laptop), so a commune
        short of computers does not seat it at the expense of its own clerks; the
        workstation leaves with the clerk (``release``).
        """
        clerk.unit = self.name
        if own_workstation and self.workstations is not None:
            self.workstations += 1
            self._lent_workstations.add(clerk)
        clerk.after_current_job(self.office)

    def release(self, clerk: Clerk) -> None:
        """Take a clerk off this commune's roster (after the job in hand), with its seat."""
        clerk.after_current_job(None)  # cancel a pending arrival
        if clerk in self.office.clerks:
            self.office.remove_clerk(clerk)
        if clerk in self._lent_workstations:
            self._lent_workstations.discard(clerk)
            self.workstations -= 1

    # -- each day --------------------------------------------------------------------
    def start_month(self, date: dt.date, sync_factor: float) -> None:
        """The month the day's work is counted in, and today's sync failures (the share
        left by software fixes, ``sync_factor``). The rest of the start of a day is done
        for every commune at once (sim/abm/communes_day.py)."""
        self.month = _month(date)
        self.sync_factor = sync_factor
        self.engine.column("m_sync_probability")[self.index] = (
            self.sync_failure_probability * self.sync_factor
        )

    def hear_from_neighbours(self) -> None:
        """Yesterday's online share makes the channel more familiar to every applicant."""
        received = self.engine.column("m_received_today")
        online = self.engine.column("m_online_today")
        if received[self.index]:
            share = online[self.index] / received[self.index]
            for population in self.populations.values():
                population.hear_from_neighbours(share)
        received[self.index] = online[self.index] = 0

    def end_day(self) -> None:
        """Fold today's work received (after the warm-up) into the month's."""
        work = self.engine.column("m_work_today")[self.index]
        if work.any():
            for field, i in self.engine.field_index.items():
                if work[i]:
                    key = (self.month, field)
                    self.work_received[key] = self.work_received.get(key, 0.0) + work[i]
            work[:] = 0.0
