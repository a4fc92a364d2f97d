"""Plots and a short report of a sensitivity analysis (``python -m sim.sensitivity``).

``sensitivity_morris.png``: mu* against sigma, one panel per output (a factor far right
matters; high up, its effect depends on the other factors or is not monotonic).
``sensitivity_bars.png``: factors ranked by mu* (Morris) or ST and S1 (Sobol) with their
bootstrap intervals. ``sensitivity.md``: the settings, the parameters that matter per
output, how seed noise shows, and what was not sampled.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

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
    return f"{value:.3g}" if abs(value) < 1000 else f"{value:,.0f}"


def matters(table: pd.DataFrame, method: str, share: float = 0.1) -> pd.DataFrame:
    """The rows that matter: mu* (or ST) at least ``share`` of the output's largest and
    its interval clear of zero."""
    key, conf = ("mu_star", "mu_star_conf") if method == "morris" else ("ST", "ST_conf")
    largest = table.groupby("output")[key].transform("max")
    keep = (table[key] >= share * largest) & (table[key] - table[conf] > 0) & (largest > 0)
    return table[keep]


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
) -> None:
    """``sensitivity.md``: the parameters that matter, per output, and how to read them."""
    lines = [
        f"# What the answers depend on: {scenario}",
        "",
        f"Scenario `{scenario}`, policies {', '.join(policies)}; {settings['days']} days from "
        f"{settings['start_date']}; {factors} factors sampled over their plausible ranges "
        "(configs/uncertainty/). "
        f"Method: {'Morris screening' if method == 'morris' else 'Morris screening, then Sobol'}"
        f", N = {settings['samples']}, {settings['replications']} seed(s) per sample "
        f"(the same seeds at every sample); {runs} model runs in {seconds:.0f} s "
        f"with {settings['workers']} worker(s).",
        "",
    ]
    if method == "sobol" and kept is not None:
        lines += [
            f"Morris screening (N = {settings['screening_samples']}) kept {len(kept)} factor(s) "
            f"for Sobol: {', '.join(f'`{k}`' for k in kept) or 'none'} (mu* at least "
            f"{settings['keep_fraction']:.0%} of the largest for some output, at most "
            f"{settings['keep_top']}); the others stay at their defaults.",
            "",
        ]
    key = "mu_star" if method == "morris" else "ST"
    top = matters(table, method)
    for output in dict.fromkeys(table["output"]):
        rows = top[top["output"] == output]
        lines.append(f"## {output}")
        lines.append("")
        if rows.empty:
            lines += ["No parameter's effect stands clear of zero.", ""]
        else:
            lines.append(
                "| parameter | category | mu* | 95% ± | sigma |"
                if method == "morris"
                else "| parameter | category | S1 | 95% ± | ST | 95% ± |"
            )
            lines.append(
                "|---|---|---|---|---|" if method == "morris" else "|---|---|---|---|---|---|"
            )
            for _, r in rows.iterrows():
                figures = (
                    [r["mu_star"], r["mu_star_conf"], r["sigma"]]
                    if method == "morris"
                    else [r["S1"], r["S1_conf"], r["ST"], r["ST_conf"]]
                )
                cells = " | ".join(_fmt(v) for v in figures)
                lines.append(f"| `{r['parameter']}` | {r['category']} | {cells} |")
            lines.append("")
        floor = noise.get(output)
        if floor is not None and floor == floor:
            lines += [
                f"Seed noise: with {settings['replications']} seeds a sample's mean moves by "
                f"seed alone enough to make an elementary effect of up to {_fmt(floor)} "
                "(less with common random numbers); a mu* below that is noise.",
                "",
            ]
    lines += [
        "## How to read this",
        "",
        f"{'mu*' if key == 'mu_star' else 'ST'} measures how much an output moves when a "
        "factor moves across its plausible range: Morris's mu* is the mean absolute change "
        "over about two thirds of the range (in the output's unit), sigma the spread of "
        "those changes (interactions or a non-monotonic effect); Sobol's S1 is the share of "
        "the output's variance a factor explains alone, ST with its interactions. The "
        "intervals are bootstrap intervals over the samples: with one seed per sample, "
        "seed noise shows in them as spread between trajectories (common random numbers "
        "keep it small); more seeds per sample (`sensitivity.replications`) narrow them.",
        "",
        "Only assumptions are sampled; levers (a policy's count, start day, months) are "
        "compared by running them. Held fixed on purpose:",
        "",
    ]
    lines += [f"- `{p}`: {reason}" for p, reason in not_sampled]
    if screening is not None:
        lines += ["", "Morris screening of all factors: morris.csv."]
    lines.append("")
    path.write_text("\n".join(lines), encoding="utf-8")
