"""``validation.csv``, ``validation.md`` and ``docs/VALIDATION.md``: the published
figures with the model's values and verdicts (sim/runs/validation.py).

The table's fixed text goes through the catalogue (``output.language``); the figures'
own words (what was published, where, by whom) are the figures file's.
``docs/VALIDATION.md`` is always written in English and says how and when it was made.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
from pathlib import Path

from sim.reports.i18n import current, date, language, month, number, t
from sim.runs.published_figures import TEXT_KEYS, PublishedFigure, RunConfig
from sim.runs.schema import code_version
from sim.runs.validation import FAILS, HOLDS, NOT_COMPARABLE, Verdict, agreement

CSV_COLUMNS = (
    "id", "kind", "figure", "unit", "period", "place", "source", "scenario", "run",
    "output", "published", "model_mean", "model_low", "model_high", "model_replications",
    "tolerance", "holds", "reason", "note",
)  # fmt: skip
KIND_WORDS = {"national": "national", "provincial": "provincial", "field_report": "field report"}
DOCS_TITLE = "# Validation against published figures"


def words(figure: PublishedFigure, key: str) -> str:
    """A figure's own words (``figure``, ``unit``, ...) in the report's language when the
    figures file gives them (its ``vi`` block), else as written."""
    if current() == "vi" and key in figure.vi:
        return figure.vi[key]
    if key == "not_comparable":
        return figure.compare.get(key, "")
    return getattr(figure, key)


def field_words(name: str) -> str:
    """A field key as a reader sees it (``civil_status``: civil status, hộ tịch)."""
    return t(name.replace("_", " "))


def value_text(value) -> str:
    """A number at a precision that suits its size; a name as it is."""
    if isinstance(value, str):
        return value
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    size = abs(value)
    return number(value, 0 if size >= 100 else 1 if size >= 10 else 3)


def published_text(figure: PublishedFigure) -> str:
    published = figure.published
    if isinstance(published, tuple):
        return t("{low} to {high}", low=value_text(published[0]), high=value_text(published[1]))
    return words(figure, "published") if isinstance(published, str) else value_text(published)


def tolerance_text(figure: PublishedFigure) -> str:
    if not figure.tolerance:
        return "-"
    kind, bound = next(iter(figure.tolerance.items()))
    if kind == "absolute":
        return t("within ±{x}", x=value_text(bound))
    if kind == "relative":
        return t("within ±{x}%", x=number(100 * bound, 0))
    if kind == "within":
        return t("{low} to {high}", low=value_text(bound[0]), high=value_text(bound[1]))
    if kind == "above":
        return t("above {x}", x=value_text(bound))
    if kind == "below":
        return t("below {x}", x=value_text(bound))
    return t("one of {names}", names=", ".join(field_words(b) for b in bound))


def output_text(figure: PublishedFigure) -> str:
    """The model output compared, in words (with its key, so that it can be found)."""
    c = figure.compare
    if "not_comparable" in c:
        return "-"
    if "summary" in c:
        return t("`{path}` of summary.json", path=c["summary"])
    if "lowest_field" in c:
        return t(
            "the field with the lowest `{figure}` (means over replications)",
            figure=c["lowest_field"],
        )
    if "lowest_of_fields" in c:
        return t("the lowest `{figure}` of any field", figure=c["lowest_of_fields"])
    if "field_share" in c:
        return t(
            "`{field}`'s share of the dossiers received in {fields}",
            field=c["field_share"], fields=", ".join(f"`{f}`" for f in c["among"]),
        )  # fmt: skip
    if "daily_ratio" in c:
        return t(
            "`{a}` / `{b}` of the daily series, {start} to {end}",
            a=c["daily_ratio"][0], b=c["daily_ratio"][1], start=_day(c["from"]), end=_day(c["to"]),
        )  # fmt: skip
    if "monthly_rise" in c:
        return t(
            "`{a}` / `{b}` of the daily series in {later} minus the same in {earlier}",
            a=c["monthly_rise"][0], b=c["monthly_rise"][1], later=month(c["to_month"]),
            earlier=month(c["from_month"]),
        )  # fmt: skip
    if "per_commune_per_working_day" in c:
        text = t(
            "`{column}` of the daily series per commune per working day, {start} to {end}",
            column=c["per_commune_per_working_day"], start=_day(c["from"]), end=_day(c["to"]),
        )  # fmt: skip
        if c.get("gross_up_by"):
            text += t(", divided by 1 - `scenario.{path}`", path=c["gross_up_by"])
        return text
    return t(
        "`{column}` of the daily series per dossier clerk per working day, {start} to {end}",
        column=c["per_clerk_per_working_day"], start=_day(c["from"]), end=_day(c["to"]),
    )  # fmt: skip


def _day(text: str) -> str:
    """``2025-07-01`` from the figures' file as a reader writes a date."""
    return date(dt.date.fromisoformat(str(text)))


def run_text(run: RunConfig) -> str:
    text = t(
        "`scenario={scenario}`, {days} days from {start}, {replications} replications",
        scenario=run.scenario, days=run.days, start=date(run.first_date),
        replications=run.replications,
    )  # fmt: skip
    if run.overrides:
        text += " " + " ".join(f"`{o}`" for o in run.overrides)
    return text


def model_text(verdict: Verdict) -> str:
    if verdict.holds == NOT_COMPARABLE:
        return "-"
    if isinstance(verdict.mean, str):
        count, total = agreement(verdict)
        return t(
            "{name} ({count} of {total} replications)",
            name=field_words(verdict.mean), count=count, total=total,
        )  # fmt: skip
    if verdict.low is None:
        return value_text(verdict.mean)
    return t(
        "{mean} ({low} to {high})",
        mean=value_text(verdict.mean), low=value_text(verdict.low), high=value_text(verdict.high),
    )  # fmt: skip


def holds_text(verdict: Verdict) -> str:
    if verdict.holds == HOLDS:
        return t("yes")
    if verdict.holds == FAILS:
        return t("no")
    reason = (
        t(verdict.reason_words[0], **verdict.reason_words[1])
        if verdict.reason_words
        else words(verdict.figure, "not_comparable")
    )
    return t("not comparable: {reason}", reason=reason)


def counts(verdicts: list[Verdict]) -> dict[str, int]:
    return {kind: sum(v.holds == kind for v in verdicts) for kind in (HOLDS, FAILS, NOT_COMPARABLE)}


def count_line(verdicts: list[Verdict]) -> str:
    n = counts(verdicts)
    return t(
        "{total} figure(s): {holds} hold, {fails} do not, {other} not comparable.",
        total=len(verdicts), holds=n[HOLDS], fails=n[FAILS], other=n[NOT_COMPARABLE],
    )  # fmt: skip


def running_line(run: RunConfig) -> str:
    """What the terminal says while a run of the figures file runs."""
    return t(
        "running {run} ({scenario}, {days} days, {replications} replications)",
        run=run.name, scenario=run.scenario, days=run.days, replications=run.replications,
    )  # fmt: skip


def terminal_line(verdict: Verdict) -> str:
    """One line per figure for the terminal: the verdict first, then the figure."""
    f = verdict.figure
    if verdict.holds == NOT_COMPARABLE:
        return f"{holds_text(verdict)} ({f.id})"
    verdict_word = holds_text(verdict)
    return f"{verdict_word:<4} " + t(
        "{id}: model {model} against published {published} ({tolerance})",
        id=f.id, model=model_text(verdict), published=published_text(f),
        tolerance=tolerance_text(f),
    )  # fmt: skip


def write_csv(path: Path, verdicts: list[Verdict], runs: dict[str, RunConfig]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=CSV_COLUMNS)
        writer.writeheader()
        for v in verdicts:
            f, run = v.figure, runs[v.figure.run]
            numeric = not isinstance(v.mean, str)
            writer.writerow(
                {
                    "id": f.id, "kind": f.kind, "figure": f.figure, "unit": f.unit,
                    "period": f.period, "place": f.place, "source": f.source,
                    "scenario": run.scenario, "run": f.run, "output": output_text(f),
                    "published": list(f.published)
                    if isinstance(f.published, tuple)
                    else f.published,
                    "model_mean": v.mean if v.mean is not None else "",
                    "model_low": v.low if numeric and v.low is not None else "",
                    "model_high": v.high if numeric and v.high is not None else "",
                    "model_replications": ";".join(str(x) for x in v.values),
                    "tolerance": ";".join(f"{k}={b}" for k, b in f.tolerance.items()),
                    "holds": v.holds, "reason": v.reason, "note": f.note,
                }
            )  # fmt: skip


def table_lines(verdicts: list[Verdict], runs: dict[str, RunConfig]) -> list[str]:
    heads = [
        t("id"), t("kind"), t("published figure"), t("unit"), t("period"), t("place"),
        t("source"), t("model run"), t("model output compared"), t("published"),
        t("model: mean (95% interval over replications)"), t("tolerance"), t("holds"),
    ]  # fmt: skip
    lines = ["| " + " | ".join(heads) + " |", "|---" * len(heads) + "|"]
    for v in verdicts:
        f = v.figure
        cells = [
            f"`{f.id}`", t(KIND_WORDS[f.kind]), *(words(f, k) for k in TEXT_KEYS),
            run_text(runs[f.run]), output_text(f), published_text(f), model_text(v),
            tolerance_text(f), holds_text(v),
        ]  # fmt: skip
        lines.append(
            "| " + " | ".join(c.replace("|", "/").replace("\n", " ") for c in cells) + " |"
        )
    return lines


def validation_sheets(verdicts: list[Verdict], runs: dict[str, RunConfig]) -> dict:
    """validation.xlsx (``output.excel=true``): the report's table in the current
    language, the model's mean and interval as numbers, the figure's id kept hidden."""
    import pandas as pd

    rows = []
    for v in verdicts:
        f = v.figure
        numeric = isinstance(v.mean, int | float) and not isinstance(v.mean, bool)
        text = {k: words(f, k) for k in TEXT_KEYS}
        rows.append(
            {
                "key": f.id, "kind": f.kind, "published_figure": text["figure"],
                "unit": text["unit"], "period": text["period"], "place": text["place"],
                "source": text["source"], "model_run": run_text(runs[f.run]),
                "model_output_compared": output_text(f), "published": published_text(f),
                "model_value": model_text(v), "model_mean": v.mean if numeric else None,
                "model_low": v.low if numeric else None,
                "model_high": v.high if numeric else None,
                "tolerance": tolerance_text(f), "holds": holds_text(v),
            }
        )  # fmt: skip
    return {"validation": pd.DataFrame(rows)}


def note_lines(verdicts: list[Verdict]) -> list[str]:
    notes = [f"- `{v.figure.id}`: {words(v.figure, 'note')}" for v in verdicts if v.figure.note]
    return [t("Notes on the figures:"), "", *notes, ""] if notes else []


def how_to_read() -> list[str]:
    return [
        t(
            "Each figure is read from its run's outputs in every replication; the model's "
            "value is the mean over the replications with its 95% interval (for a field "
            "named by the model, how many replications named it). A figure holds when the "
            "mean is within the tolerance; a direction (above, below) holds when the mean "
            "lies beyond the bound. Not comparable: the model has no output to compare."
        ),
        "",
    ]


def write_report(path: Path, verdicts: list[Verdict], runs: dict[str, RunConfig], seed: int,
                 seconds: float) -> None:  # fmt: skip
    """``validation.md`` of a run folder, in the current language."""
    lines = [
        t("# Validation against published figures"),
        "",
        t(
            "Produced by `python -m sim.validate` on {day} (code version {version}), master "
            "seed {seed}, in {seconds} s.",
            day=date(dt.date.today()), version=f"`{code_version()}`", seed=seed,
            seconds=number(seconds, 0),
        ),
        count_line(verdicts),
        "",
        *how_to_read(),
        *table_lines(verdicts, runs),
        "",
        *note_lines(verdicts),
    ]  # fmt: skip
    path.write_text("\n".join(lines), encoding="utf-8")


def write_docs(path: Path, verdicts: list[Verdict], runs: dict[str, RunConfig], seed: int,
               version: str) -> None:  # fmt: skip
    """``docs/VALIDATION.md``: the whole table, in English, saying how and when it was made."""
    with language("en"):
        made = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
        lines = [
            DOCS_TITLE,
            "",
            "This page is written by `python -m sim.validate validate.write_docs=true` from "
            "the figures listed in `sim/configs/validation.yaml` (their sources: "
            '`docs/SOURCES.md`, "Published figures the model is checked against"); do not '
            "edit it by hand: change the figures file and run the command again. "
            f"Last produced: {made} by code version `{version}`, master seed {seed}.",
            "",
            count_line(verdicts),
            "",
            *how_to_read(),
            *table_lines(verdicts, runs),
            "",
            *note_lines(verdicts),
        ]
    path.write_text("\n".join(lines), encoding="utf-8")


def docs_rows(text: str) -> dict[str, str]:
    """The figure ids of a written table and their published values (to compare two tables)."""
    rows = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 13 and cells[0].startswith("`"):
            rows[cells[0].strip("`")] = cells[9]
    return rows
