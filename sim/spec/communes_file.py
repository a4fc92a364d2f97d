"""Bring your own communes: ``scenario.communes_file=PATH``, a CSV with one row per commune.

Columns (header row required; order free; row 1 is the header, data start at row 2):

* required: ``commune`` (name), ``province``, ``population`` (people),
  ``businesses`` (business households and enterprises), ``workstations`` (computers
  for dossier work), ``sites`` (headquarters sites, >= 1), ``signal_coverage`` (share
  of households with phone signal, 0-1), and at least one ``staff_<field>`` column
  (specialist clerks of that field, proficiency 1);
* optional: ``generalists`` (clerks who cover every field at
  ``communes_file_options.generalist_proficiency``), ``reception_counters``,
  ``network_outage_probability``, ``network_speed``, ``sync_failure_probability``,
  ``distance_km_mean``, and ``display_name`` (the name reports show, with
  diacritics). A ``commune`` cell with diacritics (``Kỳ Lừa``) becomes the ASCII id
  ``ky_lua`` and, without a ``display_name``, the display name.

Each row becomes an entry in the same form as ``scenario.communes`` in YAML, so the
rest of the model cannot tell the two apart. Any problem stops the run with the file,
row and column named.
"""

from __future__ import annotations

import math
import re
import unicodedata
from pathlib import Path

from sim.spec.config import ConfigError, Reader
from sim.spec.tables import read_rows, table_errors

REQUIRED = (
    "commune",
    "province",
    "population",
    "businesses",
    "workstations",
    "sites",
    "signal_coverage",
)
OPTIONAL_NUMBERS = {
    # column: (whole number?, upper bound)
    "generalists": (True, None),
    "reception_counters": (True, None),
    "network_outage_probability": (False, 1.0),
    "network_speed": (False, 1.0),
    "sync_failure_probability": (False, 1.0),
    "distance_km_mean": (False, None),
}
OPTIONAL_TEXT = ("display_name",)
STAFF_PREFIX = "staff_"


def ascii_id(name: str) -> str:
    """An ASCII id from a name with diacritics: ``Đô Lương`` -> ``do_luong``."""
    text = name.replace("Đ", "D").replace("đ", "d")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


def _number(path: str, row: int, column: str, text: str, whole: bool, high: float | None):
    where = f"{path} row {row} column {column}"
    try:
        value = float(text)
    except ValueError:
        raise ConfigError(f"{where} = {text!r}: must be a number") from None
    if math.isnan(value) or math.isinf(value):
        raise ConfigError(f"{where} = {text!r}: must be a finite number")
    if whole and not value.is_integer():
        raise ConfigError(f"{where} = {text!r}: must be a whole number >= 0")
    if value < 0:
        kind = "a whole number" if whole else "a number"
        raise ConfigError(f"{where} = {text!r}: must be {kind} >= 0")
    if high is not None and value > high:
        raise ConfigError(f"{where} = {text!r}: must be between 0 and {high:g}")
    return int(value) if whole else value


def read_communes_file(path: str, fields: tuple[str, ...], options: Reader) -> list[dict]:
    """Rows of a communes CSV as ``scenario.communes`` entries.

    Args:
        path: the CSV file.
        fields: the scenario's fields (``staff_<field>`` columns must name one).
        options: ``scenario.communes_file_options`` (household size, generalists).
    """
    household_size = options.number("household_size", 3.6, low=0, low_open=True)
    generalist_proficiency = options.number("generalist_proficiency", 0.6, low=0, low_open=True)
    generalist_switch = options.number("generalist_switch_hours", 0.25, low=0)
    file = Path(path)
    if not file.is_file():
        raise ConfigError(f"scenario.communes_file = {path!r}: no such file")
    with table_errors(path):  # any separator and decimal mark (sim/spec/tables.py)
        header, reader, separator = read_rows(file)
        missing = [c for c in REQUIRED if c not in header]
        if missing:
            raise ConfigError(
                f"{path} row 1: missing column(s) {', '.join(missing)} (cells separated by "
                f"{separator!r}); required: {', '.join(REQUIRED)} and staff_<field> columns"
            )
        staff_columns = [h for h in header if h.startswith(STAFF_PREFIX)]
        for column in staff_columns:
            if column[len(STAFF_PREFIX) :] not in fields:
                raise ConfigError(
                    f"{path} row 1 column {column}: unknown field "
                    f"{column[len(STAFF_PREFIX) :]!r}; allowed: {', '.join(fields)}"
                )
        if not staff_columns:
            raise ConfigError(
                f"{path} row 1: no staff_<field> column; give at least one, e.g. staff_land"
            )
        unknown = [
            h
            for h in header
            if h not in REQUIRED
            and h not in OPTIONAL_NUMBERS
            and h not in OPTIONAL_TEXT
            and h not in staff_columns
        ]
        if unknown:
            raise ConfigError(
                f"{path} row 1 column {unknown[0]}: unknown column; allowed: "
                f"{', '.join(REQUIRED + tuple(OPTIONAL_NUMBERS) + OPTIONAL_TEXT)}, staff_<field>"
            )
        rows = [
            _row(
                path,
                n,
                line,
                staff_columns,
                fields,
                household_size,
                generalist_proficiency,
                generalist_switch,
            )
            for n, line in enumerate(reader, start=2)
        ]
    if not rows:
        raise ConfigError(f"{path}: no data rows after the header")
    return rows


def _row(path, n, line, staff_columns, fields, household_size, proficiency, switch) -> dict:
    if None in line or any(v is None for v in line.values()):
        raise ConfigError(f"{path} row {n}: wrong number of cells for the header")
    cells = {k: (v or "").strip() for k, v in line.items()}
    name = cells["commune"]
    if not name:
        raise ConfigError(f"{path} row {n} column commune = '': a commune needs a name")
    display_name = cells.get("display_name", "")
    if not name.isascii():  # ids stay ASCII: the name with diacritics is shown instead
        display_name = display_name or name
        name = ascii_id(name)
        if not name:
            raise ConfigError(
                f"{path} row {n} column commune = {cells['commune']!r}: "
                "needs letters or digits for the commune's id"
            )

    def num(column: str, whole: bool = False, high: float | None = None):
        return _number(path, n, column, cells[column], whole, high)

    clerks = []
    for column in staff_columns:
        count = num(column, whole=True)
        if count:
            clerks.append({"count": count, "skills": {column[len(STAFF_PREFIX) :]: 1.0}})
    entry = {
        "name": name,
        "province": cells["province"],
        "households": num("population") / household_size,
        "businesses": num("businesses"),
        "workstations": num("workstations", whole=True),
        "sites": num("sites", whole=True),
        "signal_coverage": num("signal_coverage", high=1.0),
        "clerks": clerks,
    }
    if display_name:
        entry["display_name"] = display_name
    if entry["sites"] < 1:
        raise ConfigError(f"{path} row {n} column sites = {cells['sites']!r}: must be >= 1")
    for column, (whole, high) in OPTIONAL_NUMBERS.items():
        if column in cells and cells[column] != "":
            entry[column] = num(column, whole=whole, high=high)
    generalists = entry.pop("generalists", 0)
    if generalists:
        clerks.append(
            {
                "count": generalists,
                "skills": dict.fromkeys(fields, proficiency),
                "switch_hours": switch,
            }
        )
    if not clerks:
        raise ConfigError(f"{path} row {n}: commune {name!r} has no staff in any staff_ column")
    return entry
