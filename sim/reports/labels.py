"""What a reader sees for a key: a column's label, a policy's name, in the report language.

Keys (``overdue_dossiers``, ``second_staff``) stay in files for tools; reports and
workbooks show the catalogue's words for them (sim/reports/translations.yaml).
"""

from __future__ import annotations

import re

from sim.core.summary import FIGURES, is_number
from sim.reports.figure_text import short
from sim.reports.i18n import localize, t

SUFFIXES = {  # key suffix -> how the label of the key before it is extended
    "_ci_low": "{label}, 95% CI low",
    "_ci_high": "{label}, 95% CI high",
    "_diff": "{label}, change",
    "_p05": "{label}, 5th percentile",
    "_p50": "{label}, median",
    "_p95": "{label}, 95th percentile",
}


def label(key: str) -> str:
    """What a reader sees as the header of column ``key``, in the current language: a
    summary figure's column name, else the key's words (both in the catalogue)."""
    for suffix, pattern in SUFFIXES.items():
        if key.endswith(suffix) and len(key) > len(suffix):
            return t(pattern, label=label(key[: -len(suffix)]))
    if "." in key:  # by_field.land.overdue_dossiers: the figure, then where
        *where, last = key.split(".")
        place = t(where[-1].replace("_", " ")) if len(where) > 1 else t(where[0])
        return t("{figure}, {where}", figure=label(last), where=place)
    shorts = {figure.key: short(figure) for figure in FIGURES}
    return t(shorts.get(key, key.replace("_", " ")))


def policy_words(text: str) -> str:
    """``second_staff+training`` as a reader sees it: each policy's name translated."""
    parts = re.split(r"\s*([+,])\s*", text)
    return "".join(
        (" + " if p == "+" else ", ") if p in "+," else _policy_name(p) for p in parts if p
    )


def _policy_name(text: str) -> str:
    """A policy's name translated; what follows it (its settings) and a text that is no
    name (``?``: a job whose policy is unknown) as they are."""
    match = re.match(r"^([a-z][a-z0-9_]*)(.*)$", text)
    if match is None:
        return text
    return t(match.group(1).replace("_", " ")) + match.group(2)


def setting_words(value: object) -> str:
    """A policy's setting as a reader sees it: numbers localised, yes/no, words of the
    catalogue (a field, ``all`` communes, a rule), a dash for none."""
    if isinstance(value, bool):
        return t("yes") if value else t("no")
    if value is None:
        return "-"
    if is_number(value):
        return localize(f"{value:,}")
    if isinstance(value, list | tuple):
        return "; ".join(setting_words(v) for v in value)
    text = str(value)
    return t("all communes") if text == "all" else t(text.replace("_", " "))
