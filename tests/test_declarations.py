"""Lists declared once: every measure of sim/core/measures.py reaches the outputs through
the commands, a measure added to the declaration alone (with its words) flows through,
and the optimiser's budget space takes everything it needs from the policy classes."""

from __future__ import annotations

import html
import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pytest

from sim.core.measures import DAILY, FIGURES, HEADLINE, SLICE_TABLE, STUDY, TALLY
from sim.core.metrics import Tally
from sim.core.state import TALLY_COUNTS, TALLY_SUMS
from sim.policies import POLICY_CLASSES, levers
from sim.policies.base import Lever
from sim.policies.staffing import SecondStaff
from sim.reports.figure_text import label, short
from sim.spec.scenario import ScenarioSpec
from sim.studies import budget_space
from sim.studies.budget_space import Cell, build_space
from tests.helpers import ROOT, command, resolved

SHORT = ["scenario=mmc", "run.days=3", "run.replications=2", "run.progress=false"]
SWEEP = ["-m", *SHORT, "policy=baseline,priority", "output.plots=false"]


def _outputs(tmp_path: Path, runner) -> dict:
    """A run and a two-policy sweep analysed, with ``runner(module, *args)``."""
    run, sweep = tmp_path / "run", tmp_path / "sweep"
    done = runner("sim.run", *SHORT, f"hydra.run.dir={run}")
    assert done.returncode == 0, done.stderr[-2000:]
    done = runner("sim.run", *SWEEP, f"hydra.sweep.dir={sweep}")
    assert done.returncode == 0, done.stderr[-2000:]
    done = runner("sim.analysis", str(sweep), "--no-plots")
    assert done.returncode == 0, done.stderr[-2000:]
    return {
        "summary": json.loads((run / "summary.json").read_text(encoding="utf-8")),
        "daily": pd.read_csv(run / "daily.csv"),
        "replications": pd.read_csv(run / "replications.csv"),
        "report": (run / "report.html").read_text(encoding="utf-8"),
        "comparison": pd.read_csv(sweep / "comparison.csv"),
    }


def _check_every_measure(out: dict, figures, daily) -> None:
    summary = out["summary"]
    for figure in figures:
        assert figure.key in summary, figure.key
        assert figure.key in out["replications"].columns, figure.key
        if figure.of is not None:
            for slice_ in [*summary["by_field"].values(), *summary["by_commune"].values()]:
                assert figure.key in slice_, figure.key
        if HEADLINE in figure.views:
            assert f"<div>{html.escape(label(figure))}</div>" in out["report"], figure.key
        if SLICE_TABLE in figure.views:
            assert f"<th>{html.escape(short(figure))}</th>" in out["report"], figure.key
        if STUDY in figure.views:
            assert figure.key in out["comparison"].columns, figure.key
    assert list(out["daily"].columns) == ["date", *(d.name for d in daily)]


def test_every_declared_measure_reaches_the_outputs_through_the_commands(tmp_path):
    out = _outputs(tmp_path, command)
    _check_every_measure(out, FIGURES, DAILY)
    daily, summary = out["daily"], out["summary"]
    # daily totals are the compiled loop's (one replication's days add up to the summary's)
    assert daily["received"].sum() == pytest.approx(summary["dossiers_created"], rel=1e-9)


EXTEND = """
import runpy, sys
import sim.core.measures as m
m.TALLY += (m.Column("never_counted", m.COUNT, "a column no event adds to"),)
m.DAILY += (m.Daily("received_again", of="received"),)
m.FIGURES += (m.Figure("resolved_twice", "count", (m.HEADLINE, m.SLICE_TABLE, m.STUDY),
                       lambda s: 2 * s.tally.resolved + s.tally.never_counted),)
from sim.reports import figure_text
figure_text.TEXT["resolved_twice"] = ("Resolved twice over", "dossiers", "resolved x2")
module, sys.argv = sys.argv[1], [sys.argv[1], *sys.argv[2:]]
runpy.run_module(module, run_name="__main__")
"""


def test_a_measure_added_to_the_declaration_flows_to_every_output(tmp_path, monkeypatch):
    """One column, one daily column and one figure added to sim/core/measures.py (and
    the figure's words) reach summary.json, daily.csv, the report and comparison.csv."""
    script = tmp_path / "extend.py"
    script.write_text(textwrap.dedent(EXTEND), encoding="utf-8")

    def extended(module: str, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, str(script), module, *args],
            cwd=ROOT, capture_output=True, text=True, timeout=300,
        )  # fmt: skip

    out = _outputs(tmp_path, extended)
    import sim.core.measures as m
    from sim.reports import figure_text

    monkeypatch.setitem(
        figure_text.TEXT, "resolved_twice", ("Resolved twice over", "d", "resolved x2")
    )
    added_figure = m.Figure("resolved_twice", "count", (HEADLINE, SLICE_TABLE, STUDY), len)
    _check_every_measure(out, [*FIGURES, added_figure], [*DAILY, m.Daily("received_again")])
    summary, daily = out["summary"], out["daily"]
    assert summary["resolved_twice"] == 2 * summary["dossiers_resolved"] > 0
    for name, figures in summary["by_field"].items():
        assert figures["resolved_twice"] == 2 * figures["dossiers_resolved"], name
    assert (daily["received_again"] == daily["received"]).all() and daily["received"].sum() > 0
    assert "Resolved twice over" in out["report"]


def test_tally_layout_and_figures_follow_the_declaration():
    assert TALLY_COUNTS + TALLY_SUMS == tuple(
        c.name for kind in ("count", "sum") for c in TALLY if c.kind == kind
    )
    tally = Tally()
    assert all(getattr(tally, c.name) == 0 for c in TALLY)


# -- policies ------------------------------------------------------------------------
def test_budget_space_names_no_policy():
    source = Path(budget_space.__file__).read_text(encoding="utf-8").lower()
    names = {kind for kind in POLICY_CLASSES} | {
        c.__name__.lower() for c in POLICY_CLASSES.values()
    }
    found = sorted(n for n in names if re.search(rf"\b{re.escape(n)}\b", source))
    assert not found, f"sim/studies/budget_space.py names policies: {found}"


class Loan(SecondStaff):
    """A policy added in a test: staff on loan, a flat 7 million VND a person."""

    kind = "loan"
    lever = Lever(per_field=True, staff=True)

    def charge_unit(self, days: int) -> None:
        self.ledger.add("allowance", 7e6, budget=True, one_off=True)


def test_a_new_policy_class_with_a_lever_needs_nothing_in_the_budget_space(monkeypatch):
    monkeypatch.setitem(POLICY_CLASSES, "loan", Loan)
    assert "loan" in levers()
    config = resolved(["policy=second_staff"])["policy"]["second_staff"]
    config = {**config, "kind": "loan", "from_department": 0}
    spec = ScenarioSpec.read(resolved(["scenario=lang_son_wards"])["scenario"])
    space = build_space(
        spec, {"loan": config}, fields=["land"], days=30, budget_vnd=3e7, max_staff=3,
        max_per_commune=2,
    )  # fmt: skip
    first = Cell("loan", "land", spec.communes[0].name)
    assert space.unit_cost[first] == 7e6  # what the class's ledger charges for a unit
    assert space.upper[first] == 2  # its bound, then the budget's (4) and the cap's (3)
    assert space.staff({first: 2}) == 2  # its units are people
    (name, placed), *_ = space.policies({first: 2})
    assert name == "loan_land" and placed["kind"] == "loan"
    assert placed["communes"] == [first.commune] * 2 and placed["count"] == 2


def test_a_daily_reading_without_its_function_names_the_fix():
    from sim.abm.daily import daily_reporters
    from sim.abm.model import READINGS

    assert set(daily_reporters(READINGS)) == {"date", *(d.name for d in DAILY)}
    with pytest.raises(KeyError, match="backlog.*READINGS in sim/abm/model.py"):
        daily_reporters({k: v for k, v in READINGS.items() if k != "backlog"})
