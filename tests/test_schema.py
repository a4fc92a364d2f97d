"""summary.json says which meaning of its keys it follows and which code wrote it."""

import json
import re
from importlib import metadata

from sim.runs.schema import SCHEMA_VERSION
from tests.helpers import ROOT, sim_run


def test_ok_and_failed_summaries_carry_schema_and_code_version(tmp_path):
    ok_dir = f"hydra.run.dir={tmp_path / 'ok'}"
    done = sim_run("scenario=mmc", "run.days=3", "output.plots=false", ok_dir)
    assert done.returncode == 0, done.stderr
    failed = sim_run("scenario=mmc", "run.days=0", f"hydra.run.dir={tmp_path / 'bad'}")
    assert failed.returncode == 2, failed.stderr
    version = metadata.version("commune-capacity-sim")
    for name, status in (("ok", "ok"), ("bad", "error")):
        summary = json.loads((tmp_path / name / "summary.json").read_text())
        assert list(summary)[:3] == ["schema_version", "code_version", "status"]
        assert summary["schema_version"] == SCHEMA_VERSION
        assert summary["status"] == status
        pattern = rf"{re.escape(version)}(\+g[0-9a-f]{{7,}}(\.dirty)?)?"
        assert re.fullmatch(pattern, summary["code_version"])


def test_changelog_has_an_entry_for_the_current_schema_version():
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    versions = [int(v) for v in re.findall(r"^## schema_version (\d+)", changelog, re.M)]
    assert versions and max(versions) == SCHEMA_VERSION, versions
    assert versions == sorted(versions, reverse=True), "newest first"
