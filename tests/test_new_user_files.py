"""Issue 28, item 1: a communes file from Vietnamese Excel is never misread silently."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

from tests.helpers import sim_run

HEADER = (
    "commune;province;population;businesses;workstations;sites;signal_coverage;"
    "staff_certification;staff_civil_status;staff_land;staff_construction;staff_business;"
    "staff_social_policy"
)


def _file(path: Path, population: str, coverage: str = "0,9", name: str = "Phú Thiện") -> Path:
    """Two twin communes, the first with ``population`` as written, in cp1258 with the
    tone marks decomposed (as Excel's Windows Vietnamese code page stores them)."""
    rows = [
        HEADER,
        f"{name};Gia Lai;{population};900;8;1;{coverage};2;2;2;1;1;2",
        f"twin;Gia Lai;31000;900;8;1;{coverage};2;2;2;1;1;2",
    ]
    path.write_bytes(_cp1258_decomposed("\r\n".join(rows) + "\r\n"))
    return path


def _cp1258_decomposed(text: str) -> bytes:
    """Each letter as cp1258 holds it: the base vowel (with its hat, breve or horn)
    precomposed, the tone mark a separate combining character."""
    out = []
    for char in text:
        parts = unicodedata.normalize("NFD", char)
        tones = "".join(c for c in parts if c in TONES)
        out.append(unicodedata.normalize("NFC", "".join(c for c in parts if c not in TONES)))
        out.append(tones)
    return "".join(out).encode("cp1258")


TONES = "\u0300\u0301\u0303\u0309\u0323"


def _run(tmp_path: Path, communes: Path):
    return sim_run(
        "scenario=lang_son_wards",
        f"scenario.communes_file={communes}",
        "run.days=10",
        "output.report=false",
        "output.plots=false",
        f"hydra.run.dir={tmp_path / 'out'}",
    )


def test_thousands_dot_in_a_decimal_comma_file_is_read_as_thousands(tmp_path):
    done = _run(tmp_path, _file(tmp_path / "communes.csv", "31.000"))
    assert done.returncode == 0, done.stderr
    summary = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    received = {c: f["dossiers_created"] for c, f in summary["by_commune"].items()}
    # twins: the same population gives about the same demand (31 people would give ~1)
    assert received["phu_thien"] > 0.7 * received["twin"] > 100, received
    # the name is stored composed (NFC), as typed, not decomposed as cp1258 holds it
    shown = summary["display_names"]["phu_thien"]
    assert shown == unicodedata.normalize("NFC", "Phú Thiện") and len(shown) == 9


def test_ambiguous_dot_is_refused_with_the_cell_named(tmp_path):
    """Without decimal commas in the file, ``31.000`` may be 31 or 31000: refused."""
    communes = _file(tmp_path / "communes.csv", "31.000", coverage="1")
    done = _run(tmp_path, communes)
    assert done.returncode == 2, done.stderr
    line = done.stderr.strip().splitlines()[-1]
    assert "row 2 column population = '31.000'" in line and "write 31000" in line
    assert "Traceback" not in done.stderr
