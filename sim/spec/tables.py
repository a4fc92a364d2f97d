"""Reading CSV files the way spreadsheets write them: the one reader of the project.

Excel in a Vietnamese (or most European) locale saves "CSV" with ``;`` between cells
and a decimal comma (``0,9``), and, for "CSV" rather than "CSV UTF-8", in the Windows
Vietnamese code page (cp1258). Every CSV the project reads goes through ``read_rows``
(row by row, for files a user writes) or ``read_frame`` (a pandas table), which detect
the separator from the header row, accept decimal commas when the separator is not a
comma, and fall back from UTF-8 to cp1258.
"""

from __future__ import annotations

import contextlib
import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from sim.spec.config import ConfigError

SEPARATORS = (",", ";", "\t")
FALLBACK_ENCODING = "cp1258"  # Windows Vietnamese, what Excel writes for plain "CSV"
_DECIMAL_COMMA = re.compile(r"^\s*[-+]?\d+,\d+\s*$")


def read_text(path: Path) -> str:
    """The file's text: UTF-8 (with or without a byte-order mark), else cp1258."""
    data = Path(path).read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode(FALLBACK_ENCODING)


def separator(text: str) -> str:
    """The cell separator: whichever of ``,``, ``;`` and tab the header row has most of."""
    header = text.splitlines()[0] if text else ""
    counts = {sep: header.count(sep) for sep in SEPARATORS}
    best = max(SEPARATORS, key=lambda sep: counts[sep])
    return best if counts[best] else ","


def read_rows(path: Path) -> tuple[list[str], list[dict[str, str | None]], str]:
    """Header, rows (cell text by column, numbers with a decimal point) and separator.

    With a ``;`` or tab separator a cell such as ``0,9`` is read as ``0.9``. A row with
    more cells than the header has them under the key None (as ``csv.DictReader``).
    """
    text = read_text(path)
    sep = separator(text)
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=sep)
    header = [h.strip() for h in (reader.fieldnames or [])]
    reader.fieldnames = header
    rows = []
    for row in reader:
        if sep != ",":
            row = {
                k: (v.replace(",", ".") if isinstance(v, str) and _DECIMAL_COMMA.match(v) else v)
                for k, v in row.items()
            }
        rows.append(row)
    return header, rows, sep


def read_frame(path: Path) -> pd.DataFrame:
    """A CSV file as a pandas table, whatever the separator and decimal mark."""
    text = read_text(path)
    sep = separator(text)
    return pd.read_csv(io.StringIO(text), sep=sep, decimal="," if sep != "," else ".")


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
