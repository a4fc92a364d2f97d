"""Reading CSV files the way spreadsheets write them: the one reader of the project.

Excel in a Vietnamese (or most European) locale saves "CSV" with ``;`` between cells
and a decimal comma (``0,9``), and, for "CSV" rather than "CSV UTF-8", in the Windows
Vietnamese code page (cp1258). Every CSV the project reads goes through ``read_rows``
(row by row, for files a user writes) or ``read_frame`` (a pandas table), which detect
the separator from the header row, accept decimal commas when the separator is not a
comma, and fall back from UTF-8 to cp1258. Text is normalised to NFC (cp1258 stores
Vietnamese tone marks as combining characters). In such a file a dot groups thousands
(``31.000``, ``1.234,5``): read as such where the file's decimal commas make it
unambiguous, else refused with the cell named, never read silently as 31.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from sim.spec.config import ConfigError

SEPARATORS = (",", ";", "\t")
FALLBACK_ENCODING = "cp1258"  # Windows Vietnamese, what Excel writes for plain "CSV"
_DECIMAL_COMMA = re.compile(r"^\s*[-+]?\d+,\d+\s*$")
_GROUPED = re.compile(r"^\s*[-+]?[1-9]\d{0,2}(\.\d{3})+(,\d+)?\s*$")  # 31.000, 1.234,5


def read_text(path: Path) -> str:
    """The file's text: UTF-8 (with or without a byte-order mark), else cp1258."""
    data = Path(path).read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode(FALLBACK_ENCODING)
    return unicodedata.normalize("NFC", text)


def separator(text: str) -> str:
    """The cell separator: whichever of ``,``, ``;`` and tab the header row has most of."""
    header = text.splitlines()[0] if text else ""
    counts = {sep: header.count(sep) for sep in SEPARATORS}
    best = max(SEPARATORS, key=lambda sep: counts[sep])
    return best if counts[best] else ","


def read_rows(path: Path) -> tuple[list[str], list[dict[str, str | None]], str]:
    """Header, rows (cell text by column, numbers with a decimal point) and separator.

    With a ``;`` or tab separator a cell such as ``0,9`` is read as ``0.9`` and, when the
    file writes decimals with commas, ``31.000`` as ``31000`` (a ConfigError names a
    ``31.000`` cell in a file without decimal commas). A row with more cells than the
    header has them under the key None (as ``csv.DictReader``).
    """
    text = read_text(path)
    sep = separator(text)
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=sep)
    header = [h.strip() for h in (reader.fieldnames or [])]
    reader.fieldnames = header
    rows = list(reader)
    if sep != ",":
        rows = _decimal_commas(path, rows)
    return header, rows, sep


def _decimal_commas(path: Path, rows: list[dict]) -> list[dict]:
    """Cells of a ``;``/tab file with decimal points instead of commas, and no dots
    grouping thousands (which a decimal-comma locale writes: ``31.000`` is 31000)."""
    cells = [v for row in rows for v in row.values() if isinstance(v, str)]
    commas = any(_DECIMAL_COMMA.match(v) for v in cells)

    def number(line: int, column: str, value: object) -> object:
        if not isinstance(value, str):
            return value
        if _GROUPED.match(value):
            if not commas:
                plain = value.strip().replace(".", "")
                raise ConfigError(
                    f"{path} row {line} column {column} = {value!r}: a dot here may group "
                    f"thousands ({plain}) or mark decimals; the file has no decimal commas to "
                    f"tell which: write {plain} (or the decimal with a comma)"
                )
            return value.strip().replace(".", "").replace(",", ".")
        return value.replace(",", ".") if _DECIMAL_COMMA.match(value) else value

    return [
        {k: number(line, k, v) for k, v in row.items()} for line, row in enumerate(rows, start=2)
    ]


def read_frame(path: Path) -> pd.DataFrame:
    """A CSV file as a pandas table, whatever the separator and decimal mark."""
    text = read_text(path)
    sep = separator(text)
    if sep == ",":
        return pd.read_csv(io.StringIO(text))
    header, rows, _ = read_rows(path)
    plain = io.StringIO()
    writer = csv.writer(plain)
    writer.writerow(header)
    writer.writerows([row.get(h) for h in header] for row in rows)
    return pd.read_csv(io.StringIO(plain.getvalue()))


def export_head(path: Path, lines: int) -> tuple[str, list[str]]:
    """A large export's encoding (UTF-8 with or without BOM, else cp1258), checked in
    chunks so that the file is never held as one text, and its first ``lines`` lines."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    with Path(path).open("rb") as handle:
        head = handle.read(1 << 16)
        try:
            decoder.decode(head)
            while chunk := handle.read(1 << 20):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
            encoding = "utf-8-sig"
        except UnicodeDecodeError:
            encoding = FALLBACK_ENCODING
    return encoding, head.decode(encoding, errors="ignore").splitlines()[:lines]


def split_cells(lines: list[str], sep: str) -> list[list[str]]:
    """Lines of CSV text split into cells (quotes understood)."""
    return list(csv.reader(io.StringIO("\n".join(lines)), delimiter=sep))


def read_export_cells(path: Path, encoding: str, sep: str, skip: int, width: int,
                      columns: list[int], categories: list[int]) -> pd.DataFrame:  # fmt: skip
    """The cells of a large export after its first ``skip`` lines, every one as text
    (``categories``: the columns read as categories), ``""`` where a row is short; the
    ``columns`` kept, and ``overflow``: a row's cells beyond the header's ``width`` (a
    row with them is read the slow way, row by row; ``""`` for the others)."""
    dtypes = {p: ("category" if p in categories else object) for p in range(width)}
    try:  # every column read: pandas drops a row's extra cells only when it skips columns
        frame = pd.read_csv(path, encoding=encoding, sep=sep, skiprows=skip, header=None,
                            names=list(range(width)), dtype=dtypes, keep_default_na=False,
                            skip_blank_lines=False, engine="c")[columns]  # fmt: skip
        frame["overflow"] = ""
    except (ValueError, pd.errors.ParserError):
        records, overflow = [], []
        text = read_text(path)
        for k, cells in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=sep)):
            if k >= skip:
                records.append([cells[p] if p < len(cells) else "" for p in columns])
                overflow.append(sep.join(cells[width:]))
        frame = pd.DataFrame(records, columns=columns, dtype=object)
        frame["overflow"] = overflow
    for column in frame.columns:
        if frame[column].hasnans:  # a short row's missing cells
            frame[column] = frame[column].astype(object).fillna("")
    return frame


@contextlib.contextmanager
def table_errors(path: Path | str) -> Iterator[None]:
    """Turn a file that is not CSV text into a ConfigError naming it."""
    try:
        yield
    except (csv.Error, UnicodeDecodeError, OSError) as error:
        raise ConfigError(
            f"{path}: not a readable CSV file ({error}); save it from the spreadsheet as "
            "CSV (comma or semicolon separated), UTF-8 if it can"
        ) from None
