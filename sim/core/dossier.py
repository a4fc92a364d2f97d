"""The dossier: one administrative-procedure case file, a small record (not an agent)."""

from __future__ import annotations

FIELDS: tuple[str, ...] = (
    "certification",
    "civil_status",
    "land",
    "construction",
    "business",
    "social_policy",
)
"""Field keys every scenario may use (README "What the figures mean"); scenarios may add more."""

IN_PERSON = 0
ONLINE = 1
CHANNELS = ("in_person", "online")

# status codes
QUEUED = 0
IN_SERVICE = 1
WITH_APPLICANT = 2  # returned for a supplement, waiting for the applicant
RESOLVED = 3
WITHDRAWN = 4
IN_TRANSIT = 5  # on the way to another site, a retry or a provincial department
PENDING = 6  # made, not yet received (on its way to the PASC, or a visitor who balked)


class Dossier:
    """A case file moving through commune and province offices.

    Times are simulation hours. ``first_service`` is when a clerk first started on it
    (``-1`` until then); ``office``, ``entered`` and ``waiting_first`` track the wait
    at the office it is at now (reception desk, back office, provincial department).
    ``work`` is the work content (hours at proficiency 1) of the current stage;
    ``escalate``, ``needs_supplement`` and ``province_work`` are drawn
    when the need arises, so policies compared under one seed see the same dossiers.
    ``u_fault`` and ``u_sync`` are uniforms drawn then too: a clerk's faulty work and a
    civil-status sync failure each send the dossier back once for rework when they fall
    below the probability (set to 1.0 once used). ``served_proficiency`` is the
    proficiency of the clerk who served the current stage last.
    """

    __slots__ = (
        "uid",
        "commune",
        "field",
        "procedure",
        "channel",
        "applicant",
        "submitted",
        "deadline",
        "work",
        "status",
        "first_service",
        "resolved",
        "reworks",
        "supplements",
        "escalate",
        "needs_supplement",
        "province_work",
        "stage",
        "tally",
        "counted",
        "u_fault",
        "u_sync",
        "served_proficiency",
        "complains",
        "office",
        "entered",
        "waiting_first",
        "groups",
        "balks",
    )

    def __init__(
        self,
        uid: int,
        commune: object,
        procedure: object,
        channel: int,
        applicant: object,
        submitted: float,
        deadline: float,
        work: float,
        counted: bool,
        tally: object = None,
        escalate: bool = False,
        needs_supplement: bool = False,
        province_work: float = 0.0,
        u_fault: float = 1.0,
        u_sync: float = 1.0,
        complains: bool = False,
        groups: tuple = (),
    ) -> None:
        self.uid = uid
        self.commune = commune
        self.procedure = procedure
        self.field = procedure.field
        self.channel = channel
        self.applicant = applicant
        self.submitted = submitted
        self.deadline = deadline
        self.work = work
        self.status = QUEUED
        self.first_service = -1.0
        self.resolved = -1.0
        self.reworks = 0
        self.supplements = 0
        self.escalate = escalate
        self.needs_supplement = needs_supplement
        self.province_work = province_work
        self.stage = 0  # 0 = commune, 1 = province
        self.tally = tally  # the metrics cell (commune, field) this dossier counts in
        self.counted = counted  # submitted after warm-up: enters the time statistics
        self.u_fault = u_fault
        self.u_sync = u_sync
        self.served_proficiency = 1.0
        self.complains = complains  # the applicant complains if the dossier goes overdue
        self.office: object = None  # the office (desk, back office, department) it is at
        self.entered = -1.0  # when it first reached that office
        self.waiting_first = False  # not yet taken up at that office
        self.groups = groups  # tallies of the equity groups its applicant belongs to
        self.balks = 0  # times its applicant left the desk's queue (keys the next decision)

    @property
    def on_time(self) -> bool:
        return 0.0 <= self.resolved <= self.deadline

    def __repr__(self) -> str:
        return (
            f"Dossier({self.uid}, {self.field}/{self.procedure.name}, "
            f"submitted={self.submitted:.2f}, deadline={self.deadline:.2f}, status={self.status})"
        )
