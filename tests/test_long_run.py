"""Long runs: three years of a province keep only what is still open in memory.

A dossier lives in a row of the engine's dossier table (sim/core/state.py) from the
day it is made until it is resolved or withdrawn; its figures are folded into the
tally rows by then and the row is reused. The table grows by doubling when a day's new
dossiers do not fit in the free rows, so its size follows the most dossiers open at
once, not the dossiers ever made.
"""

from __future__ import annotations

import gc
import sys
import time

import numpy as np
import pytest

from sim.abm.model import GovernanceModel
from sim.policies import build_policies
from sim.runs.job_check import check_job
from tests.helpers import resolved, unresolved

DAYS = 3 * 365
CHECK_EVERY = 73  # 15 checkpoints
# The default province: 65 communes, about 1.4 million dossiers in three years (about
# 15 seconds; the pure-Python engine took a minute).
OVERRIDES = ["scenario=province"]
SECONDS = 120  # a generous ceiling: a slower machine, another job on it


@pytest.mark.slow
def test_three_year_province_run_holds_only_open_dossiers():
    job = check_job(resolved(OVERRIDES), unresolved(OVERRIDES))
    started = time.perf_counter()
    model = GovernanceModel(
        job.spec,
        seed=3,
        start_date="2025-07-01",
        policies=build_policies(job.policy_cfg, job.spec),
    )
    engine = model.engine
    live = engine.column  # re-read each time: the table is replaced when it grows
    peak = 0  # most rows needed at once: those held at the day's start + its new ones
    held = 0
    checkpoints = []
    for day in range(1, DAYS + 1):
        model.step()
        peak = max(peak, held + int(model.metrics.today("received")))
        held = int(np.count_nonzero(live("d_live")))
        if day % CHECK_EVERY:
            continue
        audit = model.audit()
        assert audit["created"] == audit["resolved"] + audit["open"] + audit["withdrawn"], audit
        assert audit["open"] == (
            audit["queued"] + audit["in_service"] + audit["with_applicant"] + audit["in_transit"]
        ), audit
        for place in ("queued", "in_service", "with_applicant", "in_transit"):
            assert audit[place] == audit[f"status_{place}"], (day, place, audit)
        size = len(live("d_live"))
        # doubling: never more than twice what was needed at once (4x for the rows of
        # visitors who balked, made but not yet received)
        assert size <= max(1024, 4 * peak), (day, size, peak)
        checkpoints.append((day, size, peak, audit["open"], audit["created"], _blocks()))
    seconds = time.perf_counter() - started
    assert seconds < SECONDS, seconds
    first_year = [c for c in checkpoints if c[0] >= 365]
    day0, size0, _, _, created0, blocks0 = first_year[0]
    day1, size1, peak1, open1, created1, blocks1 = checkpoints[-1]
    assert created1 > 2.5 * created0  # the run did go on for two more years of demand
    # rows are reused: far more dossiers were made than the table ever had rows
    assert created1 > 10 * size1, checkpoints
    assert int(live("d_uid").max()) >= created1 - 1 > size1
    # Python objects grow with the days (the daily series: a row of a few dozen numbers
    # a day), not with the dossiers (about 1,200 a day)
    assert blocks1 - blocks0 <= 100 * (day1 - day0), checkpoints


def _blocks() -> int:
    gc.collect()
    return sys.getallocatedblocks()
