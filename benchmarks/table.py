"""The results table: one ``Row`` per measure, and the Markdown of RESULTS.md.

RESULTS.md holds the table and profiles written by ``python -m benchmarks`` and, from the
``HAND_WRITTEN`` marker on, text written by hand (targets, gaps, what was changed), which
a new run keeps.
"""

from __future__ import annotations

import statistics
from pathlib import Path

# RESULTS.md from this line on is written by hand (targets, gaps, what was changed): a
# new run replaces the table and profiles above it and keeps the rest
HAND_WRITTEN = "<!-- written by hand below: kept by python -m benchmarks -->"


class Row:
    """One line of the results table: a measure over runs, and its target."""

    def __init__(self, group: str, measure: str, values: list[float], fmt: str,
                 target: str = "", holds: bool | None = None) -> None:  # fmt: skip
        self.group, self.measure, self.values, self.fmt = group, measure, values, fmt
        self.target, self.holds = target, holds

    @property
    def median(self) -> float:
        return statistics.median(self.values)

    def cells(self) -> list[str]:
        spread = (
            f"{self.fmt.format(min(self.values))} - {self.fmt.format(max(self.values))}"
            if len(self.values) > 1
            else "(one run)"
        )
        status = "" if self.holds is None else ("holds" if self.holds else "**missed**")
        return [self.group, self.measure, self.fmt.format(self.median), spread,
                str(len(self.values)), self.target, status]  # fmt: skip


def markdown(rows: list[Row], info: dict, notes: list[str], profiles: str) -> str:
    header = ["benchmark", "measure", "median", "min - max", "runs", "target", "status"]
    lines = [
        "# Benchmark results",
        "",
        f"Written by `python -m benchmarks` on {info['date']} in {info['minutes']:.1f} min, "
        f"at commit {info['commit']}.",
        f"Machine: {info['cpu']}, {info['cores']} cores; Python {info['python']} "
        f"({info['platform']}). Load average before / after: {info['load_before']} / "
        f"{info['load_after']}.",
        "",
        "| " + " | ".join(header) + " |",
        "|" + "---|" * len(header),
    ]
    lines += ["| " + " | ".join(row.cells()) + " |" for row in rows]
    lines += ["", *notes, "", profiles]
    return "\n".join(lines) + "\n"


def hand_written(path: Path) -> str:
    """The hand-written part of an existing results file (from its marker on), or ''."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return ""
    at = text.find(HAND_WRITTEN)
    return "" if at < 0 else "\n" + text[at:]
