"""Reports a planner can read without the code: one HTML file per run and per study.

``write_run_report`` writes ``report.html`` beside a job's ``summary.json``;
``write_study_report`` writes one for a sweep from its comparison table. Both files are
self-contained (figures embedded as base64 PNG, CSS inline), so they can be mailed.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

from sim.core.summary import HEADLINE, SLICE_TABLE, Figure, format_value, is_number, shown_in
from sim.reports import figures as fig
from sim.reports.capacity_report import capacity_html, growing_warning_html
from sim.reports.caveats import caveats_html
from sim.reports.figure_text import label as figure_label
from sim.reports.figure_text import short, unit
from sim.reports.i18n import current, language, localize, t
from sim.reports.i18n import date as fdate
from sim.reports.labels import label, policy_words, setting_words
from sim.runs.outputs import atomic_write_text

MAX_HEATMAP_COMMUNES = 30  # larger scenarios show their most overdue communes
MAX_TABLE_COMMUNES = 100
GLOSSARY = (
    ("Dossier", "one administrative-procedure case file filed by a household or business."),
    ("Backlog", "dossiers received and not yet resolved or withdrawn."),
    ("Overdue", "open dossiers already past their statutory deadline."),
    (
        "On-time rate",
        "dossiers resolved on or before their deadline, as a share of all "
        "dossiers resolved (the figure provinces report and rank communes by).",
    ),
    (
        "Time to resolution",
        "elapsed hours (nights and holidays included) from submission to result.",
    ),
    ("Utilisation", "hours clerks spent serving dossiers over the hours they were at their desks."),
    (
        "95% CI",
        "the range that holds the true mean with 95% confidence, over the simulated "
        "replications (seeds).",
    ),
)
CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2em auto;
max-width:1000px;color:#222;line-height:1.45;padding:0 1em}
h1{font-size:1.6em;margin-bottom:.2em}h2{border-bottom:1px solid #ccc;padding-bottom:.2em;
margin-top:1.8em}table{border-collapse:collapse;margin:.6em 0;font-size:.92em}
th,td{border:1px solid #ddd;padding:.3em .6em;text-align:right}
th:first-child,td:first-child{text-align:left}th{background:#f3f3f3}
.cards{display:flex;flex-wrap:wrap;gap:.6em}.card{border:1px solid #ddd;border-radius:6px;
padding:.5em .8em;min-width:11em}.card .v{font-size:1.4em;font-weight:600}
.card .u,.card .ci,.note{color:#666;font-size:.85em}img{max-width:100%}
.warn{background:#fff3cd;border:1px solid #e0b252;border-radius:6px;padding:.6em .9em}
dl.q{display:grid;grid-template-columns:11em 1fr;gap:.2em 1em}dl.q dt{font-weight:600}
"""


def fmt(value, kind: str) -> str:
    """A figure as text in the report's language (1,234.5 in English, 1.234,5 in Vietnamese)."""
    return localize(format_value(value, kind)) if is_number(value) else t("n/a")


def figure_title(figure: Figure) -> str:
    """A figure's label with its unit, for axes and study tables, in the report's language."""
    text = t(figure_label(figure))
    return f"{text[0].lower()}{text[1:]} ({t(unit(figure))})"


def _ci_text(ci: Sequence | None, kind: str) -> str:
    if not ci or not all(is_number(v) for v in ci):
        return ""
    return t("95% CI {low} to {high}", low=fmt(ci[0], kind), high=fmt(ci[1], kind))


def _e(text) -> str:
    return html.escape(str(text))


def table_html(header: Sequence[str], rows: Sequence[Sequence], caption: str = "") -> str:
    """A plain HTML table; cells are escaped."""
    parts = ["<table>"]
    if caption:
        parts.append(f"<caption>{_e(caption)}</caption>")
    parts.append("<tr>" + "".join(f"<th>{_e(h)}</th>" for h in header) + "</tr>")
    for row in rows:
        parts.append("<tr>" + "".join(f"<td>{_e(c)}</td>" for c in row) + "</tr>")
    parts.append("</table>")
    return "\n".join(parts)


def figure_html(figure, alt: str) -> str:
    """An <img> with the figure embedded as base64 PNG."""
    return f'<p><img alt="{_e(alt)}" src="data:image/png;base64,{fig.to_base64_png(figure)}"></p>'


def page(title: str, body: Sequence[str]) -> str:
    now = dt.datetime.now(dt.UTC)
    generated = f"{fdate(now.date())} {now:%H:%M} UTC"
    note = t("Generated {time} by the commune capacity simulator.", time=generated)
    return (
        f'<!DOCTYPE html>\n<html lang="{current()}"><head><meta charset="utf-8">'
        f"<title>{_e(title)}</title><style>{CSS}</style></head><body>\n"
        + "\n".join(body)
        + f'\n<p class="note">{_e(note)}</p>\n</body></html>\n'
    )


def _slice_rows(slices: Mapping[str, dict], names: Mapping[str, str] | None = None) -> list:
    """Table rows of a slice (field or commune); ``names`` maps an id to its display name."""
    return [
        [(names or {}).get(name) or t(name.replace("_", " "))]
        + [fmt(figures.get(f.key), f.kind) for f in shown_in(SLICE_TABLE)]
        for name, figures in slices.items()
    ]


def _slice_header(first: str) -> list[str]:
    return [t(first)] + [t(short(f)) for f in shown_in(SLICE_TABLE)]


def _overdue(figures: dict) -> float:
    value = figures.get("overdue_open")
    return float(value) if is_number(value) else 0.0


def _policy_text(policies: Sequence[str], policy_cfg: Mapping | None) -> str:
    items = []
    for name in policies:
        params = dict((policy_cfg or {}).get(name) or {})
        detail = ", ".join(
            f"{label(k)} = {setting_words(v)}" for k, v in params.items() if k != "kind"
        )
        shown = policy_words(name)
        items.append(f"<li><b>{_e(shown)}</b>{': ' + _e(detail) if detail else ''}</li>")
    return "<ul>" + "".join(items) + "</ul>"


def run_question_html(summary: dict, policy_cfg: Mapping | None) -> str:
    """What was asked: scenario, policies, period, seeds."""
    start = dt.date.fromisoformat(summary["start_date"])
    days = int(summary["days"])
    end = start + dt.timedelta(days=days - 1)
    warmup = int(summary.get("warmup_days") or 0)
    period = t("{start} to {end} ({days} days)", start=fdate(start), end=fdate(end), days=days)
    if warmup:
        period += t(
            "; dossiers submitted before {date} (warm-up) count in volumes, not in times and rates",
            date=fdate(start + dt.timedelta(days=warmup)),
        )
    reps = int(summary.get("replications") or 1)
    seeds = t(
        "master seed {seed}, {reps} replications"
        if reps > 1
        else "master seed {seed}, 1 replication",
        seed=summary["seed"],
        reps=reps,
    )
    if reps > 1:
        seeds += t(" (figures are means over replications, with 95% confidence intervals)")
    return (
        f'<h2>{t("The question")}</h2><dl class="q">'
        f"<dt>{t('Scenario')}</dt><dd>{_e(summary['scenario'])}</dd>"
        f"<dt>{t('Policies')}</dt><dd>{_policy_text(summary.get('policies', []), policy_cfg)}</dd>"
        f"<dt>{t('Period')}</dt><dd>{_e(period)}</dd>"
        f"<dt>{t('Seeds')}</dt><dd>{_e(seeds)}</dd></dl>"
    )


def headline_html(summary: dict) -> str:
    """Cards with the headline figures, each with its unit and CI when there is one."""
    ci = summary.get("ci95") or {}
    cards = []
    for figure in shown_in(HEADLINE):
        cards.append(
            f'<div class="card"><div>{_e(t(figure_label(figure)))}</div>'
            f'<div class="v">{_e(fmt(summary.get(figure.key), figure.kind))}</div>'
            f'<div class="u">{_e(t(unit(figure)))}</div>'
            f'<div class="ci">{_e(_ci_text(ci.get(figure.key), figure.kind))}</div></div>'
        )
    return f'<h2>{_e(t("Headline figures"))}</h2><div class="cards">' + "".join(cards) + "</div>"


def glossary_html() -> str:
    items = "".join(f"<dt>{_e(t(term))}</dt><dd>{_e(t(text))}</dd>" for term, text in GLOSSARY)
    return f'<h2>{_e(t("How to read this report"))}</h2><dl class="q">{items}</dl>'


def run_report_html(
    summary: dict,
    daily: pd.DataFrame,
    *,
    calendar_spec: dict | None = None,
    policy_cfg: Mapping | None = None,
    capacity: pd.DataFrame | None = None,
) -> str:
    """The full HTML text of a run's report (``capacity``: the capacity.csv table)."""
    start = dt.date.fromisoformat(summary["start_date"])
    closed = fig.closed_days(calendar_spec, start, len(daily))
    policies = policy_words(", ".join(summary.get("policies", [])))
    title = t("{scenario} under {policies}", scenario=summary["scenario"], policies=policies)
    names = summary.get("display_names") or {}
    body = [
        f"<h1>{_e(title)}</h1>",
        growing_warning_html(capacity, names),
        run_question_html(summary, policy_cfg),
        headline_html(summary),
        caveats_html(
            [summary["scenario"]], summary.get("replications"), summary.get("replications_needed")
        ),
        f"<h2>{_e(t('Backlog over time'))}</h2>",
    ]
    body.append(
        figure_html(
            fig.backlog_figure(
                daily, closed, t("{scenario}: backlog and overdue", scenario=summary["scenario"])
            ),
            t("backlog and overdue dossiers by date"),
        )
    )
    if closed:
        rows = [[fdate(d, weekday=True), name] for d, _, name in closed]
        body.append(
            f"<p>{_e(t('Public holidays in the period (the service centres are closed):'))}</p>"
            + table_html([t("date"), t("holiday")], rows)
        )
    by_field = {
        k: v
        for k, v in summary.get("by_field", {}).items()
        if is_number(v.get("dossiers_created")) and v["dossiers_created"] > 0
    }
    body.append(f"<h2>{_e(t('On time, by field'))}</h2>")
    body.append(
        figure_html(
            fig.on_time_figure(by_field, t("on-time rate by field")), t("on-time rate by field")
        )
    )
    body.append(table_html(_slice_header("field"), _slice_rows(by_field)))
    grid = summary.get("overdue_by_commune_field")
    if grid:
        used = set(by_field) or None
        grid = {
            c: {f: v for f, v in row.items() if f != "ci95" and (used is None or f in used)}
            for c, row in grid.items()
            if c != "ci95"
        }
        worst = sorted(grid, key=lambda c: -sum(v for v in grid[c].values() if is_number(v)))
        note = ""
        if len(worst) > MAX_HEATMAP_COMMUNES:
            text = t(
                "The {n} communes with most overdue dossiers of {total}; "
                "summary.json has them all.",
                n=MAX_HEATMAP_COMMUNES,
                total=len(worst),
            )
            note = f"<p>{_e(text)}</p>"
            grid = {c: grid[c] for c in worst[:MAX_HEATMAP_COMMUNES]}
        body.append(f"<h2>{_e(t('Where the overdue dossiers are'))}</h2>" + note)
        body.append(
            figure_html(
                fig.overdue_heatmap(
                    grid, t("overdue open dossiers at the end, commune x field"), names
                ),
                t("heatmap of overdue open dossiers by commune and field"),
            )
        )
    if capacity is not None and len(capacity):
        body.append(capacity_html(capacity, names))
    communes = sorted(summary.get("by_commune", {}).items(), key=lambda item: -_overdue(item[1]))
    body.append(f"<h2>{_e(t('Communes, most overdue first'))}</h2>")
    if len(communes) > MAX_TABLE_COMMUNES:
        text = t(
            "The first {n} of {total} communes; summary.json (by_commune) has them all.",
            n=MAX_TABLE_COMMUNES,
            total=len(communes),
        )
        body.append(f"<p>{_e(text)}</p>")
    body.append(
        table_html(
            _slice_header("commune"), _slice_rows(dict(communes[:MAX_TABLE_COMMUNES]), names)
        )
    )
    body.extend(equity_html(summary, summary.get("display_names") or {}))
    body.extend(policy_costs_html(summary.get("policy_costs") or {}))
    body.append(glossary_html())
    return page(title, body)


EQUITY_LABELS = {
    "no_signal": "households without phone signal",
    "over_10_km": "applicants more than 10 km from the PASC",
}


def equity_html(summary: dict, names: Mapping[str, str] | None = None) -> list[str]:
    """The worst-off commune (its display name from ``names``), and the figures of the
    households the reports worry about."""
    names = names or {}
    body = [f"<h2>{_e(t('Equity'))}</h2>"]
    worst = summary.get("worst_off_commune") or {}
    if worst.get("lowest_on_time"):
        text = t(
            "Lowest on-time rate: {commune} ({rate}%). Most overdue dossiers per 1,000 "
            "received: {worst} ({per_1000}).",
            commune=names.get(worst["lowest_on_time"], worst["lowest_on_time"]),
            rate=fmt(worst.get("lowest_on_time_rate"), "rate"),
            worst=names.get(worst.get("most_overdue"), worst.get("most_overdue")),
            per_1000=fmt(worst.get("overdue_per_1000_dossiers"), "mean"),
        )
        body.append(f"<p>{_e(text)}</p>")
    groups = {
        name: figures
        for name, figures in (summary.get("equity") or {}).items()
        if name != "ci95" and is_number(figures.get("dossiers_created"))
    }
    if groups:
        labels = {name: t(EQUITY_LABELS.get(name, name)) for name in groups}
        body.append(table_html(_slice_header("applicants"), _slice_rows(groups, labels)))
    return body


def policy_costs_html(costs: Mapping[str, dict]) -> list[str]:
    """Each policy's cost: new money vs salaries moved, one-off vs recurring (VND)."""
    rows = [
        [policy_words(name)] + [fmt(split.get(k), "vnd") for k in COST_COLUMNS]
        for name, split in costs.items()
        if name != "ci95"
    ]
    if not rows:
        return []
    header = [t("policy")] + [t(k.removesuffix("_vnd").replace("_", " ")) for k in COST_COLUMNS]
    note = t(
        "Budget: new money; opportunity: salaries paid anyway, moved from other work "
        "(summary.json {key} has them by commune and by item).",
        key="\0",
    )
    return [
        f"<h2>{_e(t('What the policies cost (VND)'))}</h2>",
        table_html(header, rows),
        f"<p>{_e(note).replace(chr(0), '<code>policy_costs</code>')}</p>",
    ]


COST_COLUMNS = ("budget_vnd", "opportunity_vnd", "one_off_vnd", "recurring_vnd")


def write_run_report(
    out_dir: Path,
    summary: dict,
    daily: pd.DataFrame,
    *,
    calendar_spec: dict | None = None,
    policy_cfg: Mapping | None = None,
    capacity: pd.DataFrame | None = None,
    lang: str = "en",
) -> Path:
    """Write ``report.html`` for one job into ``out_dir``; returns its path.

    Args:
        out_dir: the job's output directory (beside summary.json).
        summary: the job's summary (as written to summary.json).
        daily: the job's daily series (as written to daily.csv).
        calendar_spec: the scenario's ``calendar`` block, to shade its holidays.
        policy_cfg: the composed ``policy`` block, to list each policy's parameters.
        capacity: the job's capacity.csv table (warning and section).
        lang: the report's language (``output.language``: en or vi).
    """
    path = Path(out_dir) / "report.html"
    with language(lang):
        text = run_report_html(
            summary, daily, calendar_spec=calendar_spec, policy_cfg=policy_cfg, capacity=capacity
        )
    atomic_write_text(path, text)
    return path


def plot_backlog(
    daily: pd.DataFrame, path: Path, title: str, calendar_spec: dict | None = None
) -> None:
    """backlog.png: backlog and overdue by date, holidays shaded, daily flows below."""
    start = dt.date.fromisoformat(str(daily["date"].iloc[0]))
    closed = fig.closed_days(calendar_spec, start, len(daily))
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    fig.save_png(fig.backlog_figure(daily, closed, title), path)
