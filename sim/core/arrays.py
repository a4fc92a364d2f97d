"""The state's arrays, allocated and grown, and the one object the compiled code takes.

``Arrays`` allocates every array of ``LAYOUT`` (sim/core/state.py) and grows a table
by doubling. The compiled functions take the state as a ``StructRef`` (a pointer to a
struct of arrays): a call passes one pointer whatever the number of arrays, and each
function compiles in a fraction of the time a tuple of a hundred arrays would take.
``new_state`` puts the arrays of a ``State`` tuple into a new reference (one line per
array of ``LAYOUT``; tests/test_state.py checks that they match).
"""

from __future__ import annotations

import numba
import numpy as np
from numba import njit, types
from numba.experimental import structref

from sim.core.state import (
    COMMUNE_EVENTS,
    COUNTERS,
    FILL,
    HIST_BINS,
    LAYOUT,
    MAX_STEPS,
    PARAMS,
    TALLY_COUNTS,
    TALLY_SUMS,
    TODAY,
    State,
)  # fmt: skip


@structref.register
class StateType(types.StructRef):
    """The numba type of the state: one member per array of ``LAYOUT``."""

    def preprocess_fields(self, fields):
        return tuple((name, types.unliteral(typ)) for name, typ in fields)


class StateRef(structref.StructRefProxy):
    """The state as Python holds it (passed as is to the compiled functions)."""


structref.define_boxing(StateType, StateRef)


def _array_type(dtype: str, table: str, axis: str):
    ndim = 2 if axis not in ("", "1") and table != "scalar" else 1
    return types.Array(numba.from_dtype(np.dtype(dtype)), ndim, "C")


STATE_TYPE = StateType(
    [(name, _array_type(dtype, table, axis)) for name, table, dtype, axis, _ in LAYOUT]
)


@njit(cache=True)
def new_state(t):
    """A state holding the arrays of ``t`` (a ``State`` tuple)."""
    s = structref.new(STATE_TYPE)
    s.d_live = t.d_live
    s.d_uid = t.d_uid
    s.d_commune = t.d_commune
    s.d_field = t.d_field
    s.d_row = t.d_row
    s.d_pop = t.d_pop
    s.d_agent = t.d_agent
    s.d_channel = t.d_channel
    s.d_status = t.d_status
    s.d_stage = t.d_stage
    s.d_counted = t.d_counted
    s.d_needs_supplement = t.d_needs_supplement
    s.d_complains = t.d_complains
    s.d_no_signal = t.d_no_signal
    s.d_far = t.d_far
    s.d_online_ok = t.d_online_ok
    s.d_submitted = t.d_submitted
    s.d_deadline = t.d_deadline
    s.d_deadline_hours = t.d_deadline_hours
    s.d_deadline_days = t.d_deadline_days
    s.d_work = t.d_work
    s.d_step = t.d_step
    s.d_step_at = t.d_step_at
    s.d_step_amount = t.d_step_amount
    s.d_step_stops = t.d_step_stops
    s.d_first_service = t.d_first_service
    s.d_resolved = t.d_resolved
    s.d_reworks = t.d_reworks
    s.d_supplements = t.d_supplements
    s.d_balks = t.d_balks
    s.d_u_fault = t.d_u_fault
    s.d_u_sync = t.d_u_sync
    s.d_served_skill = t.d_served_skill
    s.d_office = t.d_office
    s.d_entered = t.d_entered
    s.d_waiting_first = t.d_waiting_first
    s.d_trip_km = t.d_trip_km
    s.d_supplement_delay = t.d_supplement_delay
    s.d_complaint_hours = t.d_complaint_hours
    s.d_q_left = t.d_q_left
    s.d_q_right = t.d_q_right
    s.d_q_rank = t.d_q_rank
    s.d_q_key = t.d_q_key
    s.d_q_seq = t.d_q_seq
    s.c_office = t.c_office
    s.c_on_duty = t.c_on_duty
    s.c_rostered = t.c_rostered
    s.c_leaving = t.c_leaving
    s.c_next_office = t.c_next_office
    s.c_current = t.c_current
    s.c_job_end = t.c_job_end
    s.c_job_field = t.c_job_field
    s.c_last_field = t.c_last_field
    s.c_switch_hours = t.c_switch_hours
    s.c_speed = t.c_speed
    s.c_fixed_hours = t.c_fixed_hours
    s.c_skill = t.c_skill
    s.c_busy = t.c_busy
    s.c_busy_field = t.c_busy_field
    s.c_available = t.c_available
    s.c_present_since = t.c_present_since
    s.c_served = t.c_served
    s.c_overtime = t.c_overtime
    s.c_gone_home = t.c_gone_home
    s.c_no_seat = t.c_no_seat
    s.c_idle_next = t.c_idle_next
    s.c_idle_prev = t.c_idle_prev
    s.c_is_idle = t.c_is_idle
    s.c_at_duty = t.c_at_duty
    s.c_conditions = t.c_conditions
    s.c_modifier = t.c_modifier
    s.c_fatigue = t.c_fatigue
    s.c_own_fields = t.c_own_fields
    s.c_duty_hours = t.c_duty_hours
    s.c_window_hours = t.c_window_hours
    s.o_kind = t.o_kind
    s.o_commune = t.o_commune
    s.o_open = t.o_open
    s.o_edf = t.o_edf
    s.o_busy = t.o_busy
    s.o_on_duty = t.o_on_duty
    s.o_idle_head = t.o_idle_head
    s.o_idle_tail = t.o_idle_tail
    s.o_extra_day = t.o_extra_day
    s.o_extra_hours = t.o_extra_hours
    s.o_all_stay = t.o_all_stay
    s.o_root = t.o_root
    s.o_queued = t.o_queued
    s.o_deadline_days = t.o_deadline_days
    s.m_desk = t.m_desk
    s.m_sync_probability = t.m_sync_probability
    s.m_handoff_hours = t.m_handoff_hours
    s.m_off_site = t.m_off_site
    s.m_events = t.m_events
    s.m_received_today = t.m_received_today
    s.m_online_today = t.m_online_today
    s.m_work_today = t.m_work_today
    s.t_count = t.t_count
    s.t_sum = t.t_sum
    s.t_hist = t.t_hist
    s.t_days_hist = t.t_days_hist
    s.e_time = t.e_time
    s.e_seq = t.e_seq
    s.e_kind = t.e_kind
    s.e_arg = t.e_arg
    s.l_pop = t.l_pop
    s.l_agent = t.l_agent
    s.clock = t.clock
    s.counters = t.counters
    s.params = t.params
    s.key_root = t.key_root
    s.field_syncs = t.field_syncs
    s.today = t.today
    s.cal_starts = t.cal_starts
    s.cal_ends = t.cal_ends
    s.cal_working = t.cal_working
    s.cal_before = t.cal_before
    s.cal_opening = t.cal_opening
    return s


FIRST_OF_TABLE = {table: name for name, table, *_ in reversed(LAYOUT)}


class Arrays:
    """The arrays of one model, with their tables' sizes; ``state`` is what the
    compiled functions take (sim/core/state_ref.py; rebuilt whenever an array is
    replaced by a larger one)."""

    def __init__(
        self, n_fields: int, n_communes: int, n_offices: int, n_rows: int, clerks: int = 0
    ) -> None:
        self.widths = {
            "": None, "fields": n_fields + 1, "events": len(COMMUNE_EVENTS),
            "counts": len(TALLY_COUNTS), "sums": len(TALLY_SUMS), "bins": HIST_BINS,
            "1": None, "counters": len(COUNTERS), "params": len(PARAMS),
            "today": len(TODAY), "pair": 2, "steps": MAX_STEPS,
        }  # fmt: skip
        sizes = {
            "dossier": 1024, "clerk": max(64, clerks), "office": n_offices, "commune": n_communes,
            "tally": n_rows, "event": 1024, "log": 1024, "scalar": 1, "calendar": 1,
        }  # fmt: skip
        self.arrays: dict[str, np.ndarray] = {}
        for name, table, dtype, axis, _ in LAYOUT:
            length = sizes[table]
            if table == "scalar":
                length = self.widths[axis] or 1
                shape: tuple[int, ...] = (length,)
            else:
                width = self.widths[axis]
                shape = (length,) if width is None else (length, width)
            self.arrays[name] = np.full(shape, FILL.get(name, 0), dtype=dtype)
        self._rebuild()

    def _rebuild(self) -> None:
        self.state = new_state(State(**self.arrays))

    def size(self, table: str) -> int:
        return len(self.arrays[FIRST_OF_TABLE[table]])

    def grow(self, table: str, at_least: int) -> None:
        """Make room for ``at_least`` rows of ``table`` (doubling), keeping the content."""
        size = self.size(table)
        if at_least <= size:
            return
        new = max(at_least, 2 * size)
        for name, t, _, _, _ in LAYOUT:
            if t != table:
                continue
            old = self.arrays[name]
            array = np.full((new, *old.shape[1:]), FILL.get(name, 0), dtype=old.dtype)
            array[:size] = old
            self.arrays[name] = array
        self._rebuild()

    def replace(self, **arrays: np.ndarray) -> None:
        """Put new arrays in place (the calendar when its horizon moves)."""
        self.arrays.update(arrays)
        self._rebuild()
