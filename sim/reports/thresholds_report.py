"""What would change a study's answer: sentences, a table and a tornado plot from
``thresholds.csv`` (sim/studies/thresholds.py).

A row's ``effect_at_low``/``effect_at_high`` is the comparison's paired difference
``policy - reference`` at the ends of the factor's range (fewer overdue dossiers is
better, so a negative effect means the policy beats its reference); a row with a
``threshold_value`` reverses the verdict inside the range.
"""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from sim.reports.figures import save_png  # noqa: E402
from sim.reports.i18n import number, t  # noqa: E402
from sim.reports.labels import label, policy_words  # noqa: E402
from sim.reports.run_report import _e, table_html  # noqa: E402
from sim.reports.sensitivity_report import factor_words  # noqa: E402


def _value(value: float) -> str:
    size = abs(value)
    return number(value, 0 if size >= 100 else 1 if size >= 10 else 2)


def parts(comparison: str) -> tuple[str, str, str]:
    """``scenario: policy vs reference`` -> its three parts."""
    scenario, _, pair = comparison.partition(": ")
    policy, _, reference = pair.partition(" vs ")
    return scenario, policy, reference


def factor_text(row: pd.Series) -> str:
    """A factor in words as the table reports it: a value, a multiplier or a quantile (a
    group of ranges is named without dots: by its quantile when its range is 0 to 1, else
    by the multiplier of its scaled ranges)."""
    parameter = str(row["parameter"])
    words = factor_words(parameter)
    if "." not in parameter and (row["range_low"], row["range_high"]) == (0, 1):
        return t("the quantile of {factor} in its range", factor=words)
    if parameter.endswith("@scale") or "." not in parameter:
        return t("the multiplier of {factor}", factor=words)
    return words


def _finite(value) -> bool:
    try:
        return math.isfinite(float(value))
    except (TypeError, ValueError):
        return False


def sentence(row: pd.Series) -> str | None:
    """One plain sentence on a switching value (None when the verdict holds across the
    range): who beats whom on the side of the threshold that today's value is not on."""
    if not _finite(row["threshold_value"]):
        return None
    scenario, policy, reference = parts(str(row["comparison"]))
    threshold, base = float(row["threshold_value"]), float(row["base_value"])
    policy_wins_low = float(row["effect_at_low"]) < 0
    today_low = base < threshold
    # the reversal happens on the other side of the threshold from today's value
    above = today_low
    winner_is_policy = policy_wins_low != above
    winner, loser = (policy, reference) if winner_is_policy else (reference, policy)
    source = t(str(row.get("source") or "assumption"))
    today = (
        t("today's value, {base}, is an assumption", base=_value(base))
        if str(row.get("source") or "assumption") == "assumption"
        else t(
            "today's value, {base}, rests on a source ({source})",
            base=_value(base),
            source=source,
        )
    )
    low, high = float(row["threshold_low"]), float(row["threshold_high"])
    if low <= float(row["range_low"]) and high >= float(row["range_high"]):
        return t(
            "{scenario}: {policy} against {reference} changes sign across the range of "
            "{factor}, but the replications cannot place where (about {value}); {today}; "
            "more replications would.",
            scenario=scenario,
            policy=policy_words(policy),
            reference=policy_words(reference),
            factor=factor_text(row),
            value=_value(threshold),
            today=today,
        )
    where = t("at least") if above else t("at most")
    return t(
        "{scenario}: {winner} beats {loser} only if {factor} is {where} {value} "
        "(95% interval {low} to {high}); {today}.",
        scenario=scenario,
        winner=policy_words(winner),
        loser=policy_words(loser),
        factor=factor_text(row),
        where=where,
        value=_value(threshold),
        low=_value(low),
        high=_value(high),
        today=today,
    )


def scenario_note(scenario: str, best: tuple | None, ranking: str, runs: int) -> str:
    """What the command did in a scenario: the best policy, whence the factors, the runs."""
    if ranking == "named":
        whence = t("the factors named")
    elif ranking == "morris":
        whence = t("a quick Morris screen")
    else:
        whence = t("the sensitivity result {path}", path=ranking)
    return t(
        "{scenario}: best policy {best}; factors chosen by {whence}; {runs} runs",
        scenario=scenario,
        best=policy_words("+".join(best)) if best else t("none"),
        whence=whence,
        runs=runs,
    )


def markdown(study: str, notes: list[str], found: list[str]) -> str:
    """``thresholds.md``: the study, what was done, one sentence per switching value."""
    lines = ["# " + t("What would change the answer of study {study}", study=f"`{study}`"), ""]
    lines += [f"{note}  " for note in notes] + [""]
    lines += [f"- {s}" for s in found] or [t("No assumption reverses a verdict inside its range.")]
    return "\n".join(lines) + "\n"


def sentences(table: pd.DataFrame) -> list[str]:
    return [s for s in (sentence(row) for _, row in table.iterrows()) if s]


def comparison_words(comparison: str) -> str:
    """``scenario: policy vs reference`` with the policies' names in words."""
    scenario, policy, reference = parts(comparison)
    return t(
        "{scenario}: {policy} against {reference}",
        scenario=scenario,
        policy=policy_words(policy),
        reference=policy_words(reference),
    )


def plot_tornado(table: pd.DataFrame, path: Path, figure: str = "overdue_dossiers") -> None:
    """Per comparison: each factor's effect at the low and the high end of its range."""
    groups = list(table.groupby("comparison", sort=False))
    fig, axes = plt.subplots(
        len(groups), 1, figsize=(8, 1.2 + 0.45 * len(table) + 0.6 * len(groups)), squeeze=False
    )
    for ax, (comparison, rows) in zip(axes[:, 0], groups, strict=True):
        rows = rows.assign(size=(rows["effect_at_high"] - rows["effect_at_low"]).abs())
        rows = rows.sort_values("size")
        y = list(range(len(rows)))
        low, high = rows["effect_at_low"].to_numpy(), rows["effect_at_high"].to_numpy()
        left = [min(a, b) for a, b in zip(low, high, strict=True)]
        width = [abs(b - a) for a, b in zip(low, high, strict=True)]
        ax.barh(y, width, left=left, color="#d9d9d9", height=0.6)
        ax.scatter(low, y, color="#4c78a8", zorder=3, label=t("at the low end"))
        ax.scatter(high, y, color="#f58518", marker="D", zorder=3, label=t("at the high end"))
        ax.axvline(0, color="black", linewidth=0.8)
        ax.set_yticks(y, [factor_words(p) for p in rows["parameter"]], fontsize=8)
        ax.margins(x=0.06)
        ax.set_title(comparison_words(str(comparison)), fontsize=9)
        ax.set_xlabel(
            t("paired difference (policy - reference), {figure}", figure=label(figure)),
            fontsize=8,
        )
    axes[0, 0].legend(fontsize=7, loc="best")
    fig.tight_layout()
    save_png(fig, path)


def thresholds_html(table: pd.DataFrame, tornado: Path | None = None) -> list[str]:
    """The study report's section "what would change this answer"."""
    found = sentences(table)
    body = [
        f"<h2>{_e(t('What would change this answer'))}</h2>",
        "<p>"
        + _e(
            t(
                "Each comparison's most important assumptions, moved one at a time across "
                "their ranges (configs/uncertainty/) with the others at today's values and "
                "the same seeds; where the verdict reverses inside a range, the switching "
                "value is located by bisection, with the interval the replications allow."
            )
        )
        + "</p>",
    ]
    if found:
        body.append("<ul>" + "".join(f"<li>{_e(s)}</li>" for s in found) + "</ul>")
    else:
        body.append(f"<p>{_e(t('No assumption reverses a verdict inside its range.'))}</p>")
    rows = []
    for _, row in table.iterrows():
        threshold = (
            f"{_value(row['threshold_value'])} [{_value(row['threshold_low'])}, "
            f"{_value(row['threshold_high'])}]"
            if _finite(row["threshold_value"])
            else t("none in the range")
        )
        rows.append(
            [
                comparison_words(str(row["comparison"])),
                factor_text(row),
                _value(float(row["base_value"])),
                f"{_value(float(row['range_low']))} .. {_value(float(row['range_high']))}",
                threshold,
                _value(float(row["effect_at_low"])),
                _value(float(row["effect_at_high"])),
                t(str(row["source"])),
            ]
        )
    header = [
        t("comparison"),
        t("factor"),
        t("today"),
        t("range"),
        t("switching value [95% interval]"),
        t("effect at the low end"),
        t("effect at the high end"),
        t("source"),
    ]
    body.append(table_html(header, rows))
    if tornado is not None and Path(tornado).is_file():
        import base64

        data = base64.b64encode(Path(tornado).read_bytes()).decode("ascii")
        body.append(
            f'<p><img alt="{_e(t("tornado plot"))}" src="data:image/png;base64,{data}"></p>'
        )
    return body
