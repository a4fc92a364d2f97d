"""Long runs: three years of a province keep only what is still open in memory.

Resolved dossiers are folded into the tallies of ``sim.core.metrics``; the only dossier
objects alive at any time are the open ones and those a pending event still names (a
deadline check scheduled at the statutory deadline, at most a few weeks ahead).
"""

from __future__ import annotations

import gc
import sys

import pytest

from sim.abm.model import GovernanceModel
from sim.core.dossier import Dossier
from sim.policies import build_policies
from sim.runs.job_check import check_job
from tests.helpers import resolved, unresolved

DAYS = 3 * 365
CHECK_EVERY = 73  # 15 checkpoints
# The default province: 65 communes, about 1.2 million dossiers in three years (a
# couple of minutes).
OVERRIDES = ["scenario=province"]


def _explained(model: GovernanceModel) -> set[int]:
    """Ids of the dossiers the model has reason to hold: open, or named by an event."""
    held = {id(d) for d in model.metrics.open_dossiers.values()}
    held.update(id(a) for a in model.engine.pending_arguments() if type(a) is Dossier)
    return held


@pytest.mark.slow
def test_three_year_province_run_holds_only_open_dossiers():
    job = check_job(resolved(OVERRIDES), unresolved(OVERRIDES))
    model = GovernanceModel(
        job.spec,
        seed=3,
        start_date="2025-07-01",
        policies=build_policies(job.policy_cfg, job.spec),
    )
    checkpoints = []
    for day in range(1, DAYS + 1):
        model.step()
        if day % CHECK_EVERY:
            continue
        gc.collect()
        live = [o for o in gc.get_objects() if type(o) is Dossier]
        explained = _explained(model)
        assert {id(d) for d in live} == explained, f"day {day}: dossiers held for no reason"
        audit = model.audit()
        assert audit["created"] == audit["resolved"] + audit["open"] + audit["withdrawn"]
        checkpoints.append((day, len(live), audit["open"], audit["created"], _blocks()))
        del live
    first_year = [c for c in checkpoints if c[0] >= 365]
    day0, live0, _, created0, blocks0 = first_year[0]
    day1, live1, _, created1, blocks1 = checkpoints[-1]
    assert created1 > 2.5 * created0  # the run did go on for two more years of demand
    # memory after three years: what the first year had, plus what the change in held
    # dossiers explains (a dossier with its tallies' references is a handful of
    # blocks), plus the daily series (one row of a dozen numbers per day)
    explained_growth = 40 * max(0, live1 - live0) + 40 * (day1 - day0)
    assert blocks1 - blocks0 <= explained_growth, checkpoints


def _blocks() -> int:
    gc.collect()
    return sys.getallocatedblocks()
