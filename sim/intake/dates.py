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

from sim.intake.vocabulary import strip_text, unique_map

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


# the fixed-width layouts exports write most, read from the characters' codes at once:
# (length, separators by position, positions of year, month, day, hour, minute, second)
LAYOUTS = (
    (16, {2: "/", 5: "/", 10: " ", 13: ":"}, (6, 3, 0, 11, 14, None)),
    (19, {2: "/", 5: "/", 10: " ", 13: ":", 16: ":"}, (6, 3, 0, 11, 14, 17)),
    (10, {2: "/", 5: "/"}, (6, 3, 0, None, None, None)),
    (19, {4: "-", 7: "-", 10: " ", 13: ":", 16: ":"}, (0, 5, 8, 11, 14, 17)),
    (19, {4: "-", 7: "-", 10: "T", 13: ":", 16: ":"}, (0, 5, 8, 11, 14, 17)),
    (16, {4: "-", 7: "-", 10: " ", 13: ":"}, (0, 5, 8, 11, 14, None)),
    (10, {4: "-", 7: "-"}, (0, 5, 8, None, None, None)),
)
WIDTH = 19


def _assemble(parts: pd.DataFrame) -> np.ndarray:
    """Date-times from their parts; NaT for an impossible day or time of day."""
    values = pd.to_datetime(parts, errors="coerce").to_numpy().copy()
    wrong = (parts["hour"] > 23) | (parts["minute"] > 59) | (parts["second"] > 59)
    values[wrong.to_numpy()] = np.datetime64("NaT", "ns")
    return values


def _fixed_width(text: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Date-times in LAYOUTS, vectorised over the characters' codes: the values (NaT for
    an impossible date), whether each has a time, and which cells had a layout."""
    lengths = np.fromiter(map(len, text), dtype=np.int64, count=len(text))
    candidates = np.isin(lengths, [10, 16, 19])
    codes = np.zeros((len(text), WIDTH), dtype=np.int32)
    if candidates.any():
        fixed = text[candidates].to_numpy(dtype=f"U{WIDTH}")
        codes[candidates] = fixed.view(np.int32).reshape(-1, WIDTH)
    digits = codes - ord("0")
    is_digit = (digits >= 0) & (digits <= 9)
    units = {u: np.full(len(text), np.nan) for u in UNITS}
    matched = np.zeros(len(text), dtype=bool)
    timed = np.zeros(len(text), dtype=bool)
    for length, separators, positions in LAYOUTS:
        mask = (lengths == length) & ~matched
        for at, char in separators.items():
            mask &= codes[:, at] == ord(char)
        numeric = [p for p in positions if p is not None]
        for at in numeric:
            width = 4 if at == positions[0] else 2
            mask &= is_digit[:, at : at + width].all(axis=1)
        if not mask.any():
            continue
        for unit, at in zip(UNITS, positions, strict=True):
            if at is None:
                units[unit][mask] = 0
                continue
            width = 4 if unit == "year" else 2
            value = np.zeros(int(mask.sum()), dtype=np.int64)
            for k in range(width):
                value = value * 10 + digits[mask, at + k]
            units[unit][mask] = value
        matched |= mask
        timed[mask] = positions[3] is not None
    result = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns]")
    if matched.any():
        parts = pd.DataFrame({u: v[matched].astype(np.int64) for u, v in units.items()})
        result[matched] = _assemble(parts)
    return result, pd.Series(timed, index=text.index), pd.Series(matched, index=text.index)


def parse_dates(values: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """A column's date-times (``datetime64[ns]``, NaT where empty or unreadable), a mask
    of the cells that are not empty but not a date, and a mask of those with a time of
    day (for the hour of arrival)."""
    is_date = (
        values.map(lambda v: isinstance(v, dt.datetime | dt.date))
        if pd.api.types.infer_dtype(values, skipna=True) not in ("string", "empty")
        else pd.Series(False, index=values.index)
    )
    cells = values.to_numpy(dtype=object).copy()
    cells[is_date.to_numpy() | pd.isna(values).to_numpy()] = ""
    text = pd.Series(cells, index=values.index, dtype=object)
    result, timed, done = _fixed_width(text)
    todo = (text != "") & ~done
    if todo.any():  # the rest, without outer spaces: the same layouts, then any pattern
        text[todo] = unique_map(text[todo], strip_text)
        again, again_timed, found = _fixed_width(text[todo])
        index = found[found].index
        result[index], timed[index] = again[index], again_timed[index]
        todo[index] = False
        todo &= text != ""
    if todo.any():
        rest, rest_timed = _by_pattern(text[todo])
        result[todo] = rest
        timed[todo] = rest_timed
    if is_date.any():
        cells = pd.to_datetime(values[is_date].astype(object), errors="coerce")
        result[is_date] = cells
        timed[is_date] = values[is_date].map(lambda v: isinstance(v, dt.datetime)) & (
            cells.dt.time != dt.time(0)
        )
    bad = result.isna() & ((text != "") | is_date)
    return result, bad, timed & result.notna()


def _by_pattern(text: pd.Series) -> tuple[pd.Series, pd.Series]:
    """The cells no fast format read: PATTERNS (impossible dates give NaT), then Excel
    serial numbers."""
    parts = pd.DataFrame(np.nan, index=text.index, columns=list(UNITS))
    for pattern, order in PATTERNS:
        todo = parts["year"].isna()
        if not todo.any():
            break
        found = text[todo].str.extract(pattern).astype(float)
        hit = found.notna().iloc[:, 0]
        for unit, group in zip(UNITS, order, strict=True):
            parts.loc[found.index[hit], unit] = found.iloc[:, group][hit]
    timed = parts["hour"].notna()
    parts[["hour", "minute", "second"]] = parts[["hour", "minute", "second"]].fillna(0)
    found = parts["year"].notna()
    result = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns]")
    if found.any():
        result[found] = _assemble(parts[found].astype(np.int64))
    serial = text.str.fullmatch(SERIAL).fillna(False).astype(bool) & result.isna()
    if serial.any():
        days = text[serial].astype(float)
        result[serial] = EXCEL_EPOCH + pd.to_timedelta(days, unit="D")
        timed |= serial & (days % 1 != 0)
    return result, timed
