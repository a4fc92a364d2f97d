"""The robust comparison in a study's report: effects over the ranges, and what flips them.

``robust_html(summary, drivers)`` gives the report's section from ``robust.csv`` and
``robust_drivers.csv`` (sim/studies/robust.py); ``plot_robust_effects`` draws each
policy's effect against the baseline at every point of the sample.
"""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from sim.core.stats import FALSE_DISCOVERY_RATE as FDR  # noqa: E402
from sim.reports.figures import save_png  # noqa: E402
from sim.reports.i18n import localize, t  # noqa: E402
from sim.reports.labels import policy_words  # noqa: E402
from sim.reports.run_report import _e, fmt, table_html  # noqa: E402
from sim.reports.sensitivity_report import factor_words  # noqa: E402

TOP_CORRELATIONS = 3  # factors shown per policy


def robust_html(summary: pd.DataFrame, drivers: pd.DataFrame) -> list[str]:
    """The report's section on the comparison over the ranges of the assumptions."""
    points = int(summary["points"].min())
    parts = [
        f"<h2>{_e(t('Over the ranges of the assumptions'))}</h2>",
        "<p>"
        + _e(
            t(
                "Every policy ran at the same {points} points of the assumptions' ranges "
                "(configs/uncertainty/) with the same seeds. At each point the policies are "
                "ranked on overdue dossiers (mean over the point's seeds): the chance of being "
                "best is the share of points a policy wins, its regret what it loses against "
                "the best policy of the point. Seed noise remains in each point's mean.",
                points=points,
            )
        )
        + "</p>",
    ]
    for (scenario, setting), rows in summary.groupby(["scenario", "setting"], sort=True):
        caption = f"{scenario} [{setting}]" if setting else scenario
        header = [
            t("policy"),
            t("overdue dossiers"),
            t("change from baseline (5th-95th percentile of points)"),
            t("better than baseline (% of points)"),
            t("chance of being best (%)"),
            t("mean regret"),
            t("worst regret"),
        ]
        body = []
        for _, row in rows.iterrows():
            effect = row.get("effect_mean")
            spread = (
                f"{fmt(effect, 'number')} ({fmt(row['effect_p05'], 'number')} .. "
                f"{fmt(row['effect_p95'], 'number')})"
                if _number(effect)
                else ""
            )
            better = row.get("share_better_than_baseline")
            body.append(
                [
                    policy_words(str(row["policy"])),
                    fmt(row["mean"], "number"),
                    spread,
                    fmt(better, "rate") if _number(better) else "",
                    fmt(row["probability_best"], "rate"),
                    fmt(row["regret_mean"], "number"),
                    fmt(row["regret_max"], "number"),
                ]
            )
        parts.append(table_html(header, body, caption))
        parts += _drivers_html(drivers, scenario, setting)
    return parts


def _drivers_html(drivers: pd.DataFrame, scenario: str, setting: str) -> list[str]:
    mine = drivers[(drivers["scenario"] == scenario) & (drivers["setting"] == setting)]
    rules = mine[mine["kind"] == "rule"]
    parts = []
    if len(rules):
        first = rules.iloc[0]
        cv, majority = first.get("cv_accuracy"), first.get("majority_share")
        if _number(cv) and cv > majority:
            rows = [
                [rule_words(str(r["rule"])), policy_words(str(r["best"])), str(int(r["points"]))]
                for _, r in rules.iterrows()
            ]
            caption = t(
                "Which policy is best where (a decision tree on the factors; "
                "cross-validated accuracy {cv} % against {majority} % for always naming "
                "the most frequent winner)",
                cv=fmt(cv, "rate"),
                majority=fmt(majority, "rate"),
            )
            parts.append(table_html([t("where"), t("best policy"), t("points")], rows, caption))
        elif _number(cv):
            parts.append(
                "<p>"
                + _e(
                    t(
                        "No factor predicts the best policy better than always naming the "
                        "most frequent winner, {best} ({majority} % of points; a decision "
                        "tree's cross-validated accuracy {cv} %): more points, or no "
                        "factor decides the ranking.",
                        best=policy_words(str(first["majority_best"])),
                        majority=fmt(majority, "rate"),
                        cv=fmt(cv, "rate"),
                    )
                )
                + "</p>"
            )
    correlations = mine[mine["kind"] == "correlation"]
    if len(correlations):
        found = correlations[correlations["q_value"] < FDR]
        rows = []
        for policy, items in found.groupby("policy", sort=True):
            for _, r in items.head(TOP_CORRELATIONS).iterrows():
                rho, q = r["spearman_rho"], r["q_value"]
                rows.append(
                    [
                        policy_words(str(policy)),
                        factor_words(str(r["factor"])),
                        localize(f"{rho:+.2f}"),
                        localize(f"{q:.3f}"),
                    ]  # fmt: skip
                )
        if rows:
            parts.append(
                table_html(
                    [t("policy"), t("factor"), t("rank correlation with the change"), t("q-value")],
                    rows,
                    t("The factors its change from the baseline depends on most"),
                )
            )
        else:
            parts.append(
                "<p>"
                + _e(
                    t(
                        "No factor's rank correlation with a policy's change passes a false "
                        "discovery rate of {fdr} %.",
                        fdr=fmt(FDR, "rate"),
                    )
                )
                + "</p>"
            )
    return parts


def rule_words(rule: str) -> str:
    """A decision rule of robust_drivers.csv in words: each factor's label from the
    catalogue (as the sensitivity summary names it), numbers localised:
    ``communes.*.clerks.*.count@scale <= 0.95 and ...`` -> "the multiplier of clerks
    count <= 0,95 và ..." in Vietnamese."""
    if rule == "at every point":
        return t(rule)
    conditions = []
    for condition in rule.split(" and "):
        factor, operator, value = condition.rsplit(" ", 2)
        words = factor_words(factor)
        if factor.endswith("@scale"):  # a multiplier of the defaults, as thresholds says
            words = t("the multiplier of {factor}", factor=words)
        conditions.append(f"{words} {operator} {localize(value)}")
    return f" {t('and')} ".join(conditions)


def _number(value) -> bool:
    return isinstance(value, int | float) and not math.isnan(value)


def plot_robust_effects(tables, path: Path) -> None:
    """Each policy's change in overdue dossiers from the baseline, one dot per point."""
    with_base = [tb for tb in tables if "baseline" in tb.objective]
    if not with_base:
        return
    fig, axes = plt.subplots(1, len(with_base), figsize=(5 * len(with_base), 3.6), squeeze=False)
    for ax, table in zip(axes[0], with_base, strict=True):
        values = table.objective
        policies = [p for p in values.columns if p != "baseline"]
        effects = [values[p] - values["baseline"] for p in policies]
        ax.boxplot(effects, orientation="horizontal", showfliers=False)
        for i, effect in enumerate(effects, start=1):
            ax.plot(effect, [i] * len(effect), "o", alpha=0.4, markersize=3)
        ax.set_yticks(range(1, len(policies) + 1), [policy_words(p) for p in policies])
        ax.axvline(0.0, color="grey", linewidth=0.8)
        title = f"{table.scenario} [{table.setting}]" if table.setting else table.scenario
        ax.set_title(title, fontsize=10)
        ax.set_xlabel(t("change in overdue dossiers from the baseline, per point"))
    fig.tight_layout()
    save_png(fig, path)
