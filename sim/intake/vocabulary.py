"""The words of a dossier log: headers, fields, statuses, channels and unit names.

A log's text is compared after ``fold``: Unicode NFC, lower case, diacritics dropped
(``đ`` as ``d``), runs of spaces and punctuation as one space. So "NGÀY TIẾP NHẬN",
"Ngày  tiếp nhận" and "ngay tiep nhan" are one header, and a cp1258 file decoded to
decomposed marks matches the configs' precomposed text. The words themselves live in
``configs/intake/columns.yaml`` and ``configs/intake/fields.yaml`` (package data).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
import yaml

from sim.spec.config import ConfigError
from sim.spec.paths import CONFIG_DIR as SHIPPED

CONFIG_DIR = SHIPPED / "intake"
CANONICAL = (
    "dossier_id",
    "procedure",
    "field",
    "commune",
    "channel",
    "received_at",
    "due_at",
    "resolved_at",
    "returned_at",
    "status",
)
DATE_COLUMNS = ("received_at", "due_at", "resolved_at", "returned_at")
OUTCOMES = ("resolved", "open", "withdrawn", "refused")
_SPACES = re.compile(r"[\s_.,:;()/\-]+")


@functools.lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """``text`` as compared: NFC, lower case, no diacritics, single spaces."""
    text = unicodedata.normalize("NFD", str(text).replace("đ", "d").replace("Đ", "D"))
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    return _SPACES.sub(" ", text.lower()).strip()


def nfc(text: str) -> str:
    """A name as written out: Unicode NFC, outer spaces dropped."""
    return unicodedata.normalize("NFC", str(text)).strip()


def unique_map(values: pd.Series, function) -> pd.Series:
    """``function`` of each cell, computed once per distinct value (a log repeats its
    names and dates many times; pandas' string methods go cell by cell)."""
    codes, uniques = pd.factorize(values, use_na_sentinel=False)
    mapped = np.array(
        [function(u) for u in np.asarray(uniques, dtype=object)] + [None], dtype=object
    )
    return pd.Series(mapped[codes], index=values.index, dtype=object)


def strip_text(value: object) -> str:
    """A cell as text without outer spaces (empty for a missing one)."""
    return "" if value is None or value != value else str(value).strip()


@dataclass(frozen=True)
class Vocabulary:
    """Folded header -> canonical column, and the other word lists, folded."""

    headers: dict[str, str]
    required: tuple[str, ...]
    statuses: tuple[tuple[str, str], ...]  # (folded start, outcome), longest first
    channels: tuple[tuple[str, str], ...]
    prefixes: tuple[str, ...]
    fields: dict[str, str]  # folded catalogue name -> field key

    def status_of(self, text: str) -> str | None:
        """The outcome a status text names (None: not known)."""
        folded = fold(text)
        for start, outcome in self.statuses:
            if folded.startswith(start):
                return outcome
        return None

    def channel_of(self, text: str) -> str:
        """``online``, ``in_person``, ``post``, or the folded text itself."""
        folded = fold(text)
        for start, channel in self.channels:
            if folded.startswith(start):
                return channel
        return folded or "unknown"

    def unit_name(self, text: str) -> str:
        """A commune's folded name without unit prefixes ("UBND xã Kỳ Lừa" -> "ky lua")."""
        name = fold(text)
        changed = True
        while changed:
            changed = False
            for prefix in self.prefixes:
                if name.startswith(prefix + " ") and len(name) > len(prefix) + 1:
                    name = name[len(prefix) + 1 :]
                    changed = True
        return name


def _load(name: str) -> dict:
    path = CONFIG_DIR / name
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}


def _pairs(mapping: Mapping[str, list], where: str) -> tuple[tuple[str, str], ...]:
    pairs = [(fold(word), key) for key, words in mapping.items() for word in words or []]
    if any(not word for word, _ in pairs):
        raise ConfigError(f"{where}: an empty word; remove it")
    return tuple(sorted(pairs, key=lambda p: -len(p[0])))


def vocabulary(extra_fields: Mapping[str, str] | None = None) -> Vocabulary:
    """The vocabulary of the package's configs, with ``extra_fields`` (catalogue name ->
    field key, e.g. ``intake.fields``) added to the field mapping."""
    columns = _load("columns.yaml")
    headers = {fold(key): key for key in CANONICAL}
    for key, words in (columns.get("columns") or {}).items():
        if key not in CANONICAL:
            raise ConfigError(
                f"configs/intake/columns.yaml columns.{key}: unknown column; allowed: "
                f"{', '.join(CANONICAL)}"
            )
        headers.update({fold(word): key for word in words or []})
    fields = {fold(k): str(v) for k, v in (_load("fields.yaml").get("fields") or {}).items()}
    fields.update({fold(k): str(v) for k, v in (extra_fields or {}).items()})
    return Vocabulary(
        headers=headers,
        required=tuple(columns.get("required") or ()),
        statuses=_pairs(columns.get("statuses") or {}, "configs/intake/columns.yaml statuses"),
        channels=_pairs(columns.get("channels") or {}, "configs/intake/columns.yaml channels"),
        prefixes=tuple(fold(p) for p in columns.get("unit_prefixes") or ()),
        fields=fields,
    )


def name_map(value: object, key: str) -> dict[str, str]:
    """A mapping setting (``intake.communes``, ``intake.fields``): a dict, or a list of
    ``"NAME=VALUE"`` texts, the form a command line can carry Vietnamese names in
    (``'intake.communes=["TT Đông Kinh=dong_kinh"]'``)."""
    if not value:
        return {}
    if isinstance(value, Mapping):
        return {str(k): str(v) for k, v in value.items()}
    if isinstance(value, list | tuple) and all(isinstance(v, str) and "=" in v for v in value):
        return {k.strip(): v.strip() for k, v in (item.rsplit("=", 1) for item in value)}
    raise ConfigError(
        f'{key} = {value!r}: give a mapping, or a list of "NAME=VALUE" texts, e.g. '
        f"'{key}=[\"Tên trong sổ=id\"]'",
        key,
    )
