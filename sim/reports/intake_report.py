"""report.html of ``python -m sim.intake``: what the dossier log held and what it says
(volumes per commune and field, on-time results by field, the slowest procedures, the
rows that could not be used), in the language of ``output.language``."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pandas as pd

from sim.reports.i18n import date as fdate
from sim.reports.i18n import language, number, t
from sim.reports.run_report import _e, page, table_html
from sim.runs.outputs import atomic_write_text

SLOWEST = 10  # procedures shown, slowest first
PROBLEMS_SHOWN = 200  # problem rows listed in the report (intake.json holds them all)
# the one reason with values in it (sim/intake/dossiers.py): the scenario's field keys
LACKING = re.compile(r"mapped to a field key the scenario lacks \((?P<fields>.*)\)")


def _percent(value: float) -> str:
    return "-" if pd.isna(value) else f"{number(100 * value, 1)}%"


def _days(value: float) -> str:
    return "-" if pd.isna(value) else number(value, 1)


def _rate(on_time: float, resolved: float) -> str:
    return _percent(on_time / resolved if resolved else float("nan"))


def _field(key: str) -> str:
    return t(key.replace("_", " "))


def _reason(text: str) -> str:
    """Why a row could not be used (sim/intake/dossiers.py), in the report language."""
    match = LACKING.fullmatch(text)
    if match is None:
        return t(text)
    fields = ", ".join(_field(f) for f in match.group("fields").split(", "))
    return t("mapped to a field key the scenario lacks ({fields})", fields=fields)


def intake_html(summary: dict, history: pd.DataFrame, procedures: pd.DataFrame,
                problems: pd.DataFrame, names: dict[str, str]) -> str:  # fmt: skip
    """The page's HTML (see the module's docstring)."""
    first, last = summary["first_date"], summary["last_date"]
    body = [
        f"<h1>{_e(t('Dossier log'))}: {_e(Path(summary['log']).name)}</h1>",
        "<p>"
        + _e(
            t(
                "{used} of {read} rows used, received {start} to {end}; "
                "{bad} rows could not be used.",
                used=number(summary["rows_used"]),
                read=number(summary["rows_read"]),
                start=fdate(dt.date.fromisoformat(first)),
                end=fdate(dt.date.fromisoformat(last)),
                bad=number(summary["rows_with_problems"]),
            )
        )
        + "</p>",
    ]
    totals = history.groupby(["commune", "field"])[
        ["received", "resolved", "resolved_on_time"]
    ].sum()
    ends = history[history["date"] == max(history["date"])].set_index(["commune", "field"])
    rows = [
        [names.get(c, c), _field(f), number(v["received"]), number(v["resolved"]),
         _rate(v["resolved_on_time"], v["resolved"]),
         number(ends.loc[(c, f), "open_end"]), number(ends.loc[(c, f), "overdue_end"])]
        for (c, f), v in totals.iterrows() if v["received"] or ends.loc[(c, f), "open_end"]
    ]  # fmt: skip
    header = [t("Commune"), t("Field"), t("Dossiers received"), t("Dossiers resolved"),
              t("On-time rate"), t("Open at the end"), t("Overdue at the end")]  # fmt: skip
    body += [f"<h2>{_e(t('Volumes and results'))}</h2>", table_html(header, rows)]
    by_field = history.groupby("field")[["resolved", "resolved_on_time"]].sum()
    rows = [
        [_field(f), number(v["resolved"]), _rate(v["resolved_on_time"], v["resolved"])]
        for f, v in by_field.iterrows()
    ]  # fmt: skip
    body += [f"<h2>{_e(t('On-time results by field'))}</h2>",
             table_html([t("Field"), t("Dossiers resolved"), t("On-time rate")], rows)]  # fmt: skip
    slow = procedures.sort_values("result_working_days_p90", ascending=False, na_position="last")
    rows = [
        [t(p["procedure"]) if p["procedure"] == "(not given)" else p["procedure"],
         _field(p["field"]), number(p["count"]), _days(p["deadline_working_days"]),
         _days(p["result_working_days_p50"]), _days(p["result_working_days_p90"]),
         _percent(p["on_time_rate"])]
        for _, p in slow.head(SLOWEST).iterrows()
    ]  # fmt: skip
    header = [t("Procedure"), t("Field"), t("Dossiers"), t("Deadline (working days)"),
              t("Working days to result, median"), t("Working days to result, 90th percentile"),
              t("On-time rate")]  # fmt: skip
    body += [f"<h2>{_e(t('Slowest procedures'))}</h2>", table_html(header, rows)]
    body.append(f"<h2>{_e(t('Rows that could not be used'))}</h2>")
    if problems.empty:
        body.append(f"<p>{_e(t('None: every row was used.'))}</p>")
    else:
        rows = [[int(p["row"]), _field(p["column"]), p["value"], _reason(p["reason"])]
                for _, p in problems.head(PROBLEMS_SHOWN).iterrows()]  # fmt: skip
        body.append(table_html([t("Row"), t("Column"), t("Value"), t("Reason")], rows))
        if len(problems) > PROBLEMS_SHOWN:
            body.append(f"<p>{_e(t('The full list is in intake.json.'))}</p>")
    return page(t("Dossier log"), body)


def write_intake_report(path: Path, lang: str, **parts) -> None:
    with language(lang):
        atomic_write_text(path, intake_html(**parts))
