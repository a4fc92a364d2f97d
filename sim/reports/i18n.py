"""Report language: labels, numbers and dates in English or Vietnamese.

``output.language=vi`` writes reports (and Excel sheets) with Vietnamese labels, dates as
dd/mm/yyyy and numbers as 1.234,5. Every translation lives in one catalogue,
``sim/reports/translations.yaml``, keyed by the English text, so a translator edits one
file and the code keeps reading as English. Text without a translation falls back to
English and is remembered in ``MISSING`` (the tests require it to stay empty), and
appended to the file named by the environment variable ``SIM_MISSING_TRANSLATIONS``
when it is set (the tests run every command with it and read what the commands missed).
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import functools
import os
import re
from collections.abc import Callable, Iterator
from importlib.resources import files
from pathlib import Path

import yaml

from sim.runs.outputs import LANGUAGES

CATALOGUE = Path(str(files("sim.reports") / "translations.yaml"))
MISSING: set[tuple[str, str]] = set()
_LANGUAGE: contextvars.ContextVar[str] = contextvars.ContextVar("report_language", default="en")


@functools.cache
def catalogue() -> dict[str, dict[str, str]]:
    """Language -> {English text: translation}."""
    data = yaml.safe_load(CATALOGUE.read_text(encoding="utf-8")) or {}
    return {
        lang: {str(k): str(v) for k, v in (texts or {}).items()} for lang, texts in data.items()
    }


def check_language(code: str) -> str:
    """``code`` if it is a known language, else ValueError naming the allowed ones."""
    if code not in LANGUAGES:
        raise ValueError(f"{code!r}: unknown language; allowed: {', '.join(LANGUAGES)}")
    return code


@contextlib.contextmanager
def language(code: str) -> Iterator[None]:
    """Write everything inside the block in language ``code``."""
    token = _LANGUAGE.set(check_language(code))
    try:
        yield
    finally:
        _LANGUAGE.reset(token)


def current() -> str:
    return _LANGUAGE.get()


class Phrase(str):
    """English text that keeps its template and values, so that ``t(phrase)`` says it
    again in the current language: for text made where the language is not known yet
    (a note a command prints, then writes into its report). Values that are phrases are
    said in that language too; ``say``, when given, says the phrase instead (a key as the
    reader's label: ``Phrase("civil_status", say=lambda: label("civil_status"))``)."""

    template: str
    values: dict[str, object]
    say: Callable[[], str] | None

    def __new__(cls, template: str, /, say: Callable[[], str] | None = None, **values) -> Phrase:
        made = super().__new__(cls, template.format(**values) if values else template)
        made.template, made.values, made.say = template, values, say
        return made


def t(text: str, /, **values: object) -> str:
    """``text`` in the current language, with ``{name}`` placeholders filled in; a
    :class:`Phrase` in the current language with its own values. A text with no words
    outside its placeholders (``{a}, {b}``) needs no translation."""
    if isinstance(text, Phrase):
        return text.say() if text.say else t(text.template, **text.values, **values)
    values = {k: t(v) if isinstance(v, Phrase) else v for k, v in values.items()}
    if values and not re.search(r"[^\W\d_]", re.sub(r"\{[^}]*\}", "", text)):
        return text.format(**values)
    lang = current()
    if lang != "en":
        translated = catalogue().get(lang, {}).get(text)
        if translated is None:
            _missing(lang, text)
        else:
            text = translated
    return text.format(**values) if values else text


def t_shaped(text: str, shapes: dict[str, str]) -> str:
    """``text`` made by a lower layer with values in it (``16 days of history: ...``) in
    the current language: the first of ``shapes`` (regular expression with named groups
    -> the catalogue's template) that matches it whole says it with its values; else
    ``t(text)``."""
    for pattern, template in shapes.items():
        if match := re.fullmatch(pattern, text):
            return t(template, **match.groupdict())
    return t(text)


def _missing(lang: str, text: str) -> None:
    if (lang, text) in MISSING:
        return
    MISSING.add((lang, text))
    record = os.environ.get("SIM_MISSING_TRANSLATIONS")
    if record:
        with open(record, "a", encoding="utf-8") as handle:
            handle.write(f"{lang}\t{text!r}\n")


def localize(text: str) -> str:
    """A number written as ``1,234.5`` in the current language (``1.234,5`` in Vietnamese)."""
    if current() == "vi":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text


def number(value: float, decimals: int = 0) -> str:
    """``1,234.5`` in English, ``1.234,5`` in Vietnamese."""
    return localize(f"{value:,.{decimals}f}")


def date(day: dt.date, weekday: bool = False) -> str:
    """``01 Jul 2025`` in English, ``01/07/2025`` in Vietnamese (weekday first if asked)."""
    if current() == "vi":
        text = f"{day:%d/%m/%Y}"
        return f"{t(f'{day:%A}')} {text}" if weekday else text
    return f"{day:%a %d %b %Y}" if weekday else f"{day:%d %b %Y}"


def month(text: str | None) -> str:
    """``2025-08`` as a reader writes it: ``08/2025`` in Vietnamese, ``Aug 2025`` in
    English; a dash for none."""
    if not isinstance(text, str) or not text:
        return "-"
    day = dt.date.fromisoformat(f"{text}-01")
    return f"{day:%m/%Y}" if current() == "vi" else f"{day:%b %Y}"
