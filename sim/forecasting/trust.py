"""Which method is published, and whether to trust it: ``forecast.json`` ``trust``.

The published method is the one with the smallest mean absolute error of the median
backlog on the rolling backtest, the communes pooled (persistence is a candidate, so
the published forecast is never worse than "nothing changes" there). Skill is
1 - MAE / MAE of persistence. The verdict:

- ``do_not_use``: no backtest was possible (history too short), or the published
  method's 90% band covered fewer than COVERAGE_FLOOR of the held-out days (far below
  nominal: its bands would mislead).
- ``good``: skill at least GOOD_SKILL, coverage at least GOOD_COVERAGE and at least
  MIN_ORIGINS origins.
- ``usable``: the rest: as close as persistence or a little closer, with honest bands.

Under ``do_not_use`` the published median is the best baseline's (never the model's).
"""

from __future__ import annotations

from sim.forecasting.backtest import MIN_ORIGINS

GOOD_SKILL = 0.10  # assumption: 10% closer than persistence is worth acting on
GOOD_COVERAGE = 0.80  # assumption: a 90% band that held on 8 of 10 days or more
COVERAGE_FLOOR = 0.70  # assumption: below 7 of 10 days the 90% band misleads
BASELINE_METHODS = ("persistence", "last_week", "flow")


def verdict(summary: dict, plan: dict) -> dict:
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
    if plan["note"]:
        reasons.append({"code": "short", "note": plan["note"]})
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
