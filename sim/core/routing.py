"""The path of a dossier inside the compiled loop, from the PASC to its result.

In-person visitors meet the reception desk first (when the commune has counters; a
visitor who finds a long queue switches online or comes back another day), then the
back office, after a courier hand-off when the field sits on another site. After
service a dossier may go back to its applicant for a supplement, or be redone (a faulty
result by an unskilled clerk; a civil-status record that failed to sync). Then it
follows its procedure's workflow (``d_step_*``): work at a provincial office (the land
registration branch, the tax office, ...) after a hand-off, more work at its commune,
or a wait that is no one's work (public posting, measurement, the applicant paying
fees), which may stop the statutory clock. After the last step it is resolved. The
office of commune ``m``'s back office is ``m``.
"""

from __future__ import annotations

from numba import njit

from sim.core.dossier import (
    IN_PERSON,
    IN_SERVICE,
    IN_TRANSIT,
    ONLINE,
    RESOLVED,
    WITH_APPLICANT,
    WITHDRAWN,
)
from sim.core.events import (
    EV_HANDED_OVER,
    EV_OVERDUE_CHECK,
    EV_PROVINCE,
    EV_RECEIVE,
    EV_RESUBMIT,
    EV_WAITED,
    push,
)
from sim.core.hours import (
    HOURS_PER_DAY,
    after_working_days,
    base_finish_time,
    deadline,
    extend_deadline,
    next_open,
    procedure_deadline,
    working_days_between,
)
from sim.core.keyed import BALK_ONLINE, BALK_RETURN_TIME, keyed_uniform
from sim.core.service import arrive, desk_queue
from sim.core.state import (
    EVENT,
    MAX_STEPS,
    STEP_COMMUNE,
    STEP_END,
    STEP_SKIPPED,
    STEP_WAIT,
    C,
    P,
)
from sim.core.tallies import on_carried_over, on_counter, on_received, on_resolved, on_trip
from sim.core.tallies import on_withdrawn as tally_withdrawn

IN_TRANSIT_COUNT = C["in_transit"]
WITH_APPLICANT_COUNT = C["with_applicant"]
LOG = C["log"]
ALWAYS_OPEN = P["always_open"]
REWORK_FRACTION = P["rework_fraction"]
ERROR_UNSKILLED = P["error_unskilled"]
SYNC_REWORK_FRACTION = P["sync_rework_fraction"]
SYNC_RETRY_HOURS = P["sync_retry_hours"]
PROVINCE_HANDOFF_HOURS = P["province_handoff_hours"]
BALK_LIMIT = P["balk_limit"]
BALK_ONLINE_PROBABILITY = P["balk_online"]
BETWEEN_SITES_KM = P["between_sites_km"]
BALKED = EVENT["balked"]
SWITCHED_ONLINE = EVENT["switched_online"]
COMPLAINTS = EVENT["complaints"]
FAULTY_REWORKS = EVENT["faulty_reworks"]
SYNC_FAILURES = EVENT["sync_failures"]
AFTER_DEADLINE = 1e-6
ROW_BITS = 32  # an overdue check's argument: (dossier number << 32) | row


@njit(cache=True)
def trip(s, row):
    """The applicant comes to the PASC and goes home: one trip, there and back."""
    on_trip(s, row, s.d_trip_km[row])


@njit(cache=True)
def receive(s, row, now):
    """The PASC receives a dossier: its deadline starts, and it goes to an office."""
    commune = s.d_commune[row]
    desk = s.m_desk[commune]
    at_desk = s.d_channel[row] == IN_PERSON and desk >= 0
    if at_desk and _queue_too_long(s, desk):
        if not _switched_online(s, row, now):
            return  # comes back another day
        at_desk = False
    s.d_submitted[row] = now
    s.d_deadline[row] = procedure_deadline(s, row, now)
    on_received(s, row)
    field = s.d_field[row]
    if s.d_counted[row]:
        s.m_work_today[commune, field] += s.d_work[row]
    if s.d_channel[row] == IN_PERSON:
        trip(s, row)
        if s.m_off_site[commune, field]:  # and on to the site that handles it
            on_trip(s, row, 2.0 * s.params[BETWEEN_SITES_KM])
    s.m_received_today[commune] += 1
    s.m_online_today[commune] += s.d_channel[row] == ONLINE
    if s.d_complains[row]:
        check = (s.d_uid[row] << ROW_BITS) | row
        push(s, s.d_deadline[row] + AFTER_DEADLINE, EV_OVERDUE_CHECK, check)
    if at_desk:
        arrive(s, desk, row, now)
    else:
        to_back_office(s, row, now)


@njit(cache=True)
def carry_over(s, row, now):
    """A dossier open before the run (a warm start) joins its back office's queue."""
    on_carried_over(s, row)
    arrive(s, s.d_commune[row], row, now)


@njit(cache=True)
def _queue_too_long(s, desk):
    limit = s.params[BALK_LIMIT]
    if limit < 0.0:
        return False
    waiting = s.o_queued[desk, desk_queue(s)]
    return waiting >= limit * max(1, s.o_on_duty[desk])


@njit(cache=True)
def _switched_online(s, row, now):
    """A visitor who finds a long queue switches online (True: the dossier is received
    now, online) or comes back another day (False: its return is scheduled)."""
    commune = s.d_commune[row]
    root, uid, attempt = s.key_root[0], s.d_uid[row], s.d_balks[row]
    u_online = keyed_uniform(root, BALK_ONLINE, uid, attempt)
    u_time = keyed_uniform(root, BALK_RETURN_TIME, uid, attempt)
    s.d_balks[row] += 1
    s.m_events[commune, BALKED] += 1
    trip(s, row)  # came, saw the queue, left
    if u_online < s.params[BALK_ONLINE_PROBABILITY] and s.d_online_ok[row]:
        s.m_events[commune, SWITCHED_ONLINE] += 1
        s.d_channel[row] = ONLINE
        return True
    tomorrow = (int(now // HOURS_PER_DAY) + 1) * HOURS_PER_DAY
    day = int(next_open(s, tomorrow) // HOURS_PER_DAY)
    midnight = day * HOURS_PER_DAY
    if s.params[ALWAYS_OPEN]:
        start, end = midnight, midnight + HOURS_PER_DAY
    else:
        start, end = midnight + s.cal_opening[0, 0], midnight + s.cal_opening[0, 1]
    push(s, start + u_time * (end - start), EV_RECEIVE, row)
    return False


@njit(cache=True)
def leave_desk(s, row, now):
    """A visitor done at the counter: the hours there count for the citizen figures."""
    on_counter(s, row, now - s.d_entered[row])
    to_back_office(s, row, now)


@njit(cache=True)
def to_back_office(s, row, now):
    """Into the back office, via a courier when the field sits on another site."""
    commune = s.d_commune[row]
    if s.m_off_site[commune, s.d_field[row]]:
        _in_transit(s, row)
        done = base_finish_time(s, now, s.m_handoff_hours[commune])
        push(s, done, EV_HANDED_OVER, row)
    else:
        arrive(s, commune, row, now)


@njit(cache=True)
def _in_transit(s, row):
    s.counters[IN_TRANSIT_COUNT] += 1
    s.d_status[row] = IN_TRANSIT


@njit(cache=True)
def handed_over(s, row, now):
    s.counters[IN_TRANSIT_COUNT] -= 1
    arrive(s, s.d_commune[row], row, now)


@njit(cache=True)
def route(s, row, now):
    """Where a dossier goes when a commune clerk has finished with it."""
    commune = s.d_commune[row]
    if s.d_needs_supplement[row] and s.d_supplements[row] == 0:
        _request_supplement(s, row, now)
        return
    error = s.params[ERROR_UNSKILLED]
    if error > 0.0 and s.d_u_fault[row] < error * (1.0 - min(1.0, s.d_served_skill[row])):
        s.d_u_fault[row] = 1.0  # a faulty result is caught and redone at once
        s.d_reworks[row] += 1
        s.d_work[row] *= s.params[REWORK_FRACTION]
        s.m_events[commune, FAULTY_REWORKS] += 1
        arrive(s, commune, row, now)
        return
    field = s.d_field[row]
    if s.d_u_sync[row] < s.m_sync_probability[commune] and s.field_syncs[field]:
        s.d_u_sync[row] = 1.0  # the record failed to sync with the portal: redo it later
        s.d_reworks[row] += 1
        s.d_work[row] *= s.params[SYNC_REWORK_FRACTION]
        s.m_events[commune, SYNC_FAILURES] += 1
        _in_transit(s, row)
        push(s, now + s.params[SYNC_RETRY_HOURS], EV_HANDED_OVER, row)
        return
    next_step(s, row, now)


@njit(cache=True)
def next_step(s, row, now):
    """The dossier's workflow goes on: a provincial office after the hand-off, its own
    commune's back office, a wait, or, after the last step, its result."""
    k = s.d_step[row]
    while k < MAX_STEPS and s.d_step_at[row, k] == STEP_SKIPPED:
        k += 1
    if k >= MAX_STEPS or s.d_step_at[row, k] == STEP_END:
        s.d_step[row] = k
        resolve(s, row, now)
        return
    s.d_step[row] = k + 1
    at = s.d_step_at[row, k]
    amount = s.d_step_amount[row, k]
    if at == STEP_WAIT:
        if s.d_step_stops[row, k]:
            extend_deadline(s, row, amount)
        _in_transit(s, row)
        push(s, after_working_days(s, now, amount), EV_WAITED, row)
    elif at == STEP_COMMUNE:
        s.d_stage[row] = 0
        s.d_work[row] = amount
        arrive(s, s.d_commune[row], row, now)
    else:
        _in_transit(s, row)
        push(s, now + s.params[PROVINCE_HANDOFF_HOURS], EV_PROVINCE, row)


@njit(cache=True)
def waited(s, row, now):
    """A wait of the workflow is over."""
    s.counters[IN_TRANSIT_COUNT] -= 1
    next_step(s, row, now)


@njit(cache=True)
def province_receive(s, row, now):
    """A dossier reaches the provincial office of its workflow's step, whose own
    deadline, if it has one, replaces the commune's."""
    s.counters[IN_TRANSIT_COUNT] -= 1
    k = s.d_step[row] - 1
    office = s.d_step_at[row, k]
    s.d_stage[row] = 1
    s.d_work[row] = s.d_step_amount[row, k]
    days = s.o_deadline_days[office]
    if days >= 0.0:
        s.d_deadline[row] = deadline(s, now, days)
    arrive(s, office, row, now)


@njit(cache=True)
def _request_supplement(s, row, now):
    delay = s.d_supplement_delay[row]
    if delay < 0.0:  # the applicant gives up
        withdraw(s, row, now)
        return
    s.d_status[row] = WITH_APPLICANT
    s.d_supplements[row] += 1
    s.counters[WITH_APPLICANT_COUNT] += 1
    back = now + delay
    if s.d_channel[row] == IN_PERSON:
        back = next_open(s, back)
    push(s, back, EV_RESUBMIT, row)


@njit(cache=True)
def resubmit(s, row, now):
    """The completed dossier comes back; the statutory clock restarts."""
    s.counters[WITH_APPLICANT_COUNT] -= 1
    if s.d_channel[row] == IN_PERSON:
        trip(s, row)  # brings the missing papers
    s.d_deadline[row] = procedure_deadline(s, row, now)
    s.d_work[row] *= s.params[REWORK_FRACTION]
    arrive(s, s.d_commune[row], row, now)


@njit(cache=True)
def resolve(s, row, now):
    """The result: tallies, the applicant's trip to collect it, its experience (logged
    for the day's learning when it came online on time)."""
    s.d_status[row] = RESOLVED
    days = working_days_between(s, s.d_submitted[row], now) if s.d_counted[row] else 0.0
    on_resolved(s, row, now, days)
    if s.d_channel[row] == IN_PERSON:
        trip(s, row)
    elif 0.0 <= now <= s.d_deadline[row]:
        n = s.counters[LOG]
        if n < len(s.l_pop):
            s.l_pop[n] = s.d_pop[row]
            s.l_agent[n] = s.d_agent[row]
            s.counters[LOG] = n + 1


@njit(cache=True)
def withdraw(s, row, now):
    s.d_status[row] = WITHDRAWN
    tally_withdrawn(s, row, now)


@njit(cache=True)
def overdue_check(s, check, now):
    """An applicant whose dossier is overdue complains: answering it is extra work."""
    row = check & ((1 << ROW_BITS) - 1)
    if s.d_uid[row] != check >> ROW_BITS or not s.d_live[row]:
        return  # resolved or withdrawn (its row may hold another dossier now)
    if s.d_deadline[row] >= now:  # the clock restarted after a supplement
        push(s, s.d_deadline[row] + AFTER_DEADLINE, EV_OVERDUE_CHECK, check)
        return
    s.m_events[s.d_commune[row], COMPLAINTS] += 1
    if s.d_status[row] != IN_SERVICE:
        s.d_work[row] += s.d_complaint_hours[row]
