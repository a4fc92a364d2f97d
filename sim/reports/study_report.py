"""The report of a study (a sweep): ``report.html`` beside its ``comparison.csv``.

``write_study_report(study_dir, comparison, figures)`` is called by ``sim.analysis``
after it has written the comparison table and the sweep's plots. It needs only:

* ``comparison``: one row per job with ``scenario``, ``setting``, ``policy``, ``status``
  (``ok`` or not), ``error``, ``replications``, ``folder``; for each compared figure F the
  columns ``F``, ``F_ci_low``, ``F_ci_high`` and, against the baseline of the same
  scenario and setting, ``F_diff``, ``F_diff_ci_low``, ``F_diff_ci_high``; optionally
  ``cost_per_overdue_averted_vnd``. Missing columns are left out of the report.
* ``figures``: PNG files (or matplotlib figures), embedded in that order.

The file is self-contained (images as base64), so it can be mailed.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

from sim.core.summary import STUDY, shown_in
from sim.reports import figures as fig
from sim.reports.caveats import caveats_html
from sim.reports.combinations import combination_notes
from sim.reports.i18n import date as fdate
from sim.reports.i18n import language, localize, number, t
from sim.reports.labels import policy_words
from sim.reports.robust_report import robust_html
from sim.reports.run_report import GLOSSARY, _e, figure_title, fmt, page, table_html
from sim.reports.thresholds_report import thresholds_html
from sim.runs.outputs import atomic_write_text, read_json
from sim.spec.paths import EXPERIMENTS

PLOTTED = ("overdue_dossiers", "mean_backlog")


def experiment_question(name: str, experiments: Path = EXPERIMENTS, lang: str = "en") -> str | None:
    """The question of study ``name`` from ``experiments/NAME/README.md``, as plain text.

    Takes the paragraph that starts with "**Question.**", else the first paragraph; in
    Vietnamese (``lang="vi"``) the one that starts with "**Câu hỏi.**" (the README's
    translation), else the English one through the catalogue (reported missing there).
    """
    readme = experiments / name / "README.md"
    if not readme.is_file():
        return None
    paragraphs = [" ".join(p.split()) for p in readme.read_text(encoding="utf-8").split("\n\n")]
    paragraphs = [p for p in paragraphs if p and not p.startswith("#")]
    translated = QUESTION_HEADS.get(lang)
    if translated:
        found = next((p for p in paragraphs if p.startswith(translated)), None)
        if found is not None:
            return _plain(found.removeprefix(translated))
    chosen = next(
        (p for p in paragraphs if p.startswith("**Question.**")),
        paragraphs[0] if paragraphs else None,
    )
    if chosen is None:
        return None
    english = _plain(chosen.removeprefix("**Question.**"))
    if not translated:
        return english
    with language(lang):
        return t(english)


QUESTION_HEADS = {"vi": "**Câu hỏi.**"}  # a study README's question, translated


def _plain(text: str) -> str:
    return text.replace("**", "").replace("`", "").strip()


def _number(value) -> float | None:
    try:
        value = float(value)
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


def _with_ci(row: pd.Series, column: str, kind: str, signed: bool = False) -> str:
    mean = _number(row.get(column))
    if mean is None:
        return "n/a"
    low, high = _number(row.get(f"{column}_ci_low")), _number(row.get(f"{column}_ci_high"))
    text = fmt(mean, kind)
    if signed and mean > 0:
        text = "+" + text
    if low is not None and high is not None:
        text += f" [{fmt(low, kind)}, {fmt(high, kind)}]"
    return text


def _image(item) -> str:
    if isinstance(item, Figure):
        return fig.to_base64_png(item)
    import base64

    return base64.b64encode(Path(item).read_bytes()).decode("ascii")


def _question(study_dir: Path, table: pd.DataFrame, question: str | None) -> str:
    """What the study asked: its folder, scenarios, policies, settings, period and seeds."""
    ok = table[table.get("status", "ok") == "ok"] if "status" in table else table
    facts = []
    for _, row in ok.iterrows():
        summary_file = study_dir / str(row.get("folder", "")) / "summary.json"
        if summary_file.is_file():
            summary = read_json(summary_file)
            start = dt.date.fromisoformat(summary["start_date"])
            end = start + dt.timedelta(days=int(summary["days"]) - 1)
            facts.append(
                (
                    t(
                        "{start} to {end} ({days} days)",
                        start=fdate(start),
                        end=fdate(end),
                        days=summary["days"],
                    ),
                    t(
                        "master seed {seed}, {reps} replications per job; replication r of "
                        "every policy sees the same demand (common random numbers)",
                        seed=summary["seed"],
                        reps=summary["replications"],
                    ),
                )
            )
            break
    items = [("Study", study_dir.name)]
    if question:
        items.append(("Question", question))
    items += [
        ("Scenarios", ", ".join(sorted(set(map(str, table.get("scenario", []))))) or t("n/a")),
        (
            "Policies",
            ", ".join(policy_words(p) for p in dict.fromkeys(map(str, table.get("policy", []))))
            or t("n/a"),
        ),
    ]
    settings = sorted({str(s) for s in table.get("setting", []) if isinstance(s, str) and s})
    if settings:
        items.append(("Other settings swept", "; ".join(settings)))
    if facts:
        items += [("Period", facts[0][0]), ("Seeds", facts[0][1])]
    body = "".join(f"<dt>{_e(t(k))}</dt><dd>{_e(v)}</dd>" for k, v in items)
    return f'<h2>{_e(t("The question"))}</h2><dl class="q">{body}</dl>'


def _group_tables(table: pd.DataFrame) -> list[str]:
    """Per scenario and setting: each policy's figures, then its change from baseline."""
    shown = [(f.key, figure_title(f), f.kind) for f in shown_in(STUDY) if f.key in table]
    parts = []
    keys = [k for k in ("scenario", "setting") if k in table]
    groups = table.groupby(keys, sort=True, dropna=False) if keys else [((), table)]
    for key, rows in groups:
        key = key if isinstance(key, tuple) else (key,)
        title = " · ".join(str(k) for k in key if isinstance(k, str) and k) or t("all jobs")
        means, changes = [], []
        for _, row in rows.iterrows():
            policy = policy_words(str(row.get("policy", "")))
            means.append(
                [policy, fmt(_number(row.get("replications")), "count")]
                + [_with_ci(row, column, kind) for column, _, kind in shown]
            )
            line = [policy] + [
                _with_ci(row, f"{column}_diff", kind, True) for column, _, kind in shown
            ]
            if "cost_per_overdue_averted_vnd" in rows:
                line.append(fmt(_number(row.get("cost_per_overdue_averted_vnd")), "vnd"))
            changes.append(line)
        labels = [label for _, label, _ in shown]
        extra = [t("cost per overdue dossier averted (VND)")] * (
            "cost_per_overdue_averted_vnd" in rows
        )
        parts.append(
            f"<h3>{_e(title)}</h3><p>{_e(t('Mean over replications [95% CI]:'))}</p>"
            + table_html([t("policy"), t("replications"), *labels], means)
            + f"<p>{_e(t('Change from the baseline, paired by replication [95% CI]:'))}</p>"
            + table_html([t("policy"), *labels, *extra], changes)
        )
    return parts


def _comparison_figures(table: pd.DataFrame) -> list[str]:
    """Each policy's mean with its 95% CI for the key measures, and its paired change."""
    parts = []
    for column, label, kind in ((f.key, figure_title(f), f.kind) for f in shown_in(STUDY)):
        for suffix, what in (
            ("", label),
            ("_diff", t("change from baseline, {label}", label=label)),
        ):
            if column not in PLOTTED or f"{column}{suffix}" not in table:
                continue
            name = f"{column}{suffix}"
            scale = 100.0 if kind == "rate" else 1.0
            labels, means, lows, highs = [], [], [], []
            for _, row in table.iterrows():
                mean = _number(row.get(name))
                if mean is None or (suffix and row.get("policy") == "baseline"):
                    continue
                setting = row.get("setting")
                labels.append(
                    f"{row.get('scenario', '')} · {policy_words(str(row.get('policy', '')))}"
                    + (f" [{setting}]" if isinstance(setting, str) and setting else "")
                )
                means.append(scale * mean)
                low, high = _number(row.get(f"{name}_ci_low")), _number(row.get(f"{name}_ci_high"))
                lows.append(None if low is None else scale * low)
                highs.append(None if high is None else scale * high)
            if labels:
                figure = fig.comparison_figure(
                    labels,
                    means,
                    lows,
                    highs,
                    xlabel=what,
                    title=t("paired change from the baseline")
                    if suffix
                    else t("{label}: mean and 95% CI", label=label),
                    zero_line=bool(suffix),
                )
                parts.append(
                    f'<p><img alt="{_e(t("{what} by policy", what=what))}" '
                    f'src="data:image/png;base64,{fig.to_base64_png(figure)}"></p>'
                )
    return parts


def _fewest_replications(table: pd.DataFrame) -> int | None:
    counts = pd.to_numeric(table.get("replications", pd.Series(dtype=float)), errors="coerce")
    counts = counts.dropna()
    return int(counts.min()) if len(counts) else None


def study_report_html(
    study_dir: Path,
    comparison: pd.DataFrame,
    figures: Sequence = (),
    question: str | None = None,
    robust: tuple[pd.DataFrame, pd.DataFrame] | None = None,
    thresholds: tuple[pd.DataFrame, Path | None] | None = None,
) -> str:
    """The full HTML text of a study's report (``robust``: robust.csv and
    robust_drivers.csv of a study run over a sample of the ranges; ``thresholds``: the
    table of ``python -m sim.thresholds`` and its tornado plot)."""
    study_dir = Path(study_dir)
    table = comparison.copy()
    failed = table[table["status"] != "ok"] if "status" in table else table.iloc[0:0]
    ok = table.drop(failed.index)
    title = t("Study {name}: policy comparison", name=study_dir.name)
    body = [
        f"<h1>{_e(title)}</h1>",
        _question(study_dir, table, question),
        caveats_html(
            sorted({str(s) for s in table.get("scenario", [])}),
            _fewest_replications(ok),
        ),
        f"<h2>{_e(t('Policies compared'))}</h2>",
        "<p>"
        + _e(
            t(
                "Replication r of every policy sees the same demand, so a change from the "
                "baseline is measured replication by replication; a change whose 95% interval "
                "excludes 0 is a real effect at that level."
            )
        )
        + "</p>",
    ]
    body += _group_tables(ok)
    notes = combination_notes(ok)
    if notes:
        body.append(f"<h2>{_e(t('Combinations that do worse than a part'))}</h2>")
        body += [f"<p>{_e(note)}</p>" for note in notes]
    if robust is not None:
        body += robust_html(*robust)
    if thresholds is not None:
        body += thresholds_html(*thresholds)
    body += [f"<h2>{_e(t('Figures'))}</h2>"] + _comparison_figures(ok)
    for item in figures:
        if isinstance(item, Figure) or Path(item).is_file():
            name = t("figure") if isinstance(item, Figure) else t(Path(item).stem.replace("_", " "))
            body.append(f'<p><img alt="{_e(name)}" src="data:image/png;base64,{_image(item)}"></p>')
    if len(failed):
        rows = [
            [
                str(r.get("folder", "")),
                policy_words(str(r.get("policy", ""))),
                str(r.get("error", "")),
            ]  # fmt: skip
            for _, r in failed.iterrows()
        ]
        body.append(
            f"<h2>{_e(t('Jobs that failed'))}</h2><p>{_e(t('Left out of the comparison:'))}</p>"
            + table_html([t("job folder"), t("policy"), t("error")], rows)
        )
    items = "".join(f"<dt>{_e(t(term))}</dt><dd>{_e(t(x))}</dd>" for term, x in GLOSSARY)
    body.append(f'<h2>{_e(t("How to read this report"))}</h2><dl class="q">{items}</dl>')
    return page(title, body)


def write_study_report(
    study_dir: Path,
    comparison: pd.DataFrame,
    figures: Sequence = (),
    *,
    question: str | None = None,
    lang: str = "en",
    robust: tuple[pd.DataFrame, pd.DataFrame] | None = None,
    thresholds: tuple[pd.DataFrame, Path | None] | None = None,
) -> Path:
    """Write ``report.html`` into ``study_dir``; returns its path.

    Args:
        study_dir: the sweep folder (job folders below it).
        comparison: the comparison table (see the module docstring for its columns).
        figures: PNG paths or matplotlib figures to embed after the comparison plots.
        question: the study's question; by default the one in
            ``experiments/<study_dir name>/README.md``, if there is one (in ``lang``).
        lang: the report's language (en or vi).
        robust, thresholds: the sections over the ranges of the assumptions, if any.
    """
    path = Path(study_dir) / "report.html"
    if question is None:
        question = experiment_question(Path(study_dir).name, lang=lang)
    with language(lang):
        text = study_report_html(study_dir, comparison, figures, question, robust, thresholds)
    atomic_write_text(path, text)
    return path


def study_lines(table: pd.DataFrame, csv: Path) -> str:
    """A few lines for the terminal, in the report language: what was compared, which
    jobs failed, and any combination worse than its parts; ``csv`` the comparison table."""
    ok = table[table["status"] == "ok"]
    lines = [
        t(
            "{folder}: {compared} job(s) compared, {failed} failed",
            folder=csv.parent,
            compared=len(ok),
            failed=len(table) - len(ok),
        )
    ]
    for _, row in ok.iterrows():
        diff = row["overdue_dossiers_diff"]
        low, high = row["overdue_dossiers_diff_ci_low"], row["overdue_dossiers_diff_ci_high"]
        change = ""
        if not math.isnan(diff):
            change = "  " + t(
                "change {diff} (95% CI {low} to {high})",
                diff=localize(f"{diff:+.1f}"),
                low=localize(f"{low:+.1f}"),
                high=localize(f"{high:+.1f}"),
            )
        setting = f" [{row['setting']}]" if row["setting"] else ""
        lines.append(
            f"  {row['scenario']}{setting} {policy_words(str(row['policy']))}: "
            + t("overdue dossiers {value}", value=number(row["overdue_dossiers"], 1))
            + change
        )
    for _, row in table[table["status"] != "ok"].iterrows():
        lines.append("  " + t("FAILED {folder}: {error}", folder=row["folder"], error=row["error"]))
    lines += [f"  {note}" for note in combination_notes(ok)]
    lines.append("  " + t("table: {path}", path=csv))
    return "\n".join(lines)
