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
        ax.scatter(*zip(*trials, strict=True), s=14, color="0.7", label="trials (search)")
    if finalists:
        ax.scatter(*zip(*finalists, strict=True), s=36, color="tab:blue", label="finalists")
    for name, (x, y) in baselines.items():
        ax.scatter([x], [y], marker="s", s=40, color="tab:orange")
        ax.annotate(name, (x, y), textcoords="offset points", xytext=(4, 4), fontsize=8)
    ax.set_xlabel(labels[0])
    ax.set_ylabel(labels[1])
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend(loc="best", fontsize=8)
    figure.tight_layout()
    return figure


def allocation_table(rows: Sequence[Mapping], communes: Sequence[str]) -> str:
    """Communes down, lever (and field) across, amounts in the cells."""
    columns = sorted({(r["lever"], r["field"]) for r in rows})
    amounts = {(r["commune"], r["lever"], r["field"]): r["amount"] for r in rows}
    cost = {c: sum(r["cost_vnd"] for r in rows if r["commune"] == c) for c in communes}
    header = ["commune", *(f"{lever} {fld}".strip() for lever, fld in columns), "cost (M VND)"]
    body = [
        [c, *(amounts.get((c, lever, fld), "") for lever, fld in columns), f"{cost[c] / 1e6:,.1f}"]
        for c in communes
        if cost[c] or any((c, lever, fld) in amounts for lever, fld in columns)
    ]
    return table_html(header, body or [["(nothing allocated)"]], "Allocation by commune")


def optimize_report_html(result: Mapping, rows: Sequence[Mapping], figure: Figure) -> str:
    objective = result["objective"]
    best = result["best"]
    gain = result.get("gain") or {}
    body = [
        f"<h1>Where should the money go: {_e(result['scenario'])}</h1>",
        f"<p>Objective: <b>{_e(objective)}</b> over {result['days']} days; budget "
        f"{_money(result.get('budget_vnd'))}; staff cap {_e(result.get('max_staff') or 'none')};"
        f" levers {_e(', '.join(result['levers']))}; {result['trials']} trials, "
        f"{result['final_replications']} paired replications in the final comparison.</p>",
        allocation_table(rows, result["communes"]),
        "<h2>Against the baselines (same replications)</h2>",
        table_html(
            ["allocation", f"{objective} (mean)", "95% CI", "cost (M VND)", "staff"],
            [
                [
                    name,
                    f"{v['objective_mean']:,.1f}",
                    _ci(v["objective_ci95"]),
                    f"{v['cost_vnd'] / 1e6:,.1f}",
                    v["staff"],
                ]
                for name, v in {"chosen": best, **result["baselines"]}.items()
            ],
        ),
    ]
    if gain:
        body.append(
            f"<p>Gain over the best existing heuristic (<b>{_e(gain['over'])}</b>): "
            f"{gain['mean']:,.1f} {_e(objective)} (paired 95% CI {_ci(gain['ci95'])}; "
            "positive: the chosen allocation is better).</p>"
        )
    if result.get("tied"):
        body.append(
            "<p>Indistinguishable from the leader in the final comparison: "
            f"{_e(', '.join(result['tied']))}; the cheapest of them was chosen.</p>"
        )
    body.append(figure_html(figure, "trials and finalists"))
    if result.get("notes"):
        body.append("<ul>" + "".join(f"<li>{_e(n)}</li>" for n in result["notes"]) + "</ul>")
    return page(f"Allocation: {result['scenario']}", body)


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
        return "n/a"
    return f"{ci[0]:,.1f} to {ci[1]:,.1f}"


def _money(vnd) -> str:
    return "none" if vnd is None else f"{vnd / 1e6:,.0f} M VND"
