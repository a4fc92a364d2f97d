"""The words a reader sees for each summary figure: label, unit and column header.

The figures are declared in sim/core/measures.py (``FIGURES``); their words live here, in
the presentation layer, in English, and go through the translation catalogue
(sim/reports/translations.yaml) like every other report text. A new figure needs its
line here and its three translations there (tests/test_language.py checks both).
"""

from __future__ import annotations

from sim.core.measures import Figure

# figure key -> (label, capitalised; unit as a reader sees it; column header for tables)
TEXT: dict[str, tuple[str, str, str]] = {
    "dossiers_created": ("Dossiers received", "dossiers", "received"),
    "dossiers_resolved": ("Dossiers resolved", "dossiers", "resolved"),
    "dossiers_open": ("Backlog at the end", "open dossiers", "backlog at end"),
    "dossiers_withdrawn": ("Dossiers withdrawn", "dossiers", "withdrawn"),
    "on_time_rate": ("On-time rate", "% of resolved", "on-time (%)"),
    "dossiers_late": ("Resolved late", "dossiers resolved after the deadline", "resolved late"),
    "overdue_open": ("Overdue at the end", "open dossiers past deadline", "overdue at end"),
    "overdue_dossiers": (
        "Overdue dossiers",
        "resolved late or open past deadline",
        "overdue dossiers",
    ),
    "mean_wait_hours": ("Mean back-office wait", "hours", "mean wait (h)"),
    "mean_reception_wait_hours": ("Mean wait at the reception desk", "hours", "reception wait (h)"),
    "mean_backoffice_wait_hours": ("Mean back-office wait", "hours", "back-office wait (h)"),
    "province_mean_wait_hours": (
        "Mean wait at provincial departments",
        "hours",
        "province wait (h)",
    ),
    "mean_working_days_to_result": (
        "Mean working days to result",
        "working days",
        "working days to result",
    ),
    "p95_working_days_to_result": (
        "p95 working days to result",
        "working days",
        "p95 working days",
    ),
    "ahead_of_deadline_rate": (
        "Ahead of deadline",
        "% of resolved, before the deadline day",
        "ahead of deadline (%)",
    ),
    "on_time_rate_ranking": (
        "On-time rate as the province ranks",
        "% of resolved + open past deadline",
        "on-time, ranking (%)",
    ),
    "mean_sojourn_hours": ("Mean time to resolution", "hours", "mean time to resolution (h)"),
    "p95_sojourn_hours": (
        "95th percentile time to resolution",
        "hours",
        "p95 time to resolution (h)",
    ),
    "mean_backlog": ("Mean backlog", "open dossiers", "mean backlog"),
    "utilization": ("Staff utilisation, all staff", "% of hours at work busy", "utilisation (%)"),
    "utilization_dossiers": ("Staff time on dossiers", "% of hours at work", "on dossiers (%)"),
    "utilization_other_duties": (
        "Staff time on other duties",
        "% of hours at work",
        "other duties (%)",
    ),
    "commune_utilization": (
        "Staff utilisation, communes",
        "% of hours at work busy",
        "commune utilisation (%)",
    ),
    "province_utilization": (
        "Staff utilisation, province",
        "% of hours at work busy",
        "province utilisation (%)",
    ),
    "online_share": ("Online share", "% of dossiers received", "online (%)"),
    "citizen_trips": ("Citizens' trips to the PASC", "trips", "citizen trips"),
    "citizen_hours": ("Citizens' hours", "hours travelling and at the counter", "citizen hours"),
    "citizen_cost_vnd": ("Citizens' cost", "VND: travel and time", "citizen cost (VND)"),
    "citizen_trips_per_dossier": ("Citizens' trips per dossier", "trips", "trips per dossier"),
    "citizen_hours_per_dossier": (
        "Citizens' hours per dossier",
        "hours",
        "citizen hours per dossier",
    ),
    "citizen_cost_vnd_per_dossier": (
        "Citizens' cost per dossier",
        "VND",
        "citizen VND per dossier",
    ),
    "policy_cost_vnd": ("Policy cost", "VND", "policy cost (VND)"),
    "policy_opportunity_cost_vnd": (
        "Policy opportunity cost",
        "VND: salaries paid anyway, moved from other work",
        "opportunity cost (VND)",
    ),
}


def _text(figure: Figure) -> tuple[str, str, str]:
    try:
        return TEXT[figure.key]
    except KeyError:
        raise KeyError(
            f"figure {figure.key!r} has no words: add its label, unit and column header to "
            "TEXT in sim/reports/figure_text.py"
        ) from None


def label(figure: Figure) -> str:
    """What a reader sees, capitalised ("On-time rate"), in English."""
    return _text(figure)[0]


def unit(figure: Figure) -> str:
    """What the number counts, as a reader sees it ("% of resolved"), in English."""
    return _text(figure)[1]


def short(figure: Figure) -> str:
    """A column header for tables, in English."""
    return _text(figure)[2]
