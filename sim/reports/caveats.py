"""What a report's numbers rest on, said in every report: assumptions and intervals.

Most default numbers of a scenario are assumptions (their config comment says so); only
some come from a public source (``docs/SOURCES.md``). The 95% intervals come from the
spread between replications (seeds), so they cover random variation only: not the
uncertainty of the assumed parameters, nor of the model's structure. A reader must be
told both, with the scenario's own count of assumed and sourced numbers.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from sim.core.stats import MAX_ADVISED, MIN_REPLICATIONS
from sim.core.summary import RELATIVE_PRECISION
from sim.reports.i18n import localize, t
from sim.spec.paths import CONFIG_DIR, RESULTS
from sim.spec.tables import read_frame

SCENARIOS = CONFIG_DIR / "scenario"
SENSITIVITY = RESULTS / "sensitivity"  # where python -m sim.sensitivity writes
_VALUE_LINE = re.compile(r"^\s*[\w\-\[{].*:\s*[^\s#].*#(?P<comment>.*)$")


def scenario_files(name: str) -> list[Path]:
    """The scenario's config and the configs it builds on (its ``defaults`` list)."""
    found: list[Path] = []
    pending = [name]
    while pending:
        path = SCENARIOS / f"{pending.pop()}.yaml"
        if not path.is_file() or path in found:
            continue
        found.append(path)
        text = path.read_text(encoding="utf-8")
        block = re.search(r"^defaults:\s*\n((?:\s+-.*\n)+)", text, re.M)
        if block:
            pending += re.findall(r"^\s+-\s*([A-Za-z_]\w*)\s*(?:#.*)?$", block.group(1), re.M)
    return found


def provenance_counts(name: str) -> tuple[int, int]:
    """(assumed, sourced): commented numbers of the scenario's configs by their comment."""
    assumed = sourced = 0
    for path in scenario_files(name):
        for line in path.read_text(encoding="utf-8").splitlines():
            match = _VALUE_LINE.match(line)
            if not match:
                continue
            comment = match.group("comment")
            if "SOURCES.md" in comment:
                sourced += 1
            elif "assumption" in comment:
                assumed += 1
    return assumed, sourced


def replications_note(replications: int | None, needed: int | None) -> str | None:
    """A sentence when the replications are too few for the intervals to mean much."""
    if replications is None:
        return None
    if replications < 2:
        return t(
            "With one replication there is no interval at all; run run.replications=10 or "
            "more to see how much the figures vary."
        )
    short = needed is not None and needed > replications
    if replications >= MIN_REPLICATIONS and not short:
        return None
    text = t(
        "{n} replications are too few for the 95% intervals to mean much: "
        "they rest on a rough estimate of the spread",
        n=replications,
    )
    if short:
        more = (
            t("more than {n}", n=MAX_ADVISED - 1)
            if needed >= MAX_ADVISED
            else t("about {n}", n=needed)
        )
        return t(
            "{text}; {more} would bring every headline figure's interval within "
            "{precision} of it (2 points for a rate): run.replications={advised}.",
            text=text,
            more=more,
            precision=localize(f"{RELATIVE_PRECISION:.0%}"),
            advised=min(needed, MAX_ADVISED),
        )
    return t("{text}; use at least run.replications={n}.", text=text, n=MIN_REPLICATIONS)


def latest_sensitivity(name: str, results: Path = SENSITIVITY) -> Path | None:
    """The newest ``sensitivity.csv`` of scenario ``name`` under ``results`` (folders are
    named ``<time>_<scenario>``), or None."""
    if not results.is_dir():
        return None
    found = sorted(results.glob(f"*_{name}/sensitivity.csv"))
    return found[-1] if found else None


def sensitivity_line(name: str, results: Path = SENSITIVITY) -> str:
    """Which assumptions move the scenario's figures: from its newest sensitivity analysis,
    or the command that finds out."""
    path = latest_sensitivity(name, results)
    if path is None:
        return t(
            "Which assumptions move these figures: python -m sim.sensitivity scenario={name} "
            '(README, "What the answers depend on").',
            name=name,
        )
    table = read_frame(path)
    key = "mu_star" if "mu_star" in table.columns else "ST"
    first = table[table["output"] == table["output"].iloc[0]]
    top = first.sort_values(key, ascending=False, kind="stable").head(3)["parameter"]
    return t(
        "A sensitivity analysis of {name} ({path}) finds {output} depends most on: {top}.",
        name=repr(name),
        path=str(path.parent),
        output=str(table["output"].iloc[0]),
        top=", ".join(top),
    )


def caveat_lines(
    scenarios: list[str],
    replications: int | None,
    needed: int | None = None,
    results: Path = SENSITIVITY,
) -> list[str]:
    """The caveats as sentences (plain text), for reports and terminals alike."""
    counts = {name: provenance_counts(name) for name in scenarios}
    counted = [
        t(
            "{name}: {assumed} of {total} are assumptions, {sourced} sourced",
            name=repr(name),
            assumed=assumed,
            total=assumed + sourced,
            sourced=sourced,
        )
        for name, (assumed, sourced) in counts.items()
        if assumed + sourced
    ]
    counts_text = (
        t(" (numbers set in the scenario's config files, {counts})", counts="; ".join(counted))
        if counted
        else ""
    )
    lines = [
        t(
            "Most parameters are assumptions{counts}: docs/SOURCES.md gives the public source "
            "of the others, and the README's parameter table lists them all. The results show "
            "what follows from these numbers, not a forecast.",
            counts=counts_text,
        ),
        t(
            "The 95% intervals cover random variation only (the spread between replications "
            "run with different seeds): not the uncertainty of the assumed parameters, nor of "
            "the model itself."
        ),
    ]
    lines += [sensitivity_line(name, results) for name in scenarios]
    note = replications_note(replications, needed)
    return lines + ([note] if note else [])


def caveats_html(scenarios: list[str], replications: int | None, needed: int | None = None) -> str:
    lines = caveat_lines(scenarios, replications, needed)
    items = "".join(f"<li>{html.escape(line)}</li>" for line in lines)
    return f"<h2>{html.escape(t('What these numbers rest on'))}</h2><ul>{items}</ul>"
