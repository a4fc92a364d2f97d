"""The forecast's verdict in words a planner reads (``forecast.json`` ``trust``): the
first line ``sim.forecast`` prints and the first thing its report shows, in the
report's language (sim/reports/translations.yaml)."""

from __future__ import annotations

from sim.reports.i18n import t, t_shaped

VERDICTS = {"good": "good", "usable": "usable", "do_not_use": "do not use"}
METHODS = {
    "persistence": "nothing changes (persistence)",
    "last_week": "the same weekday last week",
    "flow": "receipts and results from your data (flow model)",
    "model": "the calibrated model",
}


def verdict_line(trust: dict, days: int) -> str:
    """One sentence: the verdict, how much closer than persistence, how often the band
    held, over how many past forecasts."""
    head = t("Forecast verdict: {verdict}.", verdict=t(VERDICTS[trust["verdict"]]))
    if trust["skill_vs_persistence"] is None:
        return f"{head} {reason_text(trust['reasons'][0])}"
    skill = trust["skill_vs_persistence"]
    inside = round(10 * trust["coverage90_backtest"])
    if skill >= 0.05:
        closer = t(
            "Over {origins} past forecasts of {days} days, {method} was about {pct}% closer "
            "to what happened than assuming nothing changes;",
            origins=trust["origins"], days=days, method=t(METHODS[trust["method"]]),
            pct=round(100 * skill),
        )  # fmt: skip
    else:
        closer = t(
            "Over {origins} past forecasts of {days} days, nothing did better than assuming "
            "nothing changes ({method} is published);",
            origins=trust["origins"], days=days, method=t(METHODS[trust["method"]]),
        )  # fmt: skip
    held = t("{inside} of 10 past days fell inside its 90% band.", inside=inside)
    return f"{head} {closer} {held}"


NOTES = {  # the backtest plan's notes (sim/forecasting/backtest.py) -> their words
    r"(?P<n>\d+) days of history: a backtest needs at least (?P<least>\d+) "
    r"\((?P<learn>\d+) to learn from, a week to check\)": (
        "{n} days of history: a backtest needs at least {least} ({learn} to learn from, a "
        "week to check)"
    ),
    r"horizon shortened from (?P<wanted>\d+) to (?P<days>\d+) days": (
        "horizon shortened from {wanted} to {days} days"
    ),
    r"only (?P<n>\d+) origin\(s\) fit in (?P<days>\d+) days for a (?P<horizon>\d+)-day "
    r"horizon \(at least (?P<least>\d+) wanted: give a longer history\)": (
        "only {n} origin(s) fit in {days} days for a {horizon}-day horizon (at least {least} "
        "wanted: give a longer history)"
    ),
}


def reason_text(reason: dict) -> str:
    """A reason of the verdict in words."""
    code = reason["code"]
    if code in ("too_short", "short"):
        note = "; ".join(t_shaped(part, NOTES) for part in reason["note"].split("; "))
        return t("The backtest was limited: {note}.", note=note)
    pct = round(100 * reason.get("value", 0.0))
    if code == "unbalanced":
        return t(
            "The history is broken: in {commune}, open_end does not follow the previous "
            "day's plus received minus resolved on {pct}% of days.",
            commune=reason["commune"], pct=pct,
        )  # fmt: skip
    if code == "coverage_low":
        return t(
            "Its 90% band held the truth on only {pct}% of past days: its ranges would "
            "mislead, so the median shown is the best simple method's.",
            pct=pct,
        )
    if code == "coverage_fair":
        return t("Its 90% band held on {pct}% of past days: read it as a little narrow.", pct=pct)
    return t(
        "It is no more than {pct}% closer than assuming nothing changes: today's backlog is "
        "about as good a guess.",
        pct=pct,
    )


def advice(trust: dict) -> str:
    """What to do with the verdict, and what data would help when it is not good."""
    if trust["verdict"] == "good":
        return t("Plan with the median; prepare for the 90% band's upper edge.")
    if trust["verdict"] == "usable":
        return t(
            "Use the range more than the median; a longer history (8 to 12 weeks) or one "
            "with more change in it would sharpen the check."
        )
    return t(
        "Do not plan on this forecast. What would help: a daily history of at least 8 "
        "weeks without gaps, open_end that follows received minus resolved, and the list "
        "of today's open dossiers."
    )
