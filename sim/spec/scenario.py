"""Scenario specification: the validated, typed form of ``cfg.scenario``."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from sim.core.dossier import FIELDS
from sim.core.hours import LONGEST_DEADLINE_WORKING_DAYS
from sim.core.queues import DISCIPLINES
from sim.spec.behaviour import ApplicantBehaviour
from sim.spec.calendar_config import read_calendar
from sim.spec.citizen_costs import CitizenCosts
from sim.spec.communes_file import read_communes_file
from sim.spec.config import ConfigError, Reader
from sim.spec.demand_rate import dossiers_per_unit_per_year
from sim.spec.mechanisms import EquipmentRules, LunarNewYear, PremisesRules, StaffRules
from sim.spec.procedures import (
    APPLICANT_KINDS,
    Procedure,
    Step,
    WorkDistribution,
    read_procedures,
)
from sim.spec.synthetic import expand


@dataclass(frozen=True)
class ClerkGroup:
    """``count`` clerks with the same skills."""

    count: int
    skills: dict[str, float]
    switch_hours: float


@dataclass(frozen=True)
class CommuneSpec:
    """One commune's size, staff and conditions; every condition is optional and neutral.

    ``workstations`` None means one per clerk; ``signal_coverage`` None takes the
    applicants' scenario-wide figure. ``name`` is the ASCII id outputs are keyed by;
    ``display_name`` is what reports show (with Vietnamese diacritics, e.g. "Kỳ Lừa").
    """

    name: str
    households: float
    businesses: float
    arrivals_per_hour: float | None
    clerks: tuple[ClerkGroup, ...]
    workstations: int | None = None
    sites: int = 1
    reception_counters: int = 0
    network_outage_probability: float = 0.0
    network_speed: float = 1.0
    sync_failure_probability: float = 0.0
    signal_coverage: float | None = None
    distance_km_mean: float = 0.0
    remote: bool = False  # a remote or difficult commune: longer statutory land deadlines
    province: str = ""
    display_name: str = ""
    # calibration to observed statistics (sim.calibrate); neutral by default
    demand_factors: tuple[tuple[str, float], ...] = ()  # field -> factor on its needs
    capacity_factors: tuple[tuple[str, float], ...] = ()  # field -> factor on clerks' speed
    demand_trend_per_day: float = 0.0  # needs grow by exp(trend x day of the run)
    initial_fatigue: float = 0.0  # clerks' fatigue on the first day (a warm start)

    @property
    def label(self) -> str:
        """The name a reader sees: the display name, else the id with spaces."""
        return self.display_name or self.name.replace("_", " ")


def display_names(spec: object) -> dict[str, str]:
    """Commune id -> display name, for the communes of ``spec`` that have one."""
    return {c.name: c.display_name for c in getattr(spec, "communes", ()) if c.display_name}


@dataclass(frozen=True)
class DepartmentSpec:
    """A provincial office with its own staff and queues: a department named by the
    field it serves (``land``), or an office serving several (``tax``: ``fields``)."""

    name: str
    fields: tuple[str, ...]
    staff: int
    proficiency: float
    work: WorkDistribution | None
    deadline_working_days: int | None = None


@dataclass(frozen=True)
class ScenarioSpec:
    name: str
    calendar: dict
    dispatch: str
    fields: tuple[str, ...]
    procedures: tuple[Procedure, ...]
    dossiers_per_unit_per_year: dict[str, float]
    monthly_factors: tuple[float, ...]
    behaviour: dict[str, ApplicantBehaviour]
    rework_fraction: float
    communes: tuple[CommuneSpec, ...]
    departments: dict[str, DepartmentSpec] = field(default_factory=dict)
    handoff_hours: float = 0.0
    staff: StaffRules = StaffRules()
    equipment: EquipmentRules = EquipmentRules()
    premises: PremisesRules = PremisesRules()
    lunar_new_year: LunarNewYear = LunarNewYear()
    citizen: CitizenCosts | None = None
    same_day_cutoff_hour: float = 0.0  # 0: none

    @classmethod
    def read(cls, data: dict) -> ScenarioSpec:
        r = Reader(expand(data), "scenario")  # synthetic scenarios draw their communes
        raw_fields = r.raw("fields", list(FIELDS))
        if (
            not isinstance(raw_fields, list)
            or not raw_fields
            or not all(isinstance(f, str) and f.isidentifier() and f.islower() for f in raw_fields)
            or len(set(raw_fields)) != len(raw_fields)
        ):
            raise r.fail(
                "fields",
                f" = {raw_fields!r}: must be a non-empty list of distinct lower-case "
                "snake_case names, e.g. [certification, land]",
            )
        fields = tuple(raw_fields)
        procedures = read_procedures(r, fields)
        demand = r.child("demand", {})
        applicants = r.child("applicants", {})
        behaviour = {
            kind: ApplicantBehaviour.read(applicants.child(kind, {}))
            for kind in APPLICANT_KINDS
            if any(p.applicant == kind for p in procedures)
        }
        if r.has("communes_file"):
            r.raw("communes", None)  # the file replaces the scenario's YAML communes
            path = str(r.raw("communes_file"))
            rows = read_communes_file(path, fields, r.child("communes_file_options", {}))
            communes = tuple(
                read_commune(Reader(row, f"{path} row {n}"), fields)
                for n, row in enumerate(rows, start=2)
            )
        else:
            communes = tuple(read_commune(c, fields) for c in r.items("communes"))
        if not communes:
            raise ConfigError("scenario.communes = []: at least one commune is needed")
        names = [c.name for c in communes]
        if len(set(names)) != len(names):
            raise ConfigError(f"scenario.communes: commune names repeat: {names}")
        province = r.child("province", {})
        departments = read_departments(province, fields)
        procedures = [with_workflow(p, departments) for p in procedures]
        factors = tuple(demand.raw("monthly_factors", [1.0] * 12))
        if len(factors) != 12 or any(
            isinstance(f, bool) or not isinstance(f, int | float) or f < 0 for f in factors
        ):
            raise ConfigError(
                f"scenario.demand.monthly_factors = {list(factors)}: "
                "must be 12 numbers >= 0 (January to December)"
            )
        return cls(
            name=str(r.raw("name")),
            calendar=read_calendar(r.child("calendar", {})),
            dispatch=r.choice("dispatch", DISCIPLINES, "fifo"),
            fields=fields,
            procedures=tuple(procedures),
            dossiers_per_unit_per_year=dossiers_per_unit_per_year(demand, APPLICANT_KINDS),
            monthly_factors=tuple(float(f) for f in factors),
            behaviour=behaviour,
            rework_fraction=r.number("rework_fraction", 0.5, low=0),
            communes=communes,
            departments=departments,
            handoff_hours=province.number("handoff_hours", 0.0, low=0),
            staff=StaffRules.read(r.child("staff", {}), fields),
            equipment=EquipmentRules.read(r.child("equipment", {}), fields),
            premises=PremisesRules.read(r.child("premises", {}), fields),
            lunar_new_year=LunarNewYear.read(demand.child("lunar_new_year", {})),
            citizen=CitizenCosts.read(r.child("citizen")) if r.has("citizen") else None,
            same_day_cutoff_hour=(
                r.number("same_day_cutoff_hour", low=0, low_open=True, high=24)
                if r.has("same_day_cutoff_hour")
                else 0.0
            ),
        )


def read_commune(c: Reader, fields: tuple[str, ...]) -> CommuneSpec:
    """One entry of ``scenario.communes`` (also the form generated scenarios produce)."""
    groups = []
    for g in c.items("clerks"):
        skills = g.raw("skills")
        if not isinstance(skills, dict) or not skills:
            raise ConfigError(f"{g.key('skills')} = {skills!r}: must map fields to proficiency")
        skill_reader = Reader(skills, g.key("skills"))
        for name in skills:
            if name not in fields:
                raise ConfigError(
                    f"{g.key('skills')}.{name}: unknown field; allowed: {', '.join(fields)}"
                )
        groups.append(
            ClerkGroup(
                count=g.integer("count", low=0),
                skills={name: skill_reader.number(name, low=0) for name in skills},
                switch_hours=g.number("switch_hours", 0.0, low=0),
            )
        )
    if not any(g.count > 0 and any(p > 0 for p in g.skills.values()) for g in groups):
        key = c.key("clerks[0].count" if len(groups) == 1 else "clerks")
        shown = groups[0].count if len(groups) == 1 else [g.count for g in groups]
        raise ConfigError(
            f"{key} = {shown}: commune {c.data.get('name')!r} needs at least one clerk "
            "with a proficiency > 0",
            key,
        )
    return CommuneSpec(
        name=str(c.raw("name")),
        households=c.number("households", 0.0, low=0),
        businesses=c.number("businesses", 0.0, low=0),
        arrivals_per_hour=(
            c.number("arrivals_per_hour", low=0) if c.has("arrivals_per_hour") else None
        ),
        clerks=tuple(groups),
        workstations=c.integer("workstations", low=0) if c.has("workstations") else None,
        sites=c.integer("sites", 1, low=1),
        reception_counters=c.integer("reception_counters", 0, low=0),
        network_outage_probability=c.probability("network_outage_probability", 0.0),
        network_speed=c.number("network_speed", 1.0, low=0, low_open=True, high=1),
        sync_failure_probability=c.probability("sync_failure_probability", 0.0),
        signal_coverage=(c.probability("signal_coverage") if c.has("signal_coverage") else None),
        distance_km_mean=c.number("distance_km_mean", 0.0, low=0),
        remote=c.boolean("remote", False),
        province=str(c.raw("province", "")),
        display_name=_display_name(c),
        demand_factors=_field_factors(c, "demand_factors", fields),
        capacity_factors=_field_factors(c, "capacity_factors", fields),
        demand_trend_per_day=c.number("demand_trend_per_day", 0.0, low=-0.1, high=0.1),
        initial_fatigue=c.probability("initial_fatigue", 0.0),
    )


def _field_factors(c: Reader, key: str, fields: tuple[str, ...]) -> tuple[tuple[str, float], ...]:
    """``demand_factors`` or ``capacity_factors`` of a commune: field -> factor > 0."""
    if not c.has(key) or c.raw(key) is None:
        return ()
    value = c.raw(key)
    if not isinstance(value, dict):
        raise c.fail(key, f" = {value!r}: must map fields to factors, e.g. {{land: 0.8}}")
    reader = Reader(value, c.key(key))
    for name in value:
        if name not in fields:
            raise ConfigError(f"{c.key(key)}.{name}: unknown field; allowed: {', '.join(fields)}")
    return tuple((name, reader.number(name, low=0, low_open=True)) for name in value)


def _display_name(c: Reader) -> str:
    """``display_name`` of a commune entry: any non-empty text; "" when not given."""
    if not c.has("display_name"):
        return ""
    value = c.raw("display_name")
    if not isinstance(value, str) or not value.strip():
        raise c.fail(
            "display_name", f" = {value!r}: must be non-empty text, e.g. display_name: Kỳ Lừa"
        )
    return value.strip()


def unserved_fields(spec: ScenarioSpec) -> list[tuple[int, str, str]]:
    """(commune index, commune, field) where dossiers arrive that no clerk there can serve.

    Such dossiers would wait for ever, so a scenario with one is refused before it runs
    (unless a policy sends staff of that field, which the job check decides).
    """
    shares: dict[str, dict[str, float]] = {}
    for p in spec.procedures:
        if p.share > 0:
            kinds = shares.setdefault(p.field, {})
            kinds[p.applicant] = kinds.get(p.applicant, 0.0) + p.share
    found = []
    for index, commune in enumerate(spec.communes):
        units = {"citizen": commune.households, "business": commune.businesses}
        for name in spec.fields:
            kinds = shares.get(name, {})
            arrives = any(
                commune.arrivals_per_hour is not None
                and commune.arrivals_per_hour > 0
                or units.get(kind, 0.0) * spec.dossiers_per_unit_per_year.get(kind, 0.0) > 0
                for kind in kinds
            )
            served = any(g.count > 0 and g.skills.get(name, 0.0) > 0 for g in commune.clerks)
            if arrives and not served:
                found.append((index, commune.name, name))
    return found


def read_departments(province: Reader, fields: tuple[str, ...]) -> dict[str, DepartmentSpec]:
    """``scenario.province.departments``: each its own office, staff and queues."""
    departments = {}
    for name, item in province.mapping("departments", {}).items():
        if item.has("fields"):
            served = item.raw("fields")
            if not isinstance(served, list) or not served or any(f not in fields for f in served):
                raise item.fail(
                    "fields",
                    f" = {served!r}: must be a non-empty list of fields, of: {', '.join(fields)}",
                )
        elif name in fields:
            served = [name]
        else:
            raise item.fail(
                "fields",
                f" is missing: {name!r} is not a field, so say which fields' dossiers it "
                f"handles, e.g. fields: [land] (fields: {', '.join(fields)})",
            )
        departments[name] = DepartmentSpec(
            name=name,
            fields=tuple(served),
            staff=item.integer("staff", low=0),
            proficiency=item.number("proficiency", 1.0, low=0, low_open=True),
            work=WorkDistribution.read(item.child("work_hours"))
            if item.has("work_hours")
            else None,
            deadline_working_days=(
                item.integer("deadline_working_days", low=0, high=LONGEST_DEADLINE_WORKING_DAYS)
                if item.has("deadline_working_days")
                else None
            ),
        )
    return departments


def with_workflow(p: Procedure, departments: dict[str, DepartmentSpec]) -> Procedure:
    """The procedure with its steps checked against the departments; an
    ``escalation_probability`` becomes one step at its field's department."""
    key = f"scenario.procedures.{p.name}"
    if p.escalation_probability > 0:
        department = departments.get(p.field)
        if department is None or department.work is None:
            raise ConfigError(
                f"{key}.escalation_probability = {p.escalation_probability:g}: field "
                f"{p.field!r} has no provincial department with work_hours in "
                "scenario.province.departments to escalate to",
                f"{key}.escalation_probability",
            )
        step = Step("province", p.field, department.work, probability=p.escalation_probability)
        p = dataclasses.replace(p, steps=(step,))
    for step in p.steps:
        if step.at is None or step.at == "commune":
            continue
        department = departments.get(step.at)
        if department is None:
            raise ConfigError(
                f"{key}.steps.{step.name}.at = {step.at!r}: no such office; allowed: commune, "
                f"{', '.join(departments) or '(no scenario.province.departments)'}",
                f"{key}.steps.{step.name}.at",
            )
        if p.field not in department.fields:
            raise ConfigError(
                f"{key}.steps.{step.name}.at = {step.at!r}: that office handles "
                f"{', '.join(department.fields)}, not {p.field!r}; add {p.field} to "
                f"scenario.province.departments.{step.at}.fields",
                f"{key}.steps.{step.name}.at",
            )
        if department.staff < 1 and step.probability > 0:
            staff_key = f"scenario.province.departments.{step.at}.staff"
            raise ConfigError(
                f"{staff_key} = {department.staff}: must be >= 1, since procedure {p.name!r} "
                "sends dossiers to it",
                staff_key,
            )
    return p
