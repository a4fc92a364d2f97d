"""The model's state as arrays: one table per kind of thing (struct of arrays).

Dossiers, clerks, offices, communes, tallies and pending events each live in NumPy
arrays, preallocated and grown by doubling; the compiled service loop
(sim/core/kernel.py) reads and writes them, and the agents (Mesa ``Agent``s) hold
indices into them. ``LAYOUT`` below is the documented layout: every array, its table,
its dtype and its meaning; ``docs/STATE.md`` shows it as a table
(``layout_table()``; ``python -m sim.core.state`` prints that page).

A dossier's row is reused once the dossier is resolved or withdrawn (its tallies are
folded in by then), so memory follows the open dossiers, not the dossiers ever made;
``d_uid`` is its number for the keyed uniforms and outputs.
"""

from __future__ import annotations

from collections import namedtuple

from sim.core.measures import COUNT, DAILY, READING, SUM, TALLY, TODAY_MEAN, Daily

# codes of ``o_kind``: the kinds of office, in this order
OFFICE_KINDS = ("back_office", "desk", "province")
BACK_OFFICE, DESK, PROVINCE = range(len(OFFICE_KINDS))

# a workflow's steps after the commune's first (``d_step_at``): an office number (a
# provincial office), or one of these codes
STEP_COMMUNE = -1  # work at the dossier's own commune back office
STEP_WAIT = -2  # a wait that is no one's work (public posting, measurement, paying fees)
STEP_END = -3  # no further step
STEP_SKIPPED = -4  # a step this dossier does not need (its probability said no)
MAX_STEPS = 8  # steps a procedure may have after the commune's first

# tables and how many rows each has (second axes: "fields" = scenario fields + reception)
TABLES = {
    "dossier": "one row per open dossier (rows reused)",
    "clerk": "one row per member of staff ever created (commune, desk and department)",
    "office": "commune back offices (index = commune), then desks, then the province",
    "commune": "one row per commune",
    "tally": "one row per commune x field cell, then one per equity group",
    "event": "pending events, a binary heap on (time, sequence)",
    "log": "today's online results on time (applicant learning, done after the day)",
    "scalar": "fixed-size vectors: clock, counters, parameters, today's totals",
    "calendar": "open intervals and working days up to the calendar's horizon",
}

# (name, table, dtype, second axis, meaning)
LAYOUT: tuple[tuple[str, str, str, str, str], ...] = (
    ("d_live", "dossier", "bool", "", "row holds a dossier not yet resolved or withdrawn"),
    ("d_uid", "dossier", "int64", "", "dossier number (keys its uniforms)"),
    ("d_commune", "dossier", "int32", "", "commune index"),
    ("d_field", "dossier", "int32", "", "field index"),
    ("d_row", "dossier", "int32", "", "tally row of its commune x field cell"),
    ("d_pop", "dossier", "int32", "", "applicant population (commune x kind) index"),
    ("d_agent", "dossier", "int32", "", "applicant agent index in its population"),
    ("d_channel", "dossier", "int8", "", "0 in person, 1 online"),
    ("d_status", "dossier", "int8", "", "QUEUED, IN_SERVICE, ... (sim/core/dossier.py)"),
    ("d_stage", "dossier", "int8", "", "0 at its commune, 1 at a provincial office"),
    ("d_counted", "dossier", "bool", "", "submitted after the warm-up"),
    ("d_needs_supplement", "dossier", "bool", "", "returned once for a supplement"),
    ("d_complains", "dossier", "bool", "", "its applicant complains when it is overdue"),
    ("d_no_signal", "dossier", "bool", "", "equity group: applicant without signal"),
    ("d_far", "dossier", "bool", "", "equity group: applicant over 10 km away"),
    ("d_online_ok", "dossier", "bool", "", "may switch online (eligible, with signal)"),
    ("d_submitted", "dossier", "float64", "", "hour received (statutory clock start)"),
    ("d_deadline", "dossier", "float64", "", "hour of its deadline"),
    ("d_deadline_hours", "dossier", "float64", "", "deadline in hours (-1: working days)"),
    ("d_deadline_days", "dossier", "float64", "", "deadline in working days"),
    ("d_work", "dossier", "float64", "", "work content of the current stage (hours)"),
    ("d_step", "dossier", "int8", "", "its workflow's next step after the commune's first"),
    ("d_step_at", "dossier", "int32", "steps", "each step's office (STEP_* codes or an office)"),
    (
        "d_step_amount",
        "dossier",
        "float64",
        "steps",
        "a step's work (hours) or wait (working days)",
    ),
    ("d_step_stops", "dossier", "bool", "steps", "a wait that stops the statutory clock"),
    ("d_first_service", "dossier", "float64", "", "hour a clerk first started (-1)"),
    ("d_resolved", "dossier", "float64", "", "hour resolved (-1)"),
    ("d_reworks", "dossier", "int32", "", "times redone (faulty work, sync failure)"),
    ("d_supplements", "dossier", "int32", "", "times returned for a supplement"),
    ("d_balks", "dossier", "int32", "", "times its applicant left the desk's queue"),
    ("d_u_fault", "dossier", "float64", "", "uniform: faulty work (1 once used)"),
    ("d_u_sync", "dossier", "float64", "", "uniform: sync failure (1 once used)"),
    ("d_served_skill", "dossier", "float64", "", "proficiency of the clerk who served it"),
    ("d_office", "dossier", "int32", "", "office it is at (-1 none)"),
    ("d_entered", "dossier", "float64", "", "hour it first reached that office"),
    ("d_waiting_first", "dossier", "bool", "", "not yet taken up at that office"),
    ("d_trip_km", "dossier", "float64", "", "km of one trip to the PASC, there and back"),
    ("d_supplement_delay", "dossier", "float64", "", "hours to answer a supplement (-1 gives up)"),
    ("d_complaint_hours", "dossier", "float64", "", "extra work a complaint adds"),
    ("d_q_left", "dossier", "int64", "", "queue heap: left child row (-1)"),
    ("d_q_right", "dossier", "int64", "", "queue heap: right child row (-1)"),
    ("d_q_rank", "dossier", "int32", "", "queue heap: leftist rank"),
    ("d_q_key", "dossier", "float64", "", "queue key: arrival here (FIFO) or deadline (EDF)"),
    ("d_q_seq", "dossier", "int64", "", "queue tie-break: order of joining"),
    ("c_office", "clerk", "int32", "", "office it is rostered at or working for (-1)"),
    ("c_on_duty", "clerk", "bool", "", "available for new work (not absent, training...)"),
    ("c_rostered", "clerk", "bool", "", "on its office's roster"),
    ("c_leaving", "clerk", "bool", "", "leaves the office once the job in hand is done"),
    ("c_next_office", "clerk", "int32", "", "office it joins after the job in hand (-1)"),
    ("c_current", "clerk", "int64", "", "row of the dossier in hand (-1)"),
    ("c_job_end", "clerk", "float64", "", "hour the job in hand ends"),
    ("c_job_field", "clerk", "int32", "", "field its hours were counted under"),
    ("c_last_field", "clerk", "int32", "", "field of its last job (-1)"),
    ("c_switch_hours", "clerk", "float64", "", "extra hours when it turns to another field"),
    ("c_speed", "clerk", "float64", "", "today's conditions x policies' modifiers"),
    ("c_fixed_hours", "clerk", "float64", "", "hours per file whatever its work (counters)"),
    ("c_skill", "clerk", "float64", "fields", "proficiency per field (0: not handled)"),
    ("c_busy", "clerk", "float64", "", "busy hours, counted when a job starts"),
    ("c_busy_field", "clerk", "float64", "fields", "busy hours per field"),
    ("c_available", "clerk", "float64", "", "open hours at work so far"),
    ("c_present_since", "clerk", "float64", "", "hour presence began (-1: not present)"),
    ("c_served", "clerk", "int64", "", "jobs started"),
    ("c_overtime", "clerk", "bool", "", "works its office's overtime today"),
    ("c_gone_home", "clerk", "bool", "", "sent home at the ordinary closing"),
    ("c_no_seat", "clerk", "bool", "", "off duty today for want of a workstation"),
    ("c_idle_next", "clerk", "int32", "", "next clerk in its office's idle list (-1)"),
    ("c_idle_prev", "clerk", "int32", "", "previous clerk in the idle list (-1)"),
    ("c_is_idle", "clerk", "bool", "", "in its office's idle list"),
    ("c_at_duty", "clerk", "bool", "", "doing its competing duties today (day level)"),
    ("c_conditions", "clerk", "float64", "", "today's working conditions (day level)"),
    ("c_modifier", "clerk", "float64", "", "product of its policies' speed modifiers"),
    ("c_fatigue", "clerk", "float64", "", "0 rested .. 1 worn out by sustained overload"),
    ("c_own_fields", "clerk", "int64", "", "bit f set: field f is one of its own fields"),
    ("c_duty_hours", "clerk", "float64", "", "hours of competing duties so far"),
    ("c_window_hours", "clerk", "float64", "", "after warm-up: open less duty hours x speed"),
    ("o_kind", "office", "int8", "", "OFFICE_KINDS: 0 back office, 1 reception desk, 2 province"),
    ("o_commune", "office", "int32", "", "its commune (-1: province)"),
    ("o_open", "office", "bool", "", "open now"),
    ("o_edf", "office", "bool", "", "earliest deadline first (else FIFO)"),
    ("o_busy", "office", "int32", "", "clerks with a job in hand"),
    ("o_on_duty", "office", "int32", "", "rostered clerks on duty"),
    ("o_idle_head", "office", "int32", "", "first idle clerk (-1)"),
    ("o_idle_tail", "office", "int32", "", "last idle clerk (-1)"),
    ("o_extra_day", "office", "int32", "", "day of its overtime (-1)"),
    ("o_extra_hours", "office", "float64", "", "hours kept open after closing that day"),
    ("o_all_stay", "office", "bool", "", "every clerk works the overtime"),
    ("o_root", "office", "int64", "fields", "queue heap root row per field (-1)"),
    ("o_queued", "office", "int64", "fields", "dossiers waiting per field"),
    ("o_deadline_days", "office", "float64", "", "a department's own deadline (-1 keep)"),
    ("m_desk", "commune", "int32", "", "its reception desk office (-1: none)"),
    ("m_sync_probability", "commune", "float64", "", "sync failure chance today"),
    ("m_handoff_hours", "commune", "float64", "", "courier hours to another site"),
    ("m_off_site", "commune", "bool", "fields", "field sits on another site"),
    ("m_events", "commune", "int64", "events", "balked, switched online, complaints, ..."),
    ("m_received_today", "commune", "int64", "", "dossiers received today"),
    ("m_online_today", "commune", "int64", "", "of them online"),
    ("m_work_today", "commune", "float64", "fields", "work received today (after warm-up)"),
    ("t_count", "tally", "int64", "counts", "integer tallies (TALLY_COUNTS)"),
    ("t_sum", "tally", "float64", "sums", "hour and km tallies (TALLY_SUMS)"),
    ("t_hist", "tally", "int64", "bins", "sojourn hours, log-spaced bins"),
    ("t_days_hist", "tally", "int64", "bins", "working days to result, log-spaced bins"),
    ("e_time", "event", "float64", "", "hour of the event"),
    ("e_seq", "event", "int64", "", "order of scheduling (ties)"),
    ("e_kind", "event", "int32", "", "what happens (EV_* in sim/core/events.py)"),
    ("e_arg", "event", "int64", "", "dossier row, clerk or office it concerns"),
    ("l_pop", "log", "int32", "", "population of an online result on time"),
    ("l_agent", "log", "int32", "", "agent of it"),
    ("clock", "scalar", "float64", "1", "now (hours since hour 0)"),
    ("counters", "scalar", "int64", "counters", "heap size, sequence, log size, ..."),
    ("params", "scalar", "float64", "params", "the scenario's rules (P_* constants)"),
    ("key_root", "scalar", "uint64", "1", "root of the run's keyed uniforms"),
    ("field_syncs", "scalar", "bool", "fields", "field's records sync to the portal"),
    ("today", "scalar", "float64", "today", "today's totals (DAY_* constants)"),
    ("cal_starts", "calendar", "float64", "", "open interval starts (hours)"),
    ("cal_ends", "calendar", "float64", "", "open interval ends (hours)"),
    ("cal_working", "calendar", "bool", "", "per day: a working day"),
    ("cal_before", "calendar", "int64", "", "per day: working days before it"),
    ("cal_opening", "calendar", "float64", "pair", "a working day's open periods"),
)


def today_totals(columns: tuple[Daily, ...]) -> tuple[str, ...]:
    """Today's totals the daily columns read, in the order they first name them."""
    names: list[str] = []
    for column in columns:
        wanted = (column.per, column.of) if column.source == TODAY_MEAN else (column.total,)
        if column.source != READING:
            names += [n for n in wanted if n not in names]
    return tuple(names)


# second axes with fixed sizes (the tally columns and today's totals: sim/core/measures.py)
TALLY_COUNTS = tuple(c.name for c in TALLY if c.kind == COUNT)
TALLY_SUMS = tuple(c.name for c in TALLY if c.kind == SUM)
COMMUNE_EVENTS = ("balked", "switched_online", "complaints", "faulty_reworks", "sync_failures")
COUNTERS = (
    "heap", "sequence", "log", "in_transit", "with_applicant", "queue_sequence",
    "calendar_overflow",
)  # fmt: skip
PARAMS = (
    "always_open", "warmup_hours", "rework_fraction", "error_unskilled",
    "sync_rework_fraction", "sync_retry_hours", "province_handoff_hours", "balk_limit",
    "balk_online", "between_sites_km", "daily_open_hours", "same_day_cutoff",
)  # fmt: skip
TODAY = today_totals(DAILY)
HIST_BINS = 820  # sojourn histogram: 0.01 h to about 1.1e5 h at 2% resolution

State = namedtuple("State", [entry[0] for entry in LAYOUT])  # noqa: PYI024

FILL = {  # a new row's values where zero is wrong
    "d_q_left": -1, "d_q_right": -1, "d_first_service": -1.0, "d_resolved": -1.0,
    "d_office": -1, "d_entered": -1.0, "d_u_fault": 1.0, "d_u_sync": 1.0,
    "d_served_skill": 1.0, "d_deadline_hours": -1.0, "d_supplement_delay": -1.0,
    "c_office": -1, "c_next_office": -1, "c_current": -1, "c_last_field": -1,
    "c_speed": 1.0, "c_conditions": 1.0, "c_modifier": 1.0, "c_present_since": -1.0,
    "c_idle_next": -1, "c_idle_prev": -1,
    "o_idle_head": -1, "o_idle_tail": -1, "o_extra_day": -1, "o_root": -1, "m_desk": -1,
    "o_commune": -1, "o_deadline_days": -1.0, "d_step_at": STEP_END,
}  # fmt: skip


def _index(names: tuple[str, ...]) -> dict[str, int]:
    return {name: i for i, name in enumerate(names)}


T = _index(TALLY_COUNTS)
S = _index(TALLY_SUMS)
C = _index(COUNTERS)
P = _index(PARAMS)
DAY = _index(TODAY)
EVENT = _index(COMMUNE_EVENTS)


def layout_table() -> str:
    """The layout as a Markdown table (docs/ARCHITECTURE.md)."""
    lines = ["| array | table | dtype | second axis | meaning |", "|---|---|---|---|---|"]
    for name, table, dtype, axis, meaning in LAYOUT:
        lines.append(f"| `{name}` | {table} | {dtype} | {axis} | {meaning} |")
    return "\n".join(lines)


def layout_page() -> str:
    """docs/STATE.md: the tables and every array."""
    tables = "\n".join(f"| {table} | {rows} |" for table, rows in TABLES.items())
    return PAGE.format(tables=tables, arrays=layout_table())


PAGE = """# The state's arrays

The model's state lives in NumPy arrays, one table per kind of thing (struct of
arrays), preallocated and grown by doubling (`sim/core/arrays.py`). The compiled event
loop (`sim/core/kernel.py` and the modules it calls) reads and writes them; the agents
(`sim/abm/`) hold row numbers into them and change them between days. This page is
generated from `LAYOUT` in `sim/core/state.py` (`python -m sim.core.state` prints it;
`tests/test_state_layout.py` fails when the two differ).

## Tables

| table | rows |
|---|---|
{tables}

## Arrays

{arrays}
"""

if __name__ == "__main__":
    print(layout_page(), end="")
