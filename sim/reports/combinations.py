"""Why a study's combined policy can do worse than one of its parts, in words.

Policies interact through the shared offices: seconding provincial specialists to the
communes (``second_staff`` with ``from_department``) leaves fewer in the department
that also handles the dossiers the communes send up, so training plus seconding can
leave more dossiers overdue than training alone. When a combination (``a+b``) is worse
than one of its parts on overdue dossiers, the study report says so and names the
indicator that moved most between the part and the combination, with its mechanism.
"""

from __future__ import annotations

import math

import pandas as pd

from sim.reports.i18n import number, t
from sim.reports.labels import label, policy_words

FIGURE = "overdue_dossiers"
# indicators a combination can worsen through a shared office, with what moves them
MECHANISMS = (
    (
        "province_mean_wait_hours",
        "staff seconded from a provincial department leave fewer there to handle the "
        "dossiers the communes send up (policy.second_staff.from_department)",
    ),
    (
        "province_utilization",
        "the provincial departments are busier: fewer staff there for the same escalated dossiers",
    ),
    (
        "commune_utilization",
        "the communes' clerks are busier: one policy's extra work takes the time the "
        "other one frees",
    ),
    (
        "utilization_other_duties",
        "the clerks spend more time on other duties (training, handovers) than the "
        "combination gains",
    ),
)


def _mean(row: pd.Series, key: str) -> float:
    value = row.get(key)
    return float(value) if isinstance(value, int | float) and math.isfinite(value) else math.nan


def combination_notes(table: pd.DataFrame) -> list[str]:
    """One sentence per combination worse than one of its parts, in the report language."""
    if table.empty or "policy" not in table or FIGURE not in table:
        return []
    notes = []
    ok = table[table.get("status", "ok") == "ok"] if "status" in table else table
    for (scenario, setting), group in ok.groupby(["scenario", "setting"], sort=False, dropna=False):
        rows = {str(r["policy"]): r for _, r in group.iterrows()}
        for name, combined in rows.items():
            parts = [p for p in name.split("+") if p in rows]
            if "+" not in name or not parts:
                continue
            best = min(parts, key=lambda p: _mean(rows[p], FIGURE))
            alone, both = _mean(rows[best], FIGURE), _mean(combined, FIGURE)
            if not both > alone:
                continue
            moved = [
                (key, why, _mean(rows[best], key), _mean(combined, key)) for key, why in MECHANISMS
            ]
            moved = [m for m in moved if m[3] > m[2] > 0]
            text = t(
                "{combined} leaves more overdue dossiers than {part} alone in {scenario} "
                "({both} against {alone}).",
                combined=policy_words(name),
                part=policy_words(best),
                scenario=scenario
                + (f" ({setting})" if isinstance(setting, str) and setting else ""),
                both=number(both, 1),
                alone=number(alone, 1),
            )
            if moved:
                key, why, before, after = max(moved, key=lambda m: m[3] / m[2])
                text += " " + t(
                    "Why: {indicator} rises from {before} to {after}: {mechanism}.",
                    indicator=label(key),
                    before=number(before, 2),
                    after=number(after, 2),
                    mechanism=t(why),
                )
            notes.append(text)
    return notes
