"""``python -m sim.info`` lists what can be run and where the communes template is."""

import subprocess
import sys
from pathlib import Path

from sim.info import TEMPLATE
from sim.spec.communes_file import OPTIONAL_NUMBERS, OPTIONAL_TEXT, REQUIRED, STAFF_PREFIX
from sim.spec.scenario import ScenarioSpec
from tests.helpers import scenario

ROOT = Path(__file__).resolve().parent.parent


def test_info_lists_every_scenario_policy_and_study_on_one_line():
    done = subprocess.run(
        [sys.executable, "-m", "sim.info"], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    for group in ("scenario", "policy", "experiment"):
        names = [p.stem for p in (ROOT / "configs" / group).glob("*.yaml")]
        for name in names:
            listed = [line for line in lines if line.split()[:1] == [name]]
            if name.startswith("_"):
                assert not listed
                continue
            assert len(listed) >= 1, f"{group} {name} not listed"
            description = listed[0].split(None, 1)[1]
            assert len(description) > 10 and "@package" not in description
    assert "gia_lai_rural" in done.stdout and "second_staff" in done.stdout
    assert str(TEMPLATE) in lines[-3]
    template_only = subprocess.run(
        [sys.executable, "-m", "sim.info", "--template"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert Path(template_only.stdout.strip()) == TEMPLATE


def test_template_has_every_column_and_reads_as_communes():
    header = TEMPLATE.read_text(encoding="utf-8").splitlines()[0].split(",")
    fields = scenario("lang_son_wards")["fields"]
    expected = set(REQUIRED) | set(OPTIONAL_NUMBERS) | set(OPTIONAL_TEXT)
    expected |= {STAFF_PREFIX + f for f in fields}
    assert set(header) == expected
    spec = ScenarioSpec.read(scenario("lang_son_wards", f"scenario.communes_file={TEMPLATE}"))
    assert [c.label for c in spec.communes] == ["Xã A", "Xã B"]


def test_info_lists_every_command():
    """Every `python -m sim.X` entry point (a module with a main guard, or a package with
    __main__.py) is listed with what it does."""
    done = subprocess.run(
        [sys.executable, "-m", "sim.info"], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    sim = ROOT / "sim"
    commands = {p.stem for p in sim.glob("*.py") if '__name__ == "__main__"' in p.read_text()}
    commands |= {p.parent.name for p in sim.glob("*/__main__.py")}
    assert {"run", "forecast", "optimize", "sensitivity"} <= commands
    for name in commands:
        assert f"python -m sim.{name} " in done.stdout, f"sim.{name} is not listed"
