"""GovernanceModel: one step is one calendar day of a province's communes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

import mesa
import numpy as np

from sim.abm.agents.applicant import Applicants
from sim.abm.agents.clerk import Clerk
from sim.abm.agents.commune import Commune
from sim.abm.agents.province import Province
from sim.abm.capacity import capacity_figures
from sim.abm.communes_day import CommunesDay
from sim.abm.daily import DailySeries, daily_reporters
from sim.abm.demand import Demand
from sim.abm.engine_setup import build_engine, merged_arrivals
from sim.abm.policy_context import PolicyContext
from sim.abm.seasonality import DemandSeason
from sim.abm.staff_hours import (  # noqa: F401 (STAFF, staff_utilization: for sim.runs.country)
    PROVINCE_UNIT,
    STAFF,
    staff_groups,
    staff_hours,
    staff_utilization,
)
from sim.abm.warm_start import CellSeries, carried_arrivals, closed_days_before
from sim.abm.world import World
from sim.core.calendar import HOURS_PER_DAY, make_calendar
from sim.core.dossier import IN_PERSON, IN_SERVICE, IN_TRANSIT, QUEUED, WITH_APPLICANT
from sim.core.metrics import Metrics
from sim.core.streams import Streams
from sim.core.summary import Slice, assemble, slice_figures, worst_off
from sim.spec.procedures import APPLICANT_KINDS, Catalogue
from sim.spec.scenario import ScenarioSpec


class GovernanceModel(mesa.Model):
    """Communes' PASCs and provincial departments handling administrative dossiers.

    Args:
        scenario: the ``scenario`` config block (a plain dict) or a parsed ScenarioSpec.
        seed: seed of the model's random number generator.
        start_date: calendar date of the first step.
        warmup_days: days whose submissions are left out of the time statistics.
        policies: policy objects applied at the start of each day.
        open_dossiers: dossiers open before the first day (a warm start,
            sim/abm/warm_start.py): items with commune, field, received_date, deadline_date.
        cell_series: keep daily received, resolved, backlog and overdue per commune and
            field (``cell_series()``).
    """

    def __init__(
        self,
        scenario: dict | ScenarioSpec,
        *,
        seed: int = 0,
        start_date: dt.date | str = dt.date(2025, 7, 1),
        warmup_days: int = 0,
        policies: Sequence = (),
        open_dossiers: Sequence = (),
        cell_series: bool = False,
    ) -> None:
        super().__init__(rng=int(seed))
        if isinstance(start_date, str):
            start_date = dt.date.fromisoformat(start_date)
        self.scenario_spec = (
            scenario if isinstance(scenario, ScenarioSpec) else ScenarioSpec.read(scenario)
        )
        self.start_date = start_date
        self.streams = Streams(self.rng)
        self.calendar = make_calendar(self.scenario_spec.calendar, start_date)
        self.season = DemandSeason(
            self.scenario_spec.monthly_factors,
            self.scenario_spec.lunar_new_year,
            with_tet=not self.calendar.always_open,
        )
        self.working_days_by_month: dict[str, int] = {}  # after the warm-up (capacity.csv)
        spec = self.scenario_spec
        fields = spec.fields
        self.engine, desk_index, department_office = build_engine(
            spec, self.calendar, warmup_days * HOURS_PER_DAY, self.streams.keyed.root
        )
        cells = [(c.name, f) for c in spec.communes for f in fields]
        self.metrics = Metrics(self.engine, cells, warmup_hours=warmup_days * HOURS_PER_DAY)
        self._next_uid = 0
        self.catalogue = {
            kind: Catalogue([p for p in spec.procedures if p.applicant == kind])
            for kind in APPLICANT_KINDS
            if any(p.applicant == kind for p in spec.procedures)
        }
        self.world = World(
            scenario=spec,
            calendar=self.calendar,
            engine=self.engine,
            metrics=self.metrics,
            streams=self.streams,
            start_date=start_date,
        )
        self.province = Province(self, self.world, department_office)
        self.communes = [
            Commune(self, self.world, c, m, desk_index.get(m, -1))
            for m, c in enumerate(spec.communes)
        ]
        self.populations = [p for c in self.communes for p in c.populations.values()]
        for i, population in enumerate(self.populations):
            population.index = i
        self.applicants = Applicants(self.populations)
        self.communes_day = CommunesDay(self.communes, self.world)
        self.demand = Demand(
            self.world, self.catalogue, self.communes, department_office, self.next_uid,
            self.applicants,
        )  # fmt: skip
        for commune in self.communes:
            for clerk in commune.clerks:
                clerk.unit = commune.name
        for clerk in self.province.clerks:
            clerk.unit = PROVINCE_UNIT
        self.policies = list(policies)
        self.day = -1
        self.clerks_on_duty_today = 0
        self.date = start_date
        self.policy_context = PolicyContext(
            communes=self.communes,
            province=self.province,
            calendar=self.calendar,
            rng=self.streams.policy,
            catalogue=self.catalogue,
            new_clerk=lambda skills, kind: Clerk(self, skills, kind=kind),
            now=lambda: self.engine.now,
            overdue_open=self._overdue_open_at_communes,
            date=start_date,
        )
        self.datacollector = DailySeries(daily_reporters(READINGS))
        self._carried = carried_arrivals(self, open_dossiers)
        self._closed_before = (
            closed_days_before(self.scenario_spec, start_date) if open_dossiers else []
        )
        self._cells = CellSeries(self) if cell_series else None
        if self._cells is not None and len(self._carried):
            column = self.engine.column
            for m, f in zip(column("d_commune")[self._carried], column("d_field")[self._carried],
                            strict=True):  # fmt: skip
                cell = (self.communes[m].name, fields[f])
                self._cells.carried[cell] = self._cells.carried.get(cell, 0) + 1

    def next_uid(self, n: int = 1) -> int:
        """The first of ``n`` fresh dossier numbers."""
        first = self._next_uid
        self._next_uid += n
        return first

    # -- one day -----------------------------------------------------------------------
    def step(self) -> None:
        self.day += 1
        self.date = self.start_date + dt.timedelta(days=self.day)
        self.metrics.reset_day()
        if self.day * HOURS_PER_DAY >= self.metrics.warmup_hours and self.calendar.is_working_day(
            self.day
        ):
            month = self.date.strftime("%Y-%m")
            self.working_days_by_month[month] = self.working_days_by_month.get(month, 0) + 1
        context = self.policy_context
        context.day, context.date = self.day, self.date
        for policy in self.policies:
            policy.apply(context, self.day)
        self.communes_day.start(self.day, self.date)
        self.province.start_day(self.day)
        self.clerks_on_duty_today = self._clerks_on_duty()
        arrivals = self.demand.day(self.day, self.season.factor(self.date))
        if self.day == 0 and len(self._carried):
            for date in self._closed_before:  # their visitors come on the first working day
                for times, rows in self.demand.day(0, self.season.factor(date)):
                    in_person = self.engine.column("d_channel")[rows] == IN_PERSON
                    self.engine.column("d_live")[rows[~in_person]] = False
                    arrivals.append((times[in_person], rows[in_person]))
        times, kinds, rows = merged_arrivals(arrivals, self._carried)
        self._carried = np.empty(0, dtype=np.int64)
        self.engine.run_until((self.day + 1) * HOURS_PER_DAY, times, kinds, rows)
        self._learn()
        for commune in self.communes:
            commune.end_day()
            commune.staffing.end_day()
        self.datacollector.collect(self)
        if self._cells is not None:
            self._cells.collect()

    def cell_series(self) -> dict:
        """Daily series per commune and field (``cell_series=True``; JSON-ready)."""
        if self._cells is None:
            raise ValueError("cell_series(): build the model with cell_series=True")
        return self._cells.as_dict()

    def _clerks_on_duty(self) -> int:
        """Clerks at work today: on a roster, not absent, in training or without a seat,
        and their office open today (none on weekends and holidays; every office keeps
        the model's calendar). A clerk doing its competing duties first is at work;
        reception counters are not counted."""
        if self.calendar.open_hours(self.day) <= 0:
            return 0
        column, n = self.engine.column, self.engine.n_clerks
        present = column("c_on_duty")[:n].copy()
        for commune in self.communes:
            present[commune.staffing.duty_rows] = True
        counted = present & column("c_rostered")[:n] & (column("c_fixed_hours")[:n] == 0)
        return int(np.count_nonzero(counted))

    def run(self, days: int, on_day: Callable[[], None] | None = None) -> None:
        """Step ``days`` days; ``on_day()`` is called after each (progress bars)."""
        for _ in range(days):
            self.step()
            if on_day is not None:
                on_day()

    def _learn(self) -> None:
        """Applicants whose online dossier came back on time today lean further online."""
        populations, agents = self.engine.take_log()
        if not len(populations):
            return
        key = populations.astype(np.int64) << 32 | agents
        unique, counts = np.unique(key, return_counts=True)
        self.applicants.learn(unique >> 32, unique & 0xFFFFFFFF, counts)

    # -- checks and figures ---------------------------------------------------------------
    def offices(self):
        desks = [c.desk for c in self.communes if c.desk is not None]
        return [c.office for c in self.communes] + desks + list(self.province.offices.values())

    def audit(self) -> dict[str, int]:
        """Where every dossier is: the counters and the places must agree."""
        offices = self.offices()
        total = self.metrics.total
        rows = self.metrics.open_rows()
        status = np.bincount(self.engine.column("d_status")[rows], minlength=8)
        return {
            "created": total.created,
            "resolved": total.resolved,
            "withdrawn": total.withdrawn,
            "open": len(rows),
            "queued": sum(o.queued() for o in offices),
            "in_service": sum(o.in_service() for o in offices),
            "with_applicant": self.metrics.with_applicant,
            "in_transit": self.metrics.in_transit,
            "status_queued": int(status[QUEUED]),
            "status_in_service": int(status[IN_SERVICE]),
            "status_with_applicant": int(status[WITH_APPLICANT]),
            "status_in_transit": int(status[IN_TRANSIT]),
        }

    def slices(self) -> dict[str, dict[str, Slice]]:
        """What the figures are computed from, per slice: "total" (key ""), "field", "commune".

        The open dossiers are counted once for every kind of slice.
        """
        now = self.engine.now
        window = max(now - self.metrics.warmup_hours, 1e-9)
        busy, available, duty, field_busy, field_available, field_duty = staff_hours(
            self.agents_by_type.get(Clerk, []), now
        )
        hours = {
            "total": {"": (sum(busy.values()), sum(available.values()), sum(duty.values()))},
            "field": {
                f: (field_busy.get(f, 0.0), field_available.get(f, 0.0), field_duty.get(f, 0.0))
                for f in field_available
            },
            "commune": {
                name: (busy.get(name, 0.0), available.get(name, 0.0), duty.get(name, 0.0))
                for name in busy
            },
        }
        citizen = self.scenario_spec.citizen
        rates = citizen.rates() if citizen is not None else None
        staff = {  # commune and provincial staff apart (figures only need their hours)
            name: Slice(self.metrics.total, 0.0, 0, window, b, a, d)
            for name, (b, a, d) in staff_groups(busy, available, duty).items()
        }
        return {STAFF: staff} | {
            kind: {
                name: Slice(
                    tally,
                    pending[0],
                    pending[1],
                    window,
                    *hours[kind].get(name, (0.0, 0.0, 0.0)),
                    citizen_rates=rates,
                )
                for name, (tally, pending) in sliced.items()
            }
            for kind, sliced in self.metrics.slices(now).items()
        }

    def group_slices(self) -> dict[str, Slice]:
        """The equity groups' slices (no staff hours: utilisation is not theirs)."""
        now = self.engine.now
        window = max(now - self.metrics.warmup_hours, 1e-9)
        citizen = self.scenario_spec.citizen
        rates = citizen.rates() if citizen is not None else None
        pending = self.metrics.group_pending(now)
        return {
            name: Slice(tally, *pending[name], window, 0.0, 0.0, citizen_rates=rates)
            for name, tally in self.metrics.groups.items()
        }

    def summary(self, slices: dict[str, dict[str, Slice]] | None = None) -> dict:
        """The figures of the run so far, overall, by field and by commune.

        ``slices``: the model's ``slices()`` when the caller already has them.
        """
        slices = slices or self.slices()
        result = assemble(slices)
        result.update(staff_utilization(slices[STAFF]))
        result["equity"] = {
            name: slice_figures(piece) for name, piece in self.group_slices().items()
        }
        result["worst_off_commune"] = worst_off(result["by_commune"])
        result["overdue_by_commune_field"] = self.overdue_by_commune_field()
        result["capacity"] = capacity_figures(
            self.communes,
            self.agents_by_type.get(Clerk, []),
            self.scenario_spec,
            self.working_days_by_month,
            self.metrics,
        )
        for commune in self.communes:
            figures_of = result["by_commune"][commune.name]
            for key, value in commune_events(commune).items():
                figures_of[key] = value
                result[key] = result.get(key, 0) + value
        context = self.policy_context
        result["policy_costs"] = {p.name: p.costs(context) for p in self.policies}
        costs = result["policy_costs"].values()
        result["policy_cost_vnd"] = float(sum(c["budget_vnd"] for c in costs))
        result["policy_opportunity_cost_vnd"] = float(sum(c["opportunity_vnd"] for c in costs))
        return result

    def overdue_by_commune_field(self) -> dict[str, dict[str, int]]:
        """Open dossiers past their deadline now, per commune and field (for heatmaps)."""
        grid = self.metrics.overdue_grid(self.engine.now)
        fields = self.scenario_spec.fields
        return {
            c.name: {f: int(n) for f, n in zip(fields, grid[i], strict=True)}
            for i, c in enumerate(self.communes)
        }

    def _overdue_open_at_communes(self, field: str) -> dict[str, int]:
        """Open dossiers of ``field`` past their deadline at the commune stage, per commune."""
        grid = self.metrics.overdue_grid(self.engine.now, stage=0)
        column = self.engine.field_index[field]
        return {c.name: int(grid[i, column]) for i, c in enumerate(self.communes)}

    def daily_frame(self):
        return self.datacollector.frame()


# daily.csv's columns read off the model at the end of a day (``READING`` in
# sim/core/measures.py ``DAILY``), by column name
READINGS: dict[str, Callable[[GovernanceModel], float]] = {
    "backlog": lambda m: m.metrics.open_count(),
    "overdue_open": lambda m: m.metrics.overdue_open(m.engine.now),
    "queued": lambda m: int(m.engine.column("o_queued").sum()),
    "other_duty_hours": lambda m: sum(c.staffing.duty_hours_today for c in m.communes),
    "clerks_on_duty": lambda m: m.clerks_on_duty_today,
}


def commune_events(commune: Commune) -> dict[str, int]:
    """Counts of the mechanisms' events in one commune (README "Mechanisms")."""
    staffing = commune.staffing
    return {
        **commune.counts,
        "resignations": staffing.resignations,
        "reassignments": commune.chair.moves,
        "absences": staffing.absences,
        "outage_days": staffing.outage_days,
        "hires": staffing.hires,
    }
