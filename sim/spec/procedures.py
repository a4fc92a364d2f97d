"""The procedure catalogue: what each kind of dossier needs, and work-content draws."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import special

from sim.core.hours import LONGEST_DEADLINE_WORKING_DAYS
from sim.core.state import MAX_STEPS, STEP_COMMUNE, STEP_END, STEP_SKIPPED, STEP_WAIT
from sim.spec.config import ConfigError, Reader

_EPS = 1e-12


@dataclass(frozen=True)
class WorkDistribution:
    """Work content in hours (at proficiency 1), drawn by inverse CDF from one uniform.

    One uniform per draw keeps draws paired across policies (common random numbers).
    """

    dist: str
    mean: float
    cv: float = 1.0

    def sample(self, u: np.ndarray) -> np.ndarray:
        u = np.clip(u, _EPS, 1.0 - _EPS)
        if self.dist == "exponential":
            return -self.mean * np.log1p(-u)
        if self.dist == "lognormal":
            sigma2 = np.log1p(self.cv**2)
            mu = np.log(self.mean) - sigma2 / 2
            return np.exp(mu + np.sqrt(sigma2) * special.ndtri(u))
        if self.dist == "gamma":
            shape = 1.0 / self.cv**2
            return special.gammaincinv(shape, u) * (self.mean / shape)
        return np.full_like(u, self.mean)  # fixed

    @classmethod
    def read(cls, reader: Reader) -> WorkDistribution:
        dist = reader.choice("dist", ["exponential", "lognormal", "gamma", "fixed"])
        if reader.has("rate_per_hour"):
            mean = 1.0 / reader.number("rate_per_hour", low=0, low_open=True)
        else:
            mean = reader.number("mean", low=0, low_open=True)
        cv = 1.0
        if dist in ("lognormal", "gamma"):
            cv = reader.number("cv", low=0, low_open=True)
        return cls(dist, mean, cv)


@dataclass(frozen=True)
class Step:
    """One step of a procedure's workflow after the commune's first: work at an office
    (``at``: a provincial department's name, or ``commune`` for the dossier's own
    commune back office) or a wait that is no one's work (``at`` None: public posting,
    cadastral measurement, the applicant paying fees), which may stop the statutory
    clock. ``probability``: the share of dossiers that need it."""

    name: str
    at: str | None
    work: WorkDistribution | None
    wait_working_days: tuple[float, float] = (0.0, 0.0)
    stops_clock: bool = False
    probability: float = 1.0


@dataclass(frozen=True)
class Procedure:
    """One administrative procedure (e.g. birth registration) of a field."""

    name: str
    index: int
    field: str
    applicant: str  # "citizen" or "business"
    share: float
    work: WorkDistribution
    deadline_working_days: float | None
    deadline_hours: float | None
    online_eligible: bool
    escalation_probability: float
    supplement_probability: float
    steps: tuple[Step, ...] = ()
    remote_extra_working_days: int = 0


APPLICANT_KINDS = ("citizen", "business")


def read_procedures(reader: Reader, fields: tuple[str, ...]) -> list[Procedure]:
    """Read ``scenario.procedures``: a mapping of procedure name to its parameters."""
    procedures = []
    for index, (name, item) in enumerate(reader.mapping("procedures").items()):
        field = item.choice("field", fields)
        has_days, has_hours = item.has("deadline_working_days"), item.has("deadline_hours")
        if has_days == has_hours:
            raise ConfigError(
                f"{item.path}: give exactly one of deadline_working_days or deadline_hours"
            )
        procedures.append(
            Procedure(
                name=name,
                index=index,
                field=field,
                applicant=item.choice("applicant", APPLICANT_KINDS, "citizen"),
                share=item.number("share", low=0),
                work=WorkDistribution.read(item.child("work_hours")),
                deadline_working_days=(
                    item.integer("deadline_working_days", low=0, high=LONGEST_DEADLINE_WORKING_DAYS)
                    if has_days
                    else None
                ),
                deadline_hours=item.number("deadline_hours", low=0) if has_hours else None,
                online_eligible=bool(item.raw("online_eligible", True)),
                escalation_probability=item.probability("escalation_probability", 0.0),
                supplement_probability=item.probability("supplement_probability", 0.0),
                steps=read_steps(item),
                remote_extra_working_days=item.integer(
                    "remote_extra_working_days", 0, low=0, high=LONGEST_DEADLINE_WORKING_DAYS
                ),
            )
        )
        if procedures[-1].steps and procedures[-1].escalation_probability:
            raise ConfigError(
                f"{item.key('escalation_probability')} = "
                f"{procedures[-1].escalation_probability:g} and {item.key('steps')}: give one "
                "(escalation_probability is short for one step at the field's department)",
                item.key("escalation_probability"),
            )
    if not procedures:
        raise ConfigError(f"{reader.key('procedures')}: at least one procedure is needed")
    for kind in APPLICANT_KINDS:
        if any(p.applicant == kind for p in procedures) and not sum(
            p.share for p in procedures if p.applicant == kind
        ):
            raise ConfigError(f"{reader.key('procedures')}: {kind} shares add up to 0")
    return procedures


def read_steps(item: Reader) -> tuple[Step, ...]:
    """``procedures.NAME.steps``: a mapping of step names, in order, to work steps (``at``
    and ``work_hours``) or waits (``wait_working_days``: a number or ``[low, high]``,
    drawn uniformly); a step set to null is left out (``...steps.NAME=null``)."""
    steps = []
    raw_steps = item.raw("steps", {}) or {}
    if not isinstance(raw_steps, dict):
        raise item.fail("steps", f" = {raw_steps!r}: must be a mapping of step names to steps")
    for name, value in raw_steps.items():
        if value is None:
            continue
        step = Reader(value, item.key(f"steps.{name}"))
        probability = step.probability("probability", 1.0)
        has_at, has_wait = step.has("at"), step.has("wait_working_days")
        if has_at == has_wait:
            raise ConfigError(
                f"{step.path}: give either at (an office) with work_hours, or "
                "wait_working_days (a wait that is no one's work)"
            )
        if has_at:
            steps.append(
                Step(
                    name,
                    str(step.raw("at")),
                    WorkDistribution.read(step.child("work_hours")),
                    probability=probability,
                )
            )
            continue
        raw = step.raw("wait_working_days")
        low_high = raw if isinstance(raw, list) else [raw, raw]
        if (
            len(low_high) != 2
            or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in low_high)
            or not 0 <= low_high[0] <= low_high[1] <= LONGEST_DEADLINE_WORKING_DAYS
        ):
            raise ConfigError(
                f"{step.key('wait_working_days')} = {raw!r}: must be a number of working days "
                f"or [low, high] with 0 <= low <= high <= {LONGEST_DEADLINE_WORKING_DAYS}",
                step.key("wait_working_days"),
            )
        steps.append(
            Step(
                name,
                None,
                None,
                (float(low_high[0]), float(low_high[1])),
                step.boolean("stops_clock", False),
                probability,
            )
        )
    if len(steps) > MAX_STEPS:
        raise ConfigError(
            f"{item.key('steps')}: {len(steps)} steps; at most {MAX_STEPS} after the commune's "
            "first (merge waits that follow each other)",
            item.key("steps"),
        )
    return tuple(steps)


_KINDS = ("exponential", "lognormal", "gamma", "fixed")


class WorkTable:
    """Several work distributions drawn at once: one vectorised pass per kind, not per
    distribution (a day's dossiers of one commune mix several procedures).

    Each element gets exactly what ``WorkDistribution.sample`` would give it.
    ``None`` entries draw 0 (e.g. procedures whose field has no provincial department).
    """

    def __init__(self, distributions: list[WorkDistribution | None]) -> None:
        n = len(distributions)
        self.kind = np.full(n, -1)
        self.a = np.zeros(n)  # exponential, fixed: mean; lognormal: mu; gamma: shape
        self.b = np.zeros(n)  # lognormal: sigma; gamma: scale
        for i, d in enumerate(distributions):
            if d is None:
                continue
            self.kind[i] = _KINDS.index(d.dist)
            if d.dist == "lognormal":
                sigma2 = np.log1p(d.cv**2)
                self.a[i] = np.log(d.mean) - sigma2 / 2
                self.b[i] = np.sqrt(sigma2)
            elif d.dist == "gamma":
                self.a[i] = 1.0 / d.cv**2
                self.b[i] = d.mean / self.a[i]
            else:
                self.a[i] = d.mean
        self.kinds_present = sorted(set(self.kind.tolist()))

    def sample(self, index: np.ndarray, u: np.ndarray) -> np.ndarray:
        """Work for each element: distribution ``index[j]`` at uniform ``u[j]``."""
        kinds = self.kind[index]
        work = np.zeros(len(u))
        for k in self.kinds_present:
            if k < 0:
                continue
            mask = None if len(self.kinds_present) == 1 else kinds == k
            idx = index if mask is None else index[mask]
            if not len(idx):
                continue
            uk = np.clip(u if mask is None else u[mask], _EPS, 1.0 - _EPS)
            a = self.a[idx]
            if k == 0:
                values = -a * np.log1p(-uk)
            elif k == 1:
                values = np.exp(a + self.b[idx] * special.ndtri(uk))
            elif k == 2:
                values = special.gammaincinv(a, uk) * self.b[idx]
            else:
                values = a.copy()
            if mask is None:
                work = values
            else:
                work[mask] = values
        return work


class Catalogue:
    """The procedures one kind of applicant files, as arrays for vectorised draws."""

    def __init__(self, procedures: list[Procedure]) -> None:
        self.procedures = procedures
        self.kind = procedures[0].applicant
        self.remote_extra_days = np.array(
            [p.remote_extra_working_days for p in procedures], dtype=float
        )
        shares = np.array([p.share for p in procedures], dtype=float)
        self.cumulative_share = np.cumsum(shares / shares.sum())
        self.online_eligible = np.array([p.online_eligible for p in procedures])
        self.supplement = np.array([p.supplement_probability for p in procedures])
        self.fields = np.array([p.field for p in procedures], dtype=object)
        # each procedure's deadline: in hours (-1: counted in working days instead)
        self.deadline_hours = np.array(
            [-1.0 if p.deadline_hours is None else p.deadline_hours for p in procedures]
        )
        self.deadline_days = np.array([p.deadline_working_days or 0 for p in procedures], float)
        self.work = WorkTable([p.work for p in procedures])

    def steps(self, office_of: dict[str, int]) -> Workflows:
        """The catalogue's workflows as arrays, ``at`` resolved to office numbers."""
        return Workflows(self.procedures, office_of)

    def pick(self, u: np.ndarray) -> np.ndarray:
        index = np.searchsorted(self.cumulative_share, u, side="right")
        return np.minimum(index, len(self.procedures) - 1)

    def sample_work(self, procedure_index: np.ndarray, u: np.ndarray) -> np.ndarray:
        return self.work.sample(procedure_index, u)


class Workflows:
    """Each procedure's steps after the commune's first, as (procedure x step) arrays:
    where (``STEP_*`` codes or a provincial office's number), whether it applies, and its
    work content or wait, drawn for many dossiers at once."""

    def __init__(self, procedures: list[Procedure], office_of: dict[str, int]) -> None:
        n = len(procedures)
        self.at = np.full((n, MAX_STEPS), STEP_END, dtype=np.int32)
        self.probability = np.zeros((n, MAX_STEPS))
        self.stops = np.zeros((n, MAX_STEPS), dtype=bool)
        self.wait_low = np.zeros((n, MAX_STEPS))
        self.wait_high = np.zeros((n, MAX_STEPS))
        work: list[WorkDistribution | None] = [None] * (n * MAX_STEPS)
        for i, p in enumerate(procedures):
            for k, step in enumerate(p.steps):
                self.probability[i, k] = step.probability
                if step.at is None:
                    self.at[i, k] = STEP_WAIT
                    self.stops[i, k] = step.stops_clock
                    self.wait_low[i, k], self.wait_high[i, k] = step.wait_working_days
                else:
                    self.at[i, k] = STEP_COMMUNE if step.at == "commune" else office_of[step.at]
                    work[i * MAX_STEPS + k] = step.work
        self.work = WorkTable(work)
        self.width = max((len(p.steps) for p in procedures), default=0)  # steps any has
        self.any = self.width > 0

    def draw(self, procedure_index: np.ndarray, u_needed: np.ndarray, u_amount: np.ndarray):
        """(at, amount, stops) for each dossier x step of the first ``width`` steps (the
        others are ``STEP_END`` for every procedure), from two uniforms per step."""
        width = self.width
        at = self.at[procedure_index, :width]
        needed = u_needed < self.probability[procedure_index, :width]
        at = np.where((at != STEP_END) & ~needed, STEP_SKIPPED, at)
        flat = (procedure_index[:, None] * MAX_STEPS + np.arange(width)).ravel()
        amount = self.work.sample(flat, u_amount.ravel()).reshape(at.shape)
        low = self.wait_low[procedure_index, :width]
        high = self.wait_high[procedure_index, :width]
        waits = at == STEP_WAIT
        amount = np.where(waits, low + (high - low) * u_amount, amount)
        return at, amount, self.stops[procedure_index, :width] & waits
