"""Excel workbooks for planners who work in spreadsheets.

``output.excel=true`` writes ``summary.xlsx`` beside ``summary.json`` (sheets: run,
headline, by field, by commune, capacity when ``capacity.csv`` exists, daily); a study
writes ``comparison.xlsx`` beside ``comparison.csv``. Values are the same numbers as in
the JSON and CSV files (rates as fractions, shown as percentages by the cell format);
labels and sheet names follow ``output.language``.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from sim.core.summary import HEADLINE, is_number, shown_in
from sim.reports.figure_text import label, unit
from sim.reports.i18n import t
from sim.runs.outputs import atomic_path
from sim.spec.tables import read_frame

SUMMARY_FILE = "summary.xlsx"
COMPARISON_FILE = "comparison.xlsx"
CAPACITY_FILE = "capacity.csv"
# Excel number formats by kind of figure
FORMATS = {"count": "#,##0", "mean": "#,##0.0", "rate": "0.0%", "hours": "#,##0.0", "vnd": "#,##0"}
RATE_WORDS = ("rate", "utilization", "utilisation", "share")
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


def _kind(column: str) -> str | None:
    """The number format of a figure column from its key (rates shown as %)."""
    name = column.lower()
    if name.endswith(("_ci_low", "_ci_high", "_diff")):
        name = name.rsplit("_ci_", 1)[0].removesuffix("_diff")
    if any(word in name for word in RATE_WORDS):
        return "rate"
    if name.endswith("_vnd"):
        return "vnd"
    if name.endswith("_hours") or name.startswith("mean_"):
        return "hours"
    return None


def _slice_frame(slices: Mapping[str, dict], id_header: str, names: Mapping | None) -> pd.DataFrame:
    """One row per slice (field or commune) with its numeric figures, keyed as in JSON."""
    rows = []
    for name, figures in slices.items():
        row = {id_header: name}
        if names is not None:
            row[t("name")] = names.get(name, name.replace("_", " "))
        row.update({k: v for k, v in figures.items() if is_number(v)})
        rows.append(row)
    return pd.DataFrame(rows)


def summary_frames(summary: dict, daily: pd.DataFrame, out_dir: Path) -> dict[str, pd.DataFrame]:
    """The sheets of summary.xlsx, in order (sheet name -> table)."""
    run = [
        (key, ", ".join(map(str, v)) if isinstance(v, list) else v)
        for key in RUN_KEYS
        if (v := summary.get(key)) is not None
    ]
    ci = summary.get("ci95") or {}
    headline = [
        {
            t("indicator"): t(label(figure)),
            t("value"): summary.get(figure.key),
            t("unit"): t(unit(figure)),
            t("95% CI low"): (ci.get(figure.key) or [None, None])[0],
            t("95% CI high"): (ci.get(figure.key) or [None, None])[1],
            t("key"): figure.key,
        }
        for figure in shown_in(HEADLINE)
    ]
    sheets = {
        t("run"): pd.DataFrame(run, columns=[t("key"), t("value")]),
        t("headline"): pd.DataFrame(headline),
        t("by field"): _slice_frame(summary.get("by_field", {}), t("field"), None),
        t("by commune"): _slice_frame(
            summary.get("by_commune", {}), t("commune"), summary.get("display_names") or {}
        ),
    }
    capacity = Path(out_dir) / CAPACITY_FILE
    if capacity.is_file():
        sheets[t("capacity")] = read_frame(capacity)
    sheets[t("daily")] = daily
    return sheets


def _headline_rates(sheet, frame: pd.DataFrame) -> None:
    """Headline rows carry their own kind: format each value cell by its key."""
    kinds = {figure.key: figure.kind for figure in shown_in(HEADLINE)}
    keys = list(frame[t("key")])
    for row, key in enumerate(keys, start=2):
        for col in (2, 4, 5):
            sheet.cell(row=row, column=col).number_format = FORMATS.get(kinds.get(key), "General")


def write_workbook(
    path: Path, sheets: Mapping[str, pd.DataFrame], headline: str | None = None
) -> Path:
    """Write ``sheets`` to ``path`` atomically: bold frozen headers, widths, number formats."""
    with atomic_path(Path(path)) as tmp, pd.ExcelWriter(tmp, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            frame.to_excel(writer, sheet_name=name[:31], index=False)
            sheet = writer.sheets[name[:31]]
            sheet.freeze_panes = "B2"
            for cell in sheet[1]:
                cell.font = Font(bold=True)
            for col, column in enumerate(frame.columns, start=1):
                width = max([len(str(column))] + [len(str(v)) for v in frame[column].head(200)])
                sheet.column_dimensions[get_column_letter(col)].width = min(max(width, 8) + 2, 50)
                kind = _kind(str(column))
                if kind:
                    for (cell,) in sheet.iter_rows(min_row=2, min_col=col, max_col=col):
                        cell.number_format = FORMATS[kind]
            if name == headline:
                _headline_rates(sheet, frame)
    return Path(path)


def write_summary_xlsx(out_dir: Path, summary: dict, daily: pd.DataFrame) -> Path:
    """summary.xlsx of one job (call after capacity.csv is written, before summary.json)."""
    sheets = summary_frames(summary, daily, out_dir)
    return write_workbook(Path(out_dir) / SUMMARY_FILE, sheets, headline=t("headline"))


def write_comparison_xlsx(study_dir: Path, table: pd.DataFrame) -> Path:
    """comparison.xlsx of a study: the comparison table, one sheet."""
    return write_workbook(Path(study_dir) / COMPARISON_FILE, {t("comparison"): table})
