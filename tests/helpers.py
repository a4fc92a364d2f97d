"""Helpers shared by tests: compose configs with Hydra's compose API and run models."""

from __future__ import annotations

import contextlib
import copy
import functools
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from hydra import compose, initialize_config_dir
from omegaconf import OmegaConf

from sim.abm.model import GovernanceModel

ROOT = Path(__file__).resolve().parent.parent
CONFIG_DIR = str(ROOT / "configs")


def compose_config(overrides: list[str] | None = None):
    """The composed config (a DictConfig) as `python -m sim.run OVERRIDES` would see it."""
    with initialize_config_dir(config_dir=CONFIG_DIR, version_base="1.3"):
        return compose("config", overrides=list(overrides or []))


def resolved(overrides: list[str] | None = None) -> dict:
    """The composed config as a plain dict with interpolations resolved (a fresh copy)."""
    return copy.deepcopy(_resolved(tuple(overrides or ())))


@functools.lru_cache(maxsize=64)
def _resolved(overrides: tuple[str, ...]) -> dict:
    # composing costs about a second; tests compose the same overrides many times
    return OmegaConf.to_container(compose_config(list(overrides)), resolve=True)


@functools.lru_cache(maxsize=16)
def _unresolved(overrides: tuple[str, ...]) -> dict:
    return OmegaConf.to_container(compose_config(list(overrides)), resolve=False)


def unresolved(overrides: list[str] | None = None) -> dict:
    """The composed config as a plain dict with interpolations left as written."""
    return copy.deepcopy(_unresolved(tuple(overrides or ())))


def run_scenario(data: dict, days: int, seed: int = 0, start: str = "2025-07-01"):
    """Build a model from a scenario block (a plain dict) and run it for `days`."""
    model = GovernanceModel(data, seed=seed, start_date=start)
    model.run(days)
    return model


def run_model(overrides: list[str], days: int, seed: int = 0, warmup_days: int = 0):
    """Build a model from a composed config and run it for `days`."""
    cfg = resolved(overrides)
    model = GovernanceModel(
        cfg["scenario"], seed=seed, start_date=cfg["run"]["start_date"], warmup_days=warmup_days
    )
    model.run(days)
    return model


def scenario(name: str, *overrides: str) -> dict:
    """The composed scenario block of `scenario=NAME` as a fresh plain dict."""
    return resolved([f"scenario={name}", *overrides])["scenario"]


def same_figures(a: dict, b: dict) -> bool:
    """Two summaries hold the same numbers (NaN, "no figure", equals NaN here)."""
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


def command(module: str, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    """`python -m MODULE ARGS` as a user types it, from the repository root."""
    return subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def sim_run(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    """`python -m sim.run ARGS` as a user types it, from the repository root."""
    return command("sim.run", *args, timeout=timeout)


@contextlib.contextmanager
def loopback_cluster(folder: Path) -> Iterator[str]:
    """A Dask cluster of two worker processes bound to 127.0.0.1 only; yields its
    scheduler's address (skips the test when the ``cluster`` extra is missing)."""
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        host="127.0.0.1",
        dashboard_address=None,
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        local_directory=str(folder),
    ) as cluster:
        assert cluster.scheduler_address.startswith("tcp://127.0.0.1:")
        yield cluster.scheduler_address
