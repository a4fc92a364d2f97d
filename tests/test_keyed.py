"""Keyed uniforms: numbers fixed by what they decide, so that runs stay paired."""

import numpy as np
from scipy import stats

from sim.abm.model import GovernanceModel
from sim.core.keyed import (
    ABSENCE,
    BALK_ONLINE,
    SUPPLEMENT_DELAY,
    KeyedUniforms,
    keyed_uniform,
)
from sim.policies import build_policies
from sim.spec.scenario import ScenarioSpec
from tests.helpers import resolved


def test_scalar_and_array_give_the_same_numbers():
    keyed = KeyedUniforms(2025)
    ids = np.array([0, 1, 17, 2**40, 123456789])
    assert keyed.uniforms(ABSENCE, ids, 40).tolist() == [keyed.uniform(ABSENCE, i, 40) for i in ids]


def test_the_compiled_loop_draws_the_same_numbers_as_python():
    """Balking decisions are drawn inside the compiled loop (``keyed_uniform``); they
    must be the numbers the Python version gives for the same keys, and the array
    version with two keys after the purpose (the compiled path) must match too."""
    keyed = KeyedUniforms(2**63 + 12345)  # a root above 2**63 checks unsigned wrapping
    root = np.uint64(keyed.root)
    for uid in (0, 1, 17, 2**40, 123456789):
        for attempt in (0, 1, 5):
            expected = keyed.uniform(BALK_ONLINE, uid, attempt)
            assert keyed_uniform(root, BALK_ONLINE, uid, attempt) == expected
    ids = np.array([3, 9, 2**33])
    assert keyed.uniforms(ABSENCE, ids, 7).tolist() == [keyed.uniform(ABSENCE, i, 7) for i in ids]
    assert keyed.uniforms(ABSENCE, ids, 7, 2).tolist() == [
        keyed.uniform(ABSENCE, i, 7, 2) for i in ids
    ]


def test_keyed_uniforms_are_uniform_and_independent_across_keys():
    keyed = KeyedUniforms(7)
    ids = np.arange(200_000)
    day_40 = keyed.uniforms(ABSENCE, ids, 40)
    day_41 = keyed.uniforms(ABSENCE, ids, 41)
    other = keyed.uniforms(SUPPLEMENT_DELAY, ids, 40)
    assert stats.kstest(day_40, "uniform").pvalue > 0.01
    assert 0.0 <= day_40.min() and day_40.max() < 1.0
    # consecutive days, neighbouring ids and other purposes are uncorrelated
    # (|r| < 4 standard errors of 1/sqrt(n))
    limit = 4 / np.sqrt(len(ids))
    assert abs(np.corrcoef(day_40, day_41)[0, 1]) < limit
    assert abs(np.corrcoef(day_40[:-1], day_40[1:])[0, 1]) < limit
    assert abs(np.corrcoef(day_40, other)[0, 1]) < limit
    assert KeyedUniforms(8).uniform(ABSENCE, 3, 40) != KeyedUniforms(7).uniform(ABSENCE, 3, 40)


def _run(policy_overrides: list[str], days: int = 45, seed: int = 3):
    cfg = resolved(["scenario=gia_lai_rural", *policy_overrides])
    spec = ScenarioSpec.read(cfg["scenario"])
    model = GovernanceModel(
        spec, seed=seed, start_date="2025-07-01", policies=build_policies(cfg["policy"], spec)
    )
    model.run(days)
    return model.summary()


def test_clerks_added_to_one_commune_leave_the_other_communes_absences_unchanged():
    """Four seconded specialists in ia_rbol: the other communes' clerks see the same
    absence draws, day by day, as in the baseline run of the seed."""
    base = _run([])
    seconded = _run(
        [
            "policy=[second_staff]",
            "policy.second_staff.allocation=named",
            "policy.second_staff.communes=[ia_rbol,ia_rbol,ia_rbol,ia_rbol]",
            "policy.second_staff.from_department=0",
        ]
    )
    others = [c for c in base["by_commune"] if c != "ia_rbol"]
    assert sum(base["by_commune"][c]["absences"] for c in others) > 10  # enough to compare
    for commune in others:
        assert (
            seconded["by_commune"][commune]["absences"] == base["by_commune"][commune]["absences"]
        )
    assert (
        seconded["by_commune"]["ia_rbol"]["absences"] != base["by_commune"]["ia_rbol"]["absences"]
    )


def _reference_uniform(root: int, *keys: int) -> float:
    """SplitMix64 folding in plain Python integers: the compiled copy's reference."""
    mask = (1 << 64) - 1

    def mix(z: int) -> int:
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & mask
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & mask
        return z ^ (z >> 31)

    state = root & mask
    for key in keys:
        state = mix((state + 0x9E3779B97F4A7C15 + key * 0xD1B54A32D192ED03) & mask)
    return (state >> 11) * 2.0**-53


def test_every_path_gives_the_reference_numbers():
    """One, many and compiled draws equal SplitMix64 folding written out in Python."""
    for root in (0, 2025, 2**63 + 12345, 2**64 - 1):
        keyed = KeyedUniforms(root)
        for keys in ((ABSENCE, 17, 40), (BALK_ONLINE, 2**40, 5), (SUPPLEMENT_DELAY, 3, 7, 2)):
            expected = _reference_uniform(root, *keys)
            assert keyed.uniform(*keys) == expected
            assert keyed.uniforms(keys[0], [keys[1]], *keys[2:]).tolist() == [expected]
            if len(keys) == 3:
                assert keyed_uniform(np.uint64(keyed.root), *keys) == expected
