"""Excel workbooks for planners who work in spreadsheets: one writer for every command.

``output.excel=true`` writes a workbook beside each command's files (``summary.xlsx`` of
a run, ``comparison.xlsx`` of a study, ``forecast.xlsx``, ``backtest.xlsx``,
``calibration.xlsx``, ``optimize.xlsx``, ``sensitivity.xlsx``). Every sheet has the
catalogue's labels in ``output.language`` in row 1 and the keys of ``summary.json`` and
the CSV files in row 2, hidden (``pandas.read_excel(path, header=1)`` reads the keys);
numbers are number cells (rates as fractions, shown as percentages by the cell format),
dates are date cells shown dd/mm/yyyy (months mm/yyyy), a column of keys beside their
labels is hidden, fields and verdicts are translated and communes
show their display names.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from sim.core.summary import HEADLINE, is_number, shown_in
from sim.reports.figure_text import label as figure_label
from sim.reports.figure_text import unit
from sim.reports.i18n import t
from sim.reports.labels import SUFFIXES, label, policy_words
from sim.reports.trust_text import METHODS
from sim.runs.outputs import atomic_path
from sim.spec.tables import read_frame

SUMMARY_FILE = "summary.xlsx"
COMPARISON_FILE = "comparison.xlsx"
CAPACITY_FILE = "capacity.csv"
DATE_FORMAT = "dd/mm/yyyy"
# Excel number formats by kind of figure
FORMATS = {"count": "#,##0", "mean": "#,##0.0", "rate": "0.0%", "hours": "#,##0.0", "vnd": "#,##0"}
RATE_WORDS = ("rate", "utilization", "utilisation", "share", "coverage")
RUN_KEYS = (
    "scenario",
    "policies",
    "seed",
    "replications",
    "start_date",
    "days",
    "warmup_days",
    "schema_version",
    "code_version",
)
# columns whose text cells are words of the catalogue (a field, a verdict), not names
WORD_COLUMNS = ("field", "verdict", "category", "series", "lever", "kind", "allocation", "status")
FIGURE_COLUMNS = ("output", "objective", "figure")  # cells that name a summary figure
POLICY_COLUMNS = ("policy", "policies")  # cells that name policies: a+b, a, b
COMMUNE_COLUMNS = ("commune", "scope")
METHOD_COLUMNS = ("method",)  # a forecasting method's key: its words (trust_text.METHODS)
POOLED = {  # a commune column's rows that are no commune
    "all": "all communes",
    "overall": "communes pooled",
}
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_MONTH = re.compile(r"^(\d{4})-(\d{2})$")  # a busiest month: a date cell shown mm/yyyy
MONTH_FORMAT = "mm/yyyy"
# columns of keys beside their words (a figure's key, a parameter's path): kept for tools, hidden
KEY_COLUMNS = ("key", "parameter")


def _kind(column: str) -> str | None:
    """The number format of a figure column from its key (rates shown as %)."""
    name = column.lower()
    for suffix in SUFFIXES:
        name = name.removesuffix(suffix)
    if any(word in name for word in RATE_WORDS):
        return "rate"
    if name.endswith("_vnd"):
        return "vnd"
    if name.endswith("_hours") or name.startswith("mean_"):
        return "hours"
    return None


def _cell(column: str, value: object, names: Mapping[str, str]) -> object:
    """A value as the workbook shows it: dates as dates, words translated, names shown."""
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        if _ISO_DATE.match(value):
            return dt.date.fromisoformat(value)
        if (month := _ISO_MONTH.match(value)) and column.endswith("month"):
            return dt.date(int(month[1]), int(month[2]), 1)
        if column in COMMUNE_COLUMNS:
            return names.get(value) or (t(POOLED[value]) if value in POOLED else value)
        if column in METHOD_COLUMNS:
            return t(METHODS.get(value, value.replace("_", " ")))
        if column in WORD_COLUMNS:
            return t(value.replace("_", " "))
        if column in FIGURE_COLUMNS:
            return label(value)
        if column in POLICY_COLUMNS:
            return policy_words(value)
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, float) and value != value:
        return None
    return value.item() if hasattr(value, "item") else value


def _slice_frame(slices: Mapping[str, dict], id_key: str) -> pd.DataFrame:
    """One row per slice (field or commune) with its numeric figures, keyed as in JSON."""
    rows = [
        {id_key: name, **{k: v for k, v in figures.items() if is_number(v)}}
        for name, figures in slices.items()
    ]
    return pd.DataFrame(rows)


def summary_frames(summary: dict, daily: pd.DataFrame, out_dir: Path) -> dict[str, pd.DataFrame]:
    """The sheets of summary.xlsx, in order (English sheet name -> table keyed as JSON)."""
    run = [
        {
            "setting": label(key),
            "value": policy_words(", ".join(map(str, v))) if isinstance(v, list) else v,
            "key": key,
        }
        for key in RUN_KEYS
        if (v := summary.get(key)) is not None
    ]
    ci = summary.get("ci95") or {}
    headline = [
        {
            "indicator": t(figure_label(figure)),
            "value": summary.get(figure.key),
            "unit": t(unit(figure)),
            "ci_low": (ci.get(figure.key) or [None, None])[0],
            "ci_high": (ci.get(figure.key) or [None, None])[1],
            "key": figure.key,
        }
        for figure in shown_in(HEADLINE)
    ]
    sheets = {
        "run": pd.DataFrame(run),
        "headline": pd.DataFrame(headline),
        "by field": _slice_frame(summary.get("by_field", {}), "field"),
        "by commune": _slice_frame(summary.get("by_commune", {}), "commune"),
    }
    capacity = Path(out_dir) / CAPACITY_FILE
    if capacity.is_file():
        sheets["capacity"] = read_frame(capacity)
    sheets["daily"] = daily
    return sheets


def _headline_formats(sheet, frame: pd.DataFrame) -> None:
    """Headline rows carry their own kind: format each value cell by its key."""
    kinds = {figure.key: figure.kind for figure in shown_in(HEADLINE)}
    columns = [list(frame.columns).index(c) + 1 for c in ("value", "ci_low", "ci_high")]
    for row, key in enumerate(frame["key"], start=3):
        for col in columns:
            sheet.cell(row=row, column=col).number_format = FORMATS.get(kinds.get(key), "General")


def write_workbook(
    path: Path,
    sheets: Mapping[str, pd.DataFrame],
    names: Mapping[str, str] | None = None,
    headline: str | None = None,
) -> Path:
    """Write ``sheets`` (English name -> table with key columns) to ``path`` atomically:
    translated sheet names and headers, the keys in a hidden second row, bold frozen
    headers, widths, number and date formats."""
    book = Workbook()
    book.remove(book.active)
    for name, frame in sheets.items():
        sheet = book.create_sheet(t(name)[:31])
        columns = [str(c) for c in frame.columns]
        sheet.append([label(c) for c in columns])
        sheet.append(columns)
        sheet.row_dimensions[2].hidden = True
        for values in frame.itertuples(index=False):
            sheet.append([_cell(c, v, names or {}) for c, v in zip(columns, values, strict=True)])
        sheet.freeze_panes = "B3"
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for col, column in enumerate(columns, start=1):
            cells = [row[0] for row in sheet.iter_rows(min_row=3, min_col=col, max_col=col)]
            width = max([len(str(sheet.cell(row=1, column=col).value))]
                        + [len(str(c.value)) for c in cells[:200]])  # fmt: skip
            sheet.column_dimensions[get_column_letter(col)].width = min(max(width, 8) + 2, 50)
            sheet.column_dimensions[get_column_letter(col)].hidden = column in KEY_COLUMNS
            kind = _kind(column)
            for cell in cells:
                if isinstance(cell.value, dt.date):
                    cell.number_format = MONTH_FORMAT if column.endswith("month") else DATE_FORMAT
                elif kind and isinstance(cell.value, int | float):
                    cell.number_format = FORMATS[kind]
        if name == headline:
            _headline_formats(sheet, frame)
    with atomic_path(Path(path)) as tmp:
        book.save(tmp)
    return Path(path)


def write_summary_xlsx(out_dir: Path, summary: dict, daily: pd.DataFrame) -> Path:
    """summary.xlsx of one job (call after capacity.csv is written, before summary.json)."""
    sheets = summary_frames(summary, daily, out_dir)
    names = summary.get("display_names") or {}
    return write_workbook(Path(out_dir) / SUMMARY_FILE, sheets, names, headline="headline")


def write_comparison_xlsx(
    study_dir: Path, table: pd.DataFrame, names: Mapping[str, str] | None = None
) -> Path:
    """comparison.xlsx of a study: the comparison table, one sheet."""
    return write_workbook(Path(study_dir) / COMPARISON_FILE, {"comparison": table}, names)
