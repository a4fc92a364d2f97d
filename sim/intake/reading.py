"""Reading an export as it comes: ``.csv`` or ``.xlsx``, title lines above the header.

The header is the first of the file's first ``HEADER_SEARCH`` lines (rows of a sheet)
whose cells name the most canonical columns (sim/intake/vocabulary.py); what stands
above it (a title, the unit, the period) is left out. CSV text is UTF-8 with or without
a byte-order mark, else cp1258 (the project's one text reader, sim/spec/tables.py);
cells are separated by ``,``, ``;`` or tab, whichever splits the header into the most
known columns. Every cell is kept as text (explicit dtypes: no guessing per column),
except the date cells of a workbook, which python-calamine gives as
``datetime``. Row numbers are the spreadsheet's: the header's row plus the data row's
place, so that a planner finds the row in Excel.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from sim.intake.vocabulary import CANONICAL, Vocabulary, fold, strip_text, unique_map
from sim.spec.config import ConfigError
from sim.spec.tables import SEPARATORS, export_head, read_export_cells, split_cells

HEADER_SEARCH = 10  # assumption: exports put at most a few title lines above the header


def _match(cells: list, vocab: Vocabulary) -> dict[int, str]:
    """Cell position -> canonical column, for the cells that name one (first wins)."""
    found: dict[int, str] = {}
    for position, cell in enumerate(cells):
        key = vocab.headers.get(fold(cell)) if cell is not None else None
        if key and key not in found.values():
            found[position] = key
    return found


def _header(lines: list[list], vocab: Vocabulary) -> tuple[int, dict[int, str]]:
    best, best_at = {}, 0
    for index, cells in enumerate(lines[:HEADER_SEARCH]):
        found = _match(cells, vocab)
        if len(found) > len(best):
            best, best_at = found, index
    return best_at, best


def _check_header(path: Path, at: int, found: dict[int, str], vocab: Vocabulary) -> None:
    missing = [c for c in vocab.required if c not in found.values()]
    if missing:
        raise ConfigError(
            f"{path} row {at + 1}: no column for {', '.join(missing)} in the first "
            f"{HEADER_SEARCH} rows (found: {', '.join(found.values()) or 'none'}); name "
            "the header as the template does (configs/intake/log_template.csv) or add "
            "your header to configs/intake/columns.yaml"
        )


LOW_CARDINALITY = ("procedure", "field", "commune", "channel", "status")


def read_csv_log(path: Path, vocab: Vocabulary) -> pd.DataFrame:
    """A CSV export as a frame of text: ``row`` and the canonical columns found (names,
    fields and statuses as categories: a log repeats them on every row)."""
    try:
        encoding, head = export_head(path, HEADER_SEARCH)
    except OSError as error:
        raise ConfigError(
            f"{path}: cannot be read ({error}); give the path of the export"
        ) from None
    best = (-1, 0, ",", {}, 0)
    for sep in SEPARATORS:
        lines = split_cells(head, sep)
        at, found = _header(lines, vocab)
        if len(found) > best[0]:
            best = (len(found), at, sep, found, len(lines[at]) if lines else 0)
    _, at, sep, found, width = best
    _check_header(path, at, found, vocab)
    categories = [p for p, c in found.items() if c in LOW_CARDINALITY]
    frame = read_export_cells(path, encoding, sep, at + 1, width, list(found), categories)
    frame.columns = [found.get(c, c) for c in frame.columns]
    frame.insert(0, "row", np.arange(at + 2, at + 2 + len(frame)))
    return _drop_blank(frame)


def read_xlsx_log(path: Path, vocab: Vocabulary) -> pd.DataFrame:
    """The first sheet of a workbook (python-calamine: Rust, about 30 times faster than
    openpyxl on a province-year), as for CSV; date cells stay dates."""
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
        rows = book.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except Exception as error:  # the reader raises many kinds for a file that is not xlsx
        raise ConfigError(
            f"{path}: not a readable .xlsx workbook ({type(error).__name__}: {error}); "
            "save it from Excel as .xlsx or as CSV"
        ) from None
    head = [list(row) for row in rows[:HEADER_SEARCH]]
    at, found = _header(head, vocab)
    _check_header(path, at, found, vocab)
    positions = list(found)
    columns: list[list] = [[] for _ in positions]
    for row in rows[at + 1 :]:
        _take(row, positions, columns)
    data = {
        found[p]: pd.Series(values, dtype=object)
        for p, values in zip(positions, columns, strict=True)
    }
    frame = pd.DataFrame(data)
    frame["overflow"] = ""
    frame.insert(0, "row", np.arange(at + 2, at + 2 + len(frame)))
    for column in frame.columns[1:]:
        frame[column] = frame[column].map(_cell_text)
    return _drop_blank(frame)


def _take(row: tuple, positions: list[int], columns: list[list]) -> None:
    width = len(row)
    for k, p in enumerate(positions):
        columns[k].append(row[p] if p < width else None)


def _cell_text(value: object) -> object:
    """A workbook cell: a ``datetime`` as it is, a number or text as text ("" for None)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "year") and hasattr(value, "month"):
        return value
    return str(value)


def _drop_blank(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows with every cell empty (a spreadsheet's trailing lines) are not dossiers."""
    for column in CANONICAL:
        if column not in frame:
            frame[column] = ""
    blank = np.ones(len(frame), dtype=bool)
    for column in CANONICAL:  # empty cells first (cheap), then spaces in what is left
        blank &= (frame[column] == "").to_numpy()
    maybe = ~blank
    for column in CANONICAL:
        cells = frame.loc[maybe, column]
        maybe[maybe] = (unique_map(cells, strip_text) == "").to_numpy()
    blank |= maybe
    return frame.loc[~blank].reset_index(drop=True)


def read_log_file(path: Path | str, vocab: Vocabulary) -> pd.DataFrame:
    """``.csv`` (or ``.txt``) or ``.xlsx``: a frame with ``row`` and every canonical
    column (``""`` where the log has none)."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"{path}: no such file; give intake.log=PATH of the export")
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return read_xlsx_log(path, vocab)
    if suffix in (".csv", ".txt", ".tsv"):
        return read_csv_log(path, vocab)
    raise ConfigError(f"{path}: a {suffix or 'nameless'} file; give the export as .csv or .xlsx")
