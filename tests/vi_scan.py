"""Scan a command's Vietnamese outputs for English words and raw keys a planner reads.

``python -m tests.vi_scan FOLDER...`` prints, per report (``.md``/``.html``) and workbook
(``.xlsx``), the English words and snake_case keys found in the text a person reads;
tests/test_every_command_vi.py runs :func:`findings` over every command's outputs.

What counts as read: the text of a report outside code (``<code>``, `` `...` ``, ``<pre>``,
``<script>``/``<style>``) and the visible cells of a workbook (not its hidden key row or a
sheet of keys; a cell's `` `...` `` is code there too). A word is English when it is
ASCII, three letters or more, not a syllable the Vietnamese catalogue itself writes
(``theo``, ``trong``, ...) and not one of the names and symbols both languages use
(``ALLOWED``). A published source's web address and the quoted title it was published
under stay as published. Things the user typed (a scenario or policy name, a file, a key
written as code, a published figure's id) are not words a planner reads: not flagged.
"""

from __future__ import annotations

import functools
import html
import re
import sys
from pathlib import Path

import yaml

from sim.reports import i18n
from sim.spec.paths import CONFIG_DIR, EXPERIMENTS

# Names, symbols and abbreviations both languages write as they are.
ALLOWED = {
    # methods and statistics named after people, and their symbols
    "morris", "sobol", "sigma", "mu", "bootstrap", "pinball",
    # file formats and programs a planner opens
    "csv", "json", "xlsx", "html", "excel", "png", "svg", "yaml",
    # Vietnamese abbreviations and units written in Latin letters
    "pasc", "ktc", "ubnd", "vnd", "mae", "nfc", "max", "min", "hydra", "seed",
    # the model's own name for its method families, shown next to their translation
    "des", "abm",
}  # fmt: skip
VIETNAMESE_LETTER = r"[ăâđêôơưĂÂĐÊÔƠƯàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ]"
WORD = re.compile(r"[A-Za-zÀ-ỹ]+(?:_[A-Za-z0-9À-ỹ]+)*")
KEY = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")


@functools.cache
def place_names() -> frozenset[str]:
    """Every ASCII word of a line of Vietnamese in the configs (a commune's display name,
    a procedure's name, the dossier log's vocabulary) and in the studies' questions, and
    every word of a display name."""
    words = set()
    files = [*Path(CONFIG_DIR).rglob("*"), *Path(EXPERIMENTS).glob("*/README.md")]
    for path in files:
        if path.suffix in (".yaml", ".csv", ".md"):
            text = path.read_text(encoding="utf-8", errors="replace")
            for line in text.splitlines():
                if "display_name" in line or re.search(VIETNAMESE_LETTER, line):
                    words |= {w.lower() for w in WORD.findall(line) if "_" not in w}
    return frozenset(words)


@functools.cache
def typed_names() -> frozenset[str]:
    """Names a user types and reads back as they are: scenarios, studies, the columns of
    the files a planner brings (the history and open dossiers templates), and the ids of
    the published figures and their runs (``validate.only=[ID]``, sim/configs/validation.yaml)."""
    folders = (Path(CONFIG_DIR) / "scenario", Path(CONFIG_DIR) / "experiment")
    names = {p.stem.lower() for folder in folders for p in folder.glob("*.yaml")}
    for template in (Path(CONFIG_DIR) / "forecast").glob("*.csv"):
        header = template.read_text(encoding="utf-8-sig").splitlines()[0]
        names |= {c.strip().lower() for c in re.split("[;,]", header)}
    published = yaml.safe_load((Path(CONFIG_DIR) / "validation.yaml").read_text(encoding="utf-8"))
    names |= {str(f["id"]).lower() for f in published["figures"]} | set(published["runs"])
    return frozenset(names)


@functools.cache
def vietnamese_syllables() -> frozenset[str]:
    """Every ASCII word the Vietnamese catalogue writes (a Vietnamese syllable or a name)."""
    words = set()
    for text in i18n.catalogue()["vi"].values():
        text = re.sub(r"\{[^}]*\}", " ", text)  # placeholders
        words |= {w.lower() for w in WORD.findall(text) if w.isascii() and "_" not in w}
    return frozenset(words)


def _report_text(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".html":
        text = re.sub(r"(?is)<(script|style|code|pre)\b.*?</\1>", " ", text)
        text = re.sub(r"(?s)<[^>]+>", " ", text)
        return html.unescape(text)
    text = re.sub(r"(?s)```.*?```", " ", text)
    return re.sub(r"`[^`]*`", " ", text)


def _workbook_text(path: Path) -> str:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=False)
    cells = []
    for sheet in book.worksheets:
        if sheet.sheet_state != "visible":
            continue
        for row in sheet.iter_rows():
            for cell in row:
                if sheet.row_dimensions[cell.row].hidden or not isinstance(cell.value, str):
                    continue
                if sheet.column_dimensions[cell.column_letter].hidden:
                    continue
                cells.append(cell.value)
    return re.sub(r"`[^`]*`", " ", "\n".join(cells))  # code, as in a report


def findings(path: Path, typed: set[str] = frozenset()) -> dict[str, list[str]]:
    """English words and raw keys in the text of report or workbook ``path``.

    ``typed``: more names the user typed (a study's folder), not flagged."""
    text = _workbook_text(path) if path.suffix == ".xlsx" else _report_text(path)
    return text_findings(text, typed)


def text_findings(text: str, typed: set[str] = frozenset()) -> dict[str, list[str]]:
    """English words and raw keys in ``text`` a person reads: a report's or workbook's
    text, the lines a command prints, the words of a figure."""
    # dates as the files keep them (2025-07-01, 2025-08) instead of 01/07/2025, 08/2025
    dates = sorted(set(re.findall(r"(?<![\w/.-])\d{4}-\d{2}(?:-\d{2})?(?![\w/-])", text)))
    # a published source: its address and the quoted title it was published under
    text = re.sub(r'[\w.-]+\.(?:vn|com|org|net)\b(?:/[\w./-]*)?(?:\s+"[^"]*")?', " ", text)
    text = re.sub(r"\S+\.(?:csv|json|xlsx|html|md|png|log|yaml)\b", " ", text)  # file names
    text = re.sub(r"(?:/[\w.=,\[\]-]+)+/?", " ", text)  # folders
    text = re.sub(r"\S*\w=\S+", " ", text)  # settings as typed: run.days=10
    text = re.sub(r"\S*(?:\d[A-Za-z]|[A-Za-z]\d)\S*", " ", text)  # versions, hashes: 0.1.0+g2c3d
    known = vietnamese_syllables() | place_names() | ALLOWED
    english, keys = {}, {}
    for match in WORD.finditer(text):
        word = match.group()
        if word.lower() in typed or word.lower() in typed_names() or not word.isascii():
            continue
        where = " ".join(text[max(0, match.start() - 60) : match.end() + 30].split())
        if KEY.fullmatch(word):
            keys.setdefault(word, where)
        elif len(word) >= 3 and word.lower() not in known and not word.isupper():
            english.setdefault(word, where)
    return {"english": english, "keys": keys, "dates": dict.fromkeys(dates, "")}


def main(folders: list[str]) -> int:
    found = 0
    for folder in folders:
        for path in sorted(Path(folder).rglob("*")):
            if path.suffix not in (".md", ".html", ".xlsx") or path.name == "README.md":
                continue
            result = findings(path, {p.name.lower() for p in path.parents})
            if any(result.values()):
                found += 1
                print(f"{path}:")
                for kind, words in result.items():
                    for word, where in sorted(words.items()):
                        print(f"  {kind} {word!r}: ...{where}...")
    return 1 if found else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
