"""Plots and a short report of a sensitivity analysis (``python -m sim.sensitivity``).

``sensitivity_morris.png``: mu* against sigma, one panel per output (a factor far right
matters; high up, its effect depends on the other factors or is not monotonic).
``sensitivity_bars.png``: factors ranked by mu* (Morris) or ST and S1 (Sobol) with their
bootstrap intervals. ``sensitivity.md``: the settings, the parameters that matter per
output, how seed noise shows, and what was not sampled.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from sim.reports.i18n import date as fdate  # noqa: E402
from sim.reports.i18n import localize, number, t  # noqa: E402
from sim.reports.labels import label  # noqa: E402

SHOWN = 12  # factors per panel of the bar chart


def _short(name: str, width: int = 42) -> str:
    return name if len(name) <= width else "…" + name[-(width - 1) :]


def plot_morris(table: pd.DataFrame, path: Path) -> None:
    """mu*-sigma scatter, one panel per output, the top factors labelled."""
    outputs = list(dict.fromkeys(table["output"]))
    fig, axes = plt.subplots(1, len(outputs), figsize=(5.5 * len(outputs), 4.5), squeeze=False)
    for ax, output in zip(axes[0], outputs, strict=True):
        rows = table[table["output"] == output]
        ax.scatter(rows["mu_star"], rows["sigma"], s=18, color="tab:blue")
        for _, row in rows.head(5).iterrows():
            ax.annotate(_short(row["parameter"], 30), (row["mu_star"], row["sigma"]), fontsize=7)
        ax.set_title(output)
        ax.set_xlabel("mu* (mean |elementary effect|)")
        ax.set_ylabel("sigma")
        ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_bars(table: pd.DataFrame, path: Path, method: str) -> None:
    """Ranked bars with bootstrap intervals: mu* (Morris) or ST beside S1 (Sobol)."""
    outputs = list(dict.fromkeys(table["output"]))
    fig, axes = plt.subplots(1, len(outputs), figsize=(6 * len(outputs), 5), squeeze=False)
    for ax, output in zip(axes[0], outputs, strict=True):
        rows = table[table["output"] == output].head(SHOWN).iloc[::-1]
        labels = [_short(p) for p in rows["parameter"]]
        y = range(len(rows))
        if method == "morris":
            ax.barh(y, rows["mu_star"], xerr=rows["mu_star_conf"], color="tab:blue", capsize=2)
            ax.set_xlabel("mu* with 95% bootstrap interval")
        else:
            ax.barh([i + 0.2 for i in y], rows["ST"], 0.4, xerr=rows["ST_conf"], label="ST",
                    color="tab:orange", capsize=2)  # fmt: skip
            ax.barh([i - 0.2 for i in y], rows["S1"], 0.4, xerr=rows["S1_conf"], label="S1",
                    color="tab:blue", capsize=2)  # fmt: skip
            ax.set_xlabel("Sobol index with 95% bootstrap interval")
            ax.legend(loc="lower right", fontsize=8)
        ax.set_yticks(list(y), labels, fontsize=7)
        ax.set_title(output)
        ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _fmt(value: float) -> str:
    """Three significant digits (whole numbers from 1,000), in the report's language."""
    return localize(f"{value:.3g}" if abs(value) < 1000 else f"{value:,.0f}")


def matters(table: pd.DataFrame, method: str, share: float = 0.1) -> pd.DataFrame:
    """The rows that matter: mu* (or ST) at least ``share`` of the output's largest and
    its interval clear of zero."""
    key, conf = ("mu_star", "mu_star_conf") if method == "morris" else ("ST", "ST_conf")
    largest = table.groupby("output")[key].transform("max")
    keep = (table[key] >= share * largest) & (table[key] - table[conf] > 0) & (largest > 0)
    return table[keep]


def factor_words(parameter: str) -> str:
    """A factor in words: ``communes.*.clerks.*.count@scale`` -> the catalogue's words
    for ``clerks count``."""
    parts = [p for p in parameter.removesuffix("@scale").split(".") if p != "*"]
    return t(" ".join(parts[-2:]).replace("_", " "))


def top_sentences(table: pd.DataFrame, method: str, bases: dict[str, float]) -> list[str]:
    """One sentence per output on the factor that moves it most (and the next one), in
    words: what a planner reads first."""
    key = "mu_star" if method == "morris" else "ST"
    top = matters(table, method)
    lines = []
    for output in dict.fromkeys(table["output"]):
        rows = top[top["output"] == output].sort_values(key, ascending=False).head(2)
        words = label(output)
        if rows.empty:
            lines.append(t("No assumption's range clearly moves {output}.", output=words))
            continue
        first = rows.iloc[0]
        effect = (
            t("by about {effect} on average", effect=_fmt(first[key]))
            if method == "morris"
            else t("{share} of its variance", share=f"{first[key]:.0%}")
        )
        text = t(
            "{factor} matters most for {output}: across its plausible range it moves "
            "{output} {effect} (mean {base} over the samples).",
            factor=factor_words(first["parameter"]),
            output=words,
            effect=effect,
            base=number(bases.get(output, float("nan")), 1),
        )
        if len(rows) > 1:
            text += " " + t("Next: {factor}.", factor=factor_words(rows.iloc[1]["parameter"]))
        lines.append(text[0].upper() + text[1:])
    return lines


def write_report(
    path: Path,
    *,
    scenario: str,
    policies: list[str],
    method: str,
    settings: dict,
    table: pd.DataFrame,
    screening: pd.DataFrame | None,
    kept: list[str] | None,
    runs: int,
    seconds: float,
    noise: dict[str, float],
    not_sampled: list[tuple[str, str]],
    factors: int,
    sentences: list[str] = (),
) -> None:
    """``sensitivity.md``: one sentence per output first, then the parameters that
    matter, per output, and how to read them."""
    lines = [t("# What the answers depend on: {scenario}", scenario=scenario), ""]
    lines += [f"- {sentence}" for sentence in sentences] + [""]
    lines += [
        t(
            "Scenario {scenario}, policies {policies}; {days} days from {start}; {factors} "
            "factors sampled over their plausible ranges (configs/uncertainty/). Method: "
            "{method}, N = {samples}, {seeds} seed(s) per sample (the same seeds at every "
            "sample); {runs} model runs in {seconds} s with {workers} worker(s).",
            scenario=f"`{scenario}`",
            policies=", ".join(t(p.replace("_", " ")) for p in policies),
            days=settings["days"],
            start=fdate(dt.date.fromisoformat(str(settings["start_date"]))),
            factors=factors,
            method=t("Morris screening")
            if method == "morris"
            else t("Morris screening, then Sobol"),
            samples=settings["samples"],
            seeds=settings["replications"],
            runs=runs,
            seconds=f"{seconds:.0f}",
            workers=settings["workers"],
        ),
        "",
    ]
    if method == "sobol" and kept is not None:
        lines += [
            t(
                "Morris screening (N = {n}) kept {count} factor(s) for Sobol: {kept} (mu* at "
                "least {share} of the largest for some output, at most {top}); the others stay "
                "at their defaults.",
                n=settings["screening_samples"],
                count=len(kept),
                kept=", ".join(factor_words(k) for k in kept) or t("none"),
                share=f"{settings['keep_fraction']:.0%}",
                top=settings["keep_top"],
            ),
            "",
        ]
    key = "mu_star" if method == "morris" else "ST"
    top = matters(table, method)
    for output in dict.fromkeys(table["output"]):
        rows = top[top["output"] == output]
        lines += [f"## {label(output)}", ""]
        if rows.empty:
            lines += [t("No parameter's effect stands clear of zero."), ""]
        else:
            heads = (
                ["mu*", "95% ±", "sigma"] if method == "morris" else ["S1", "95% ±", "ST", "95% ±"]
            )
            lines.append("| " + " | ".join([t("parameter"), t("category"), *heads]) + " |")
            lines.append("|---" * (2 + len(heads)) + "|")
            for _, r in rows.iterrows():
                figures = (
                    [r["mu_star"], r["mu_star_conf"], r["sigma"]]
                    if method == "morris"
                    else [r["S1"], r["S1_conf"], r["ST"], r["ST_conf"]]
                )
                cells = " | ".join(_fmt(v) for v in figures)
                words = f"{factor_words(r['parameter'])} (`{r['parameter']}`)"
                lines.append(f"| {words} | {t(r['category'])} | {cells} |")
            lines.append("")
        floor = noise.get(output)
        if floor is not None and floor == floor:
            lines += [
                t(
                    "Seed noise: with {seeds} seeds a sample's mean moves by seed alone enough "
                    "to make an elementary effect of up to {floor} (less with common random "
                    "numbers); a mu* below that is noise.",
                    seeds=settings["replications"],
                    floor=_fmt(floor),
                ),
                "",
            ]
    lines += [
        t("## How to read this"),
        "",
        t(
            "{key} measures how much an output moves when a factor moves across its "
            "plausible range: Morris's mu* is the mean absolute change over about two thirds "
            "of the range (in the output's unit), sigma the spread of those changes "
            "(interactions or a non-monotonic effect); Sobol's S1 is the share of the "
            "output's variance a factor explains alone, ST with its interactions. The "
            "intervals are bootstrap intervals over the samples: with one seed per sample, "
            "seed noise shows in them as spread between trajectories (common random numbers "
            "keep it small); more seeds per sample (`sensitivity.replications`) narrow them.",
            key="mu*" if key == "mu_star" else "ST",
        ),
        "",
        t(
            "Only assumptions are sampled; levers (a policy's count, start day, months) are "
            "compared by running them. Held fixed on purpose:"
        ),
        "",
    ]
    lines += [f"- `{p}`: {t(reason)}" for p, reason in not_sampled]
    if screening is not None:
        lines += ["", t("Morris screening of all factors: morris.csv.")]
    lines.append("")
    path.write_text("\n".join(lines), encoding="utf-8")
