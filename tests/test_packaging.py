"""The package installs like one: a wheel in a fresh environment, run from an empty folder.

The wheel carries the configs, templates and translations (package data); an installed
package writes nothing into its own folder (it may be read-only or shared): the
compiled code is cached in the user's cache folder, and a second run finds it there.
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _run(args: list[str], cwd: Path, env: dict, timeout: float = 600):
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


@pytest.mark.slow
def test_a_wheel_runs_sim_run_and_sim_info_from_an_empty_folder(tmp_path):
    wheels = tmp_path / "wheels"
    built = _run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", str(ROOT), "-w", str(wheels)],
        cwd=tmp_path, env=dict(os.environ),
    )  # fmt: skip
    assert built.returncode == 0, built.stderr
    (wheel,) = wheels.glob("commune_capacity_sim-*.whl")
    venv = tmp_path / "venv"
    assert (
        _run([sys.executable, "-m", "venv", str(venv)], tmp_path, dict(os.environ)).returncode == 0
    )
    python = venv / "bin" / "python"
    installed = _run(
        [str(python), "-m", "pip", "install", "-q", "--no-deps", str(wheel)], tmp_path,
        dict(os.environ),
    )  # fmt: skip
    assert installed.returncode == 0, installed.stderr
    # the dependencies: this environment's, behind the fresh one's own packages
    site = Path(
        _run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
             tmp_path, dict(os.environ)).stdout.strip()
    )  # fmt: skip
    (site / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    empty = tmp_path / "empty"
    empty.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NUMBA_", "PYTHON"))}
    env["XDG_CACHE_HOME"] = str(tmp_path / "cache")
    info = _run([str(python), "-m", "sim.info"], empty, env)
    assert info.returncode == 0, info.stderr
    assert "lang_son_wards" in info.stdout and "template.csv" in info.stdout
    args = [
        str(python), "-m", "sim.run", "scenario=mmc", "run.days=3", "output.report=false",
        "output.plots=false", "hydra.run.dir=out",
    ]  # fmt: skip
    first = _run(args, empty, env)
    assert first.returncode == 0, first.stderr
    assert (empty / "out" / "summary.json").is_file()
    cached = list((tmp_path / "cache").rglob("*.nbi"))
    assert cached, "the compiled code was not cached in the user's cache folder"
    assert not list((site / "sim").rglob("*.nbi"))  # nothing written into the package
    second = _run(args, empty, env)
    assert second.returncode == 0, second.stderr
    assert len(list((tmp_path / "cache").rglob("*.nbi"))) == len(cached)  # found, not remade


def test_importing_the_core_deletes_no_file(tmp_path):
    """The cache of another version of the sources stays where it is."""
    env = dict(os.environ, NUMBA_CACHE_DIR=str(tmp_path))
    stale = tmp_path / "compiled-0000000000000000" / "kernel.run_until-1.py312.nbi"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"old")
    done = _run(
        [sys.executable, "-c",
         "import sim.core, numba; print(numba.config.CACHE_DIR)"],
        ROOT, env,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert stale.read_bytes() == b"old"
    assert done.stdout.strip().startswith(str(tmp_path / "compiled-"))
    assert done.stdout.strip() != str(stale.parent)


def test_a_users_own_configs_folder_adds_and_replaces_configs(tmp_path):
    """``configs/scenario/NAME.yaml`` in the folder a command runs from is found first."""
    own = tmp_path / "configs" / "scenario"
    own.mkdir(parents=True)
    shipped = (ROOT / "sim" / "configs" / "scenario" / "mmc.yaml").read_text()
    assert "servers: 5 " in shipped
    (own / "my_queue.yaml").write_text(shipped.replace("servers: 5 ", "servers: 11 "))
    (own / "mmc.yaml").write_text(shipped.replace("servers: 5 ", "servers: 12 "))
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    for name, servers in (("my_queue", 11), ("mmc", 12), ("tandem", None)):
        done = _run([sys.executable, "-m", "sim.run", f"scenario={name}", "--cfg", "job"],
                    tmp_path, env)  # fmt: skip
        assert done.returncode == 0, done.stderr
        if servers:
            assert f"servers: {servers}" in done.stdout, name
