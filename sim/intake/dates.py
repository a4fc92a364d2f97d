"""Date-times as one-stop-shop systems and Excel write them, mixed in one column.

``dd/mm/yyyy HH:MM[:SS]``, ``dd/mm/yyyy`` (also with ``-`` or ``.``), ``HH:MM[:SS]
dd/mm/yyyy``, ISO ``yyyy-mm-dd[ HH:MM[:SS]]`` (or with ``T``), a workbook's real date
cells (``datetime``) and Excel serial numbers (days since 1899-12-30) are all read, a
whole column at once (vectorised: a province-year log has hundreds of thousands of
cells). Day first, as Vietnamese dates are written; ``05/07/2025`` is 5 July.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

_DMY = r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})"
_HMS = r"(\d{1,2})[:hH](\d{2})(?::(\d{2})(?:\.\d+)?)?"
PATTERNS = (  # (regex, order of the groups: year, month, day, hour, minute, second)
    (
        rf"^{_DMY}(?:[ T,]+{_HMS})?$",
        (2, 1, 0, 3, 4, 5),
    ),
    (
        r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?$",
        (0, 1, 2, 3, 4, 5),
    ),
    (
        r"^(\d{1,2})[:hH](\d{2})(?::(\d{2}))?[ ,]+(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$",
        (5, 4, 3, 0, 1, 2),
    ),
)
SERIAL = r"^(\d{5}(?:\.\d+)?)$"  # Excel's day numbers: 1927 to 2173
EXCEL_EPOCH = np.datetime64("1899-12-30")
UNITS = ("year", "month", "day", "hour", "minute", "second")


def parse_dates(values: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """A column's date-times (``datetime64[ns]``, NaT where empty or unreadable), a mask
    of the cells that are not empty but not a date, and a mask of those with a time of
    day (for the hour of arrival)."""
    is_date = values.map(lambda v: isinstance(v, dt.datetime | dt.date))
    text = values.where(~is_date, "").astype(str).str.strip()
    parts = pd.DataFrame(np.nan, index=values.index, columns=list(UNITS))
    for pattern, order in PATTERNS:
        todo = parts["year"].isna() & (text != "")
        if not todo.any():
            break
        found = text[todo].str.extract(pattern).astype(float)
        hit = found.notna().iloc[:, 0]
        for unit, group in zip(UNITS, order, strict=True):
            parts.loc[found.index[hit], unit] = found.iloc[:, group][hit]
    timed = parts["hour"].notna()
    parts[["hour", "minute", "second"]] = parts[["hour", "minute", "second"]].fillna(0)
    found = parts["year"].notna()
    result = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    if found.any():
        result[found] = pd.to_datetime(parts[found].astype(int), errors="coerce")
    serial = text.str.fullmatch(SERIAL) & result.isna()
    if serial.any():
        days = text[serial].astype(float)
        result[serial] = EXCEL_EPOCH + pd.to_timedelta(days, unit="D")
        timed |= serial & (days % 1 != 0)
    if is_date.any():
        cells = pd.to_datetime(values[is_date].astype(object), errors="coerce")
        result[is_date] = cells
        timed |= (
            is_date
            & values.map(lambda v: isinstance(v, dt.datetime))
            & (result.dt.time != dt.time(0))
        )
    bad = result.isna() & ((text != "") | is_date)
    return result, bad, timed & result.notna()
