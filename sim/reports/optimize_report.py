"""The report of ``python -m sim.optimize``: the allocation map, the Pareto plot, the gain.

``report.html`` (self-contained) shows the chosen allocation as a commune x lever table,
the baselines run on the same replications, the gain over the best existing heuristic
with its paired 95% interval, and the plot of every trial (cost against the objective,
or the two objectives) with the re-run finalists; ``pareto.png`` is the same plot.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from sim.reports.figures import save_png  # noqa: E402
from sim.reports.i18n import number, t  # noqa: E402
from sim.reports.labels import label, policy_words  # noqa: E402
from sim.reports.run_report import _e, figure_html, page, table_html  # noqa: E402
from sim.runs.outputs import atomic_write_text  # noqa: E402


def pareto_figure(
    trials: Sequence[Sequence[float]],
    finalists: Sequence[Sequence[float]],
    baselines: Mapping[str, Sequence[float]],
    labels: Sequence[str],
    title: str,
) -> Figure:
    """Trials (grey), finalists re-run (blue) and baselines (labelled) on two axes."""
    figure, ax = plt.subplots(figsize=(7, 4.5))
    if trials:
        ax.scatter(*zip(*trials, strict=True), s=14, color="0.7", label=t("trials (search)"))
    if finalists:
        ax.scatter(*zip(*finalists, strict=True), s=36, color="tab:blue", label=t("finalists"))
    for name, (x, y) in baselines.items():
        ax.scatter([x], [y], marker="s", s=40, color="tab:orange")
        ax.annotate(
            allocation_name(name), (x, y), textcoords="offset points", xytext=(4, 4), fontsize=8
        )
    ax.set_xlabel(label(labels[0]))
    ax.set_ylabel(label(labels[1]))
    ax.set_title(t("{y} against {x}", y=label(labels[1]), x=label(labels[0])) if title else "")
    ax.grid(alpha=0.3)
    ax.legend(loc="best", fontsize=8)
    figure.tight_layout()
    return figure


def allocation_name(name: str) -> str:
    """A candidate's name as a reader sees it: ``finalist_2`` -> finalist 2."""
    head, _, tail = name.rpartition("_")
    if head == "finalist" and tail.isdigit():
        return t("finalist {n}", n=tail)
    return t(name.replace("_", " "))


def _money(vnd) -> str:
    return t("none") if vnd is None else t("{m} M VND", m=number(vnd / 1e6))


def allocation_table(
    rows: Sequence[Mapping], communes: Sequence[str], names: Mapping[str, str]
) -> str:
    """Communes down, lever (and field) across, amounts in the cells."""
    columns = sorted({(r["lever"], r["field"]) for r in rows})
    amounts = {(r["commune"], r["lever"], r["field"]): r["amount"] for r in rows}
    cost = {c: sum(r["cost_vnd"] for r in rows if r["commune"] == c) for c in communes}
    header = [
        t("commune"),
        *(f"{policy_words(lever)} {t(fld.replace('_', ' ')) if fld else ''}".strip()
          for lever, fld in columns),
        t("cost (M VND)"),
    ]  # fmt: skip
    body = [
        [
            names.get(c) or c,
            *(amounts.get((c, lever, fld), "") for lever, fld in columns),
            number(cost[c] / 1e6, 1),
        ]
        for c in communes
        if cost[c] or any((c, lever, fld) in amounts for lever, fld in columns)
    ]
    return table_html(header, body or [[t("(nothing allocated)")]], t("Allocation by commune"))


def optimize_report_html(result: Mapping, rows: Sequence[Mapping], figure: Figure) -> str:
    objective = label(result["objective"])
    best = result["best"]
    gain = result.get("gain") or {}
    none = (result.get("baselines") or {}).get("none")
    body = [
        f"<h1>{_e(t('Where should the money go: {scenario}', scenario=result['scenario']))}</h1>",
        "<p>"
        + _e(
            t(
                "Objective: {objective} over {days} days; budget {budget}; staff cap {cap}; "
                "levers {levers}; {trials} trials, {reps} paired replications in the final "
                "comparison.",
                objective=objective,
                days=result["days"],
                budget=_money(result.get("budget_vnd")),
                cap=result.get("max_staff") or t("none"),
                levers=policy_words(", ".join(result["levers"])),
                trials=result["trials"],
                reps=result["final_replications"],
            )
        )
        + "</p>",
    ]
    if not rows or (none is not None and none["objective_mean"] <= best["objective_mean"]):
        body.append(
            "<p><b>"
            + _e(t("Doing nothing is best: no allocation found beats spending nothing."))
            + "</b></p>"
        )
    body += [
        allocation_table(rows, result["communes"], result.get("display_names") or {}),
        f"<h2>{_e(t('Against the baselines (same replications)'))}</h2>",
        table_html(
            [t("allocation"), t("{figure} (mean)", figure=objective), t("95% CI"),
             t("cost (M VND)"), t("staff")],
            [
                [
                    allocation_name(name),
                    number(v["objective_mean"], 1),
                    _ci(v["objective_ci95"]),
                    number(v["cost_vnd"] / 1e6, 1),
                    v["staff"],
                ]
                for name, v in {"chosen": best, **result["baselines"]}.items()
            ],
        ),
    ]  # fmt: skip
    if gain:
        body.append(
            "<p>"
            + _e(
                t(
                    "Gain over the best existing heuristic ({over}): {gain} {objective} "
                    "(paired 95% CI {ci}; positive: the chosen allocation is better).",
                    over=allocation_name(gain["over"]),
                    gain=number(gain["mean"], 1),
                    objective=objective,
                    ci=_ci(gain["ci95"]),
                )
            )
            + "</p>"
        )
    if result.get("tied"):
        tied = ", ".join(allocation_name(n) for n in result["tied"])
        text = t(
            "Indistinguishable from the leader in the final comparison: {tied}; the cheapest "
            "of them was chosen.",
            tied=tied,
        )
        body.append(f"<p>{_e(text)}</p>")
    body.append(figure_html(figure, t("trials and finalists")))
    if result.get("notes"):
        body.append("<ul>" + "".join(f"<li>{_e(t(n))}</li>" for n in result["notes"]) + "</ul>")
    return page(t("Allocation: {scenario}", scenario=result["scenario"]), body)


def write_optimize_report(
    out_dir: Path, result: Mapping, rows: Sequence[Mapping], plot: Mapping
) -> None:
    """``pareto.png`` and ``report.html`` in ``out_dir``."""
    figure = pareto_figure(
        plot["trials"], plot["finalists"], plot["baselines"], plot["labels"], plot["title"]
    )
    save_png(figure, out_dir / "pareto.png")
    atomic_write_text(out_dir / "report.html", optimize_report_html(result, rows, figure))
    plt.close(figure)


def _ci(ci: Sequence | None) -> str:
    if not ci or any(v is None or v != v for v in ci):
        return t("n/a")
    return t("{low} to {high}", low=number(ci[0], 1), high=number(ci[1], 1))
