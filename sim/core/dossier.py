"""The dossier: one administrative-procedure case file, a row of the dossier table.

Its columns (``d_*`` in sim/core/state.py, listed in docs/STATE.md) hold its commune,
field, channel, times, work and status; these are the fields and codes they use.
"""

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
