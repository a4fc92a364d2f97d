"""Sensitivity analysis: known Sobol indices, the demand-only check, the command's files."""

from __future__ import annotations

import math
import subprocess

import numpy as np
import pandas as pd
import pytest

from sim.reports.caveats import caveat_lines, sensitivity_line
from sim.spec.uncertainty import Range, Uncertainty
from sim.studies.sensitivity import (
    MORRIS_COLUMNS,
    SOBOL_COLUMNS,
    Settings,
    kept_factors,
    sobol,
)
from tests.helpers import command, loopback_cluster


def sensitivity(*args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    """``python -m sim.sensitivity ARGS`` as a user types it, from the repository root."""
    return command("sim.sensitivity", *args, timeout=timeout)


def ishigami_ranges() -> Uncertainty:
    """Three factors uniform on [-pi, pi], as configs/uncertainty/ would give them."""
    ranges = tuple(
        Range(f"x{i}", "uniform", -math.pi, math.pi, "demand", "Ishigami test function")
        for i in (1, 2, 3)
    )
    targets = {f"x{i}": (f"scenario.x{i}",) for i in (1, 2, 3)}
    defaults = {f"scenario.x{i}": 0.0 for i in (1, 2, 3)}
    return Uncertainty(ranges, (), targets, defaults)


def test_sobol_indices_of_the_ishigami_function_match_their_known_values():
    """Ishigami (a=7, b=0.1) through the same sampling, mapping and analysis as the
    model: S1 = (0.314, 0.442, 0), ST = (0.558, 0.442, 0.244), here at N = 1024
    (5,120 evaluations), each index within 0.05."""
    uncertainty = ishigami_ranges()

    def evaluate(points: np.ndarray) -> dict[str, np.ndarray]:
        values = [uncertainty.parameters(point) for point in points]
        x1, x2, x3 = (np.array([v[f"x{i}"] for v in values]) for i in (1, 2, 3))
        return {"y": np.sin(x1) + 7 * np.sin(x2) ** 2 + 0.1 * x3**4 * np.sin(x1)}

    table, points, _ = sobol(uncertainty, evaluate, Settings(samples=1024, resamples=200))
    assert len(points) == 1024 * 5
    found = table.set_index("parameter")
    for name, s1, st in (("x1", 0.3139, 0.5576), ("x2", 0.4424, 0.4424), ("x3", 0.0, 0.2437)):
        assert found.loc[name, "S1"] == pytest.approx(s1, abs=0.05), name
        assert found.loc[name, "ST"] == pytest.approx(st, abs=0.05), name
    assert list(table.columns[: len(SOBOL_COLUMNS)]) == SOBOL_COLUMNS


def test_morris_keeps_factors_near_the_largest_effect_and_at_most_top():
    rows = [("a", "p", 100.0), ("a", "q", 12.0), ("a", "r", 9.0), ("b", "r", 5.0),
            ("b", "s", 1.0), ("b", "t", 0.0)]  # fmt: skip
    table = pd.DataFrame(rows, columns=["output", "parameter", "mu_star"])
    assert kept_factors(table, share=0.1, top=10) == ["p", "r", "s", "q"]  # s: 20% of b's 5
    assert kept_factors(table, share=0.1, top=2) == ["p", "r"]


def test_the_command_writes_its_files_on_a_tiny_setting(tmp_path):
    """Morris, then Sobol after screening, on scenario=mmc: CSVs with the issue's columns,
    plots and a report naming the parameters that matter."""
    common = ["scenario=mmc", "run.days=5", "run.workers=1", "sensitivity.samples=2"]
    morris_dir, sobol_dir = tmp_path / "2026-12-02_10-00-00_mmc", tmp_path / "sobol"
    assert "python -m sim.sensitivity scenario=mmc" in sensitivity_line("mmc", tmp_path)
    done = sensitivity(*common, f"hydra.run.dir={morris_dir}")
    assert done.returncode == 0, done.stderr
    table = pd.read_csv(morris_dir / "sensitivity.csv")
    assert list(table.columns) == MORRIS_COLUMNS
    assert set(table["output"]) == {"overdue_dossiers", "mean_backlog", "on_time_rate"}
    assert set(table["parameter"]) == {
        "arrival_rate_per_hour", "servers", "service_rate_per_hour", "deadline_hours"
    }  # fmt: skip
    assert len(table) == 3 * 4 and (table["mu_star"] >= 0).all()
    for name in ("sensitivity_morris.png", "sensitivity_bars.png", "samples.csv"):
        assert (morris_dir / name).stat().st_size > 0, name
    report = (morris_dir / "sensitivity.md").read_text()
    top = table[table["output"] == "mean_backlog"].iloc[0]["parameter"]
    assert f"`{top}`" in report and "common random numbers" in report
    # run reports name what the newest analysis of their scenario found
    first = table[table["output"] == "overdue_dossiers"]["parameter"].iloc[0]
    line = caveat_lines(["mmc"], 10, results=tmp_path)[-1]
    assert f"finds overdue_dossiers depends most on: {first}" in line, line
    done = sensitivity(
        *common,
        "sensitivity.method=sobol",
        "sensitivity.samples=4",
        "sensitivity.screening_samples=2",
        "sensitivity.keep_top=2",
        "sensitivity.outputs=[mean_backlog]",
        f"hydra.run.dir={sobol_dir}",
    )
    assert done.returncode == 0, done.stderr
    table = pd.read_csv(sobol_dir / "sensitivity.csv")
    assert list(table.columns) == SOBOL_COLUMNS
    assert len(table) == 2  # the two factors the screening kept
    assert list(pd.read_csv(sobol_dir / "morris.csv").columns) == MORRIS_COLUMNS
    assert len(pd.read_csv(sobol_dir / "samples.csv")) == 4 * (2 + 2)


def test_a_bad_setting_is_named(tmp_path):
    done = sensitivity("scenario=mmc", "sensitivity.method=fast", f"hydra.run.dir={tmp_path}")
    assert done.returncode == 2
    assert "sensitivity.method = 'fast': must be morris or sobol" in done.stderr


@pytest.mark.slow
def test_dossiers_created_depends_on_demand_alone(tmp_path):
    """On a count that only demand sets, demand factors lead and every staffing,
    equipment and behaviour factor's mu* is indistinguishable from zero (its 95%
    interval reaches 0, and it is under 1% of the leader). Common random numbers make
    this hold: with a new seed per sample, arrival noise would give every factor a mu*."""
    done = sensitivity(
        "scenario=lang_son_wards",
        "run.days=10",
        "sensitivity.samples=3",
        "sensitivity.outputs=[dossiers_created]",
        f"hydra.run.dir={tmp_path}",
    )
    assert done.returncode == 0, done.stderr
    table = pd.read_csv(tmp_path / "sensitivity.csv")
    leader = table.iloc[0]
    assert leader["category"] == "demand" and leader["mu_star"] > 0
    others = table[table["category"].isin(["staffing", "equipment", "behaviour"])]
    assert len(others) > 30
    assert (others["mu_star"] <= others["mu_star_conf"]).all(), others.head()
    assert (others["mu_star"] < 0.01 * leader["mu_star"]).all(), others.head()


@pytest.mark.slow
def test_a_local_cluster_gives_the_local_numbers_and_a_store_resumes(tmp_path):
    """The same tiny analysis on a Dask cluster bound to 127.0.0.1 gives the local
    pool's numbers; with `sensitivity.store` a second call finds every run stored and
    runs none (its address leads nowhere, so any run would fail)."""
    common = ["scenario=mmc", "run.days=5", "run.workers=1", "sensitivity.samples=2"]
    local = sensitivity(*common, f"hydra.run.dir={tmp_path / 'local'}")
    assert local.returncode == 0, local.stderr
    with loopback_cluster(tmp_path) as address:
        remote = sensitivity(
            *common,
            f"sensitivity.address={address}",
            f"sensitivity.store={tmp_path / 'runs.sqlite'}",
            f"hydra.run.dir={tmp_path / 'cluster'}",
        )
    assert remote.returncode == 0, remote.stderr
    expected = pd.read_csv(tmp_path / "local" / "sensitivity.csv")
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "cluster" / "sensitivity.csv"), expected)
    resumed = sensitivity(
        *common,
        "sensitivity.address=tcp://127.0.0.1:9",  # no scheduler there
        f"sensitivity.store={tmp_path / 'runs.sqlite'}",
        f"hydra.run.dir={tmp_path / 'resumed'}",
    )
    assert resumed.returncode == 0, resumed.stderr
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "resumed" / "sensitivity.csv"), expected)
    # without the stored runs that address is an error of one line naming it
    failed = sensitivity(
        *common, "sensitivity.address=tcp://127.0.0.1:9", f"hydra.run.dir={tmp_path / 'x'}"
    )
    assert failed.returncode == 2 and "Traceback" not in failed.stderr  # a user's error
    assert "error: address='tcp://127.0.0.1:9': no Dask scheduler answered" in failed.stderr
