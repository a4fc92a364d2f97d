"""Streaming statistics inside the compiled loop: each event adds to its cell's row.

A dossier counts in the row of its commune x field cell (``d_row``) and, for the
citizen figures, in the rows of the equity groups its applicant belongs to (the last
two rows: no phone signal, over 10 km away). Time statistics (wait, sojourn, on-time
rate) count dossiers submitted after the warm-up (``d_counted``); volumes count every
dossier. sim/core/metrics.py reads the rows back as ``Tally`` figures.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from sim.core.calendar import HOURS_PER_DAY
from sim.core.dossier import ONLINE
from sim.core.measures import FIRST_WAITS
from sim.core.state import DAY, HIST_BINS, OFFICE_KINDS, P, S, T

HIST_MIN_HOURS = 0.01
HIST_RATIO = 1.02
LOG_RATIO = math.log(HIST_RATIO)
WARMUP = P["warmup_hours"]
# column numbers the compiled loop adds to, looked up in the declaration
# (sim/core/measures.py) at import: N_ counts and H_ sums of the tally rows, TODAY_ today's totals
TODAY_AHEAD = DAY["resolved_ahead"]
TODAY_ON_TIME = DAY["resolved_on_time"]
TODAY_ONLINE = DAY["online_received"]
TODAY_RECEIVED = DAY["received"]
TODAY_RESOLVED = DAY["resolved"]
TODAY_TRIPS = DAY["citizen_trips"]
TODAY_WITHDRAWN = DAY["withdrawn"]
H_CITIZEN_KM = S["citizen_km"]
H_COUNTER_HOURS = S["counter_hours"]
H_DAYS_SUM = S["days_sum"]
H_OPEN_HOURS = S["open_hours"]
H_SOJOURN_SUM = S["sojourn_sum"]
N_AHEAD = T["ahead"]
N_CITIZEN_TRIPS = T["citizen_trips"]
N_CREATED = T["created"]
N_CREATED_COUNTED = T["created_counted"]
N_ON_TIME = T["on_time"]
N_ONLINE_COUNTED = T["online_counted"]
N_RESOLVED = T["resolved"]
N_RESOLVED_COUNTED = T["resolved_counted"]
N_WITHDRAWN = T["withdrawn"]
# by kind of office (OFFICE_KINDS order): the columns its first waits go to, today's
# count and sum, then the counted dossiers' count and sum
_WAITS = [FIRST_WAITS[kind] for kind in OFFICE_KINDS]
STARTED_TODAY = tuple(DAY[w.started_today] for w in _WAITS)
WAIT_TODAY = tuple(DAY[w.wait_today] for w in _WAITS)
WAITS_COUNTED = tuple(T[w.counted] for w in _WAITS)
WAIT_SUMS = tuple(S[w.wait_sum] for w in _WAITS)


@njit(cache=True)
def hist_bin(hours):
    if hours <= HIST_MIN_HOURS:
        return 0
    index = int(math.log(hours / HIST_MIN_HOURS) / LOG_RATIO)
    return index if index < HIST_BINS else HIST_BINS - 1


@njit(cache=True)
def _rows(s, row):
    """The tally rows a dossier counts in: its cell's, then its groups' (-1: none)."""
    groups = s.t_count.shape[0] - 2
    cell = np.int64(s.d_row[row])
    no_signal = np.int64(groups if s.d_no_signal[row] else -1)
    far = np.int64(groups + 1 if s.d_far[row] else -1)
    return cell, no_signal, far


@njit(cache=True)
def on_received(s, row):
    s.today[TODAY_RECEIVED] += 1
    online = s.d_channel[row] == ONLINE
    s.today[TODAY_ONLINE] += online
    for tally in _rows(s, row):
        if tally < 0:
            continue
        s.t_count[tally, N_CREATED] += 1
        if s.d_counted[row]:
            s.t_count[tally, N_CREATED_COUNTED] += 1
            s.t_count[tally, N_ONLINE_COUNTED] += online


@njit(cache=True)
def on_carried_over(s, row):
    """A dossier open before the run: open, not received today."""
    s.t_count[s.d_row[row], N_CREATED] += 1


@njit(cache=True)
def on_trip(s, row, km):
    """The applicant travels ``km`` (there and back) for this dossier."""
    s.today[TODAY_TRIPS] += 1
    for tally in _rows(s, row):
        if tally >= 0:
            s.t_count[tally, N_CITIZEN_TRIPS] += 1
            s.t_sum[tally, H_CITIZEN_KM] += km


@njit(cache=True)
def on_counter(s, row, hours):
    """The applicant spent ``hours`` at the reception desk."""
    for tally in _rows(s, row):
        if tally >= 0:
            s.t_sum[tally, H_COUNTER_HOURS] += hours


@njit(cache=True)
def on_first_service(s, row, kind, wait):
    """First taken up at an office of ``kind`` (a code of ``OFFICE_KINDS``),
    ``wait`` hours after reaching it."""
    s.today[STARTED_TODAY[kind]] += 1
    s.today[WAIT_TODAY[kind]] += wait
    if s.d_counted[row]:
        cell = s.d_row[row]
        s.t_sum[cell, WAIT_SUMS[kind]] += wait
        s.t_count[cell, WAITS_COUNTED[kind]] += 1


@njit(cache=True)
def on_resolved(s, row, now, working_days):
    """A result at ``now``, ``working_days`` after submission."""
    s.d_live[row] = False
    s.d_resolved[row] = now
    deadline = s.d_deadline[row]
    on_time = now <= deadline
    ahead = now // HOURS_PER_DAY < deadline // HOURS_PER_DAY
    s.today[TODAY_RESOLVED] += 1
    s.today[TODAY_ON_TIME] += on_time
    s.today[TODAY_AHEAD] += ahead
    submitted = s.d_submitted[row]
    warmup = s.params[WARMUP]
    open_hours = now - (submitted if submitted > warmup else warmup)
    sojourn = now - submitted
    for tally in _rows(s, row):
        if tally < 0:
            continue
        s.t_count[tally, N_RESOLVED] += 1
        if open_hours > 0:
            s.t_sum[tally, H_OPEN_HOURS] += open_hours
        if s.d_counted[row]:
            s.t_count[tally, N_RESOLVED_COUNTED] += 1
            s.t_count[tally, N_ON_TIME] += on_time
            s.t_sum[tally, H_SOJOURN_SUM] += sojourn
            s.t_hist[tally, hist_bin(sojourn)] += 1
            s.t_count[tally, N_AHEAD] += ahead
            s.t_sum[tally, H_DAYS_SUM] += working_days
            s.t_days_hist[tally, hist_bin(working_days)] += 1


@njit(cache=True)
def on_withdrawn(s, row, now):
    s.d_live[row] = False
    s.today[TODAY_WITHDRAWN] += 1
    open_hours = now - max(s.d_submitted[row], s.params[WARMUP])
    cell = s.d_row[row]
    s.t_count[cell, N_WITHDRAWN] += 1
    if open_hours > 0:
        s.t_sum[cell, H_OPEN_HOURS] += open_hours
