"""Which method is published, and whether to trust it: ``forecast.json`` ``trust``.

The published method is the one with the smallest mean absolute error of the median
backlog on the rolling backtest, the communes pooled (persistence is a candidate, so
the published forecast is never worse than "nothing changes" there). Skill is
1 - MAE / MAE of persistence. The verdict:

- ``do_not_use``: no backtest was possible (history too short), the history is broken
  (``open_end`` does not follow the previous day's plus received minus resolved on more
  than UNBALANCED_MAX of a commune's days), or the published method's 90% band covered
  fewer than COVERAGE_FLOOR of the held-out days (far below nominal: its bands would
  mislead).
- ``good``: skill at least GOOD_SKILL, coverage at least GOOD_COVERAGE and at least
  MIN_ORIGINS origins.
- ``usable``: the rest: as close as persistence or a little closer, with honest bands.

Under ``do_not_use`` the published median is the best baseline's (never the model's).
"""

from __future__ import annotations

import pandas as pd

from sim.forecasting.backtest import MIN_ORIGINS

GOOD_SKILL = 0.10  # assumption: 10% closer than persistence is worth acting on
GOOD_COVERAGE = 0.80  # assumption: a 90% band that held on 8 of 10 days or more
COVERAGE_FLOOR = 0.70  # assumption: below 7 of 10 days the 90% band misleads
BASELINE_METHODS = ("persistence", "last_week", "flow")
UNBALANCED_MAX = 0.20  # assumption: a fifth of the days off balance is a broken export
UNBALANCED_TOLERANCE = 0.10  # assumption: withdrawals and transfers move a day's stock
# by a few dossiers; off by more than 10% of it (and 2 dossiers) is off balance


def unbalanced_share(history: pd.DataFrame) -> dict[str, float]:
    """Per commune: the share of days whose ``open_end`` is off the previous day's plus
    received minus resolved by more than UNBALANCED_TOLERANCE (and two dossiers)."""
    daily = history.groupby(["commune", "date"])[["received", "resolved", "open_end"]].sum()
    result = {}
    for commune, part in daily.groupby(level="commune", sort=False):
        part = part.sort_index()
        gap = (part["open_end"].diff() - (part["received"] - part["resolved"])).iloc[1:]
        allowed = (UNBALANCED_TOLERANCE * part["open_end"].iloc[1:]).clip(lower=2.0)
        result[commune] = float((gap.abs() > allowed).mean()) if len(gap) else 0.0
    return result


def verdict(summary: dict, plan: dict, unbalanced: dict[str, float] | None = None) -> dict:
    """``trust``: verdict, skill_vs_persistence, coverage90_backtest, method, origins,
    reasons (machine-readable codes with their numbers; ``words`` turns them into text)."""
    origins = len(plan["origins"])
    if not summary:
        return {
            "verdict": "do_not_use",
            "skill_vs_persistence": None,
            "coverage90_backtest": None,
            "method": "persistence",
            "origins": origins,
            "reasons": [{"code": "too_short", "note": plan["note"]}],
        }
    overall = {m: s["overall"] for m, s in summary.items()}
    best = min(overall, key=lambda m: (overall[m]["mae_backlog"], m != "persistence"))
    base = overall["persistence"]["mae_backlog"]
    skill = 1.0 - overall[best]["mae_backlog"] / base if base > 0 else 0.0
    cover = overall[best]["coverage90"]
    reasons = []
    broken = {c: v for c, v in (unbalanced or {}).items() if v > UNBALANCED_MAX}
    if broken:
        commune = max(broken, key=broken.get)
        reasons.append({"code": "unbalanced", "commune": commune, "value": broken[commune]})
    if plan["note"]:
        reasons.append({"code": "short", "note": plan["note"]})
    if cover < COVERAGE_FLOOR or broken:
        if cover < COVERAGE_FLOOR:
            reasons.append({"code": "coverage_low", "value": cover})
        fallback = min(BASELINE_METHODS, key=lambda m: overall[m]["mae_backlog"])
        level = "do_not_use"
        method = fallback
    else:
        method = best
        good = skill >= GOOD_SKILL and cover >= GOOD_COVERAGE and origins >= MIN_ORIGINS
        level = "good" if good else "usable"
        if skill < GOOD_SKILL:
            reasons.append({"code": "skill_small", "value": skill})
        if cover < GOOD_COVERAGE:
            reasons.append({"code": "coverage_fair", "value": cover})
    return {
        "verdict": level,
        "skill_vs_persistence": round(skill, 4),
        "coverage90_backtest": round(cover, 4),
        "method": method,
        "origins": origins,
        "reasons": reasons,
    }
