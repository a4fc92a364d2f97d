"""The state's documented layout: docs/STATE.md is LAYOUT, and every array is in it."""

from __future__ import annotations

from pathlib import Path

from sim.core.arrays import Arrays
from sim.core.state import LAYOUT, layout_page

DOCS = Path(__file__).resolve().parent.parent / "docs" / "STATE.md"


def test_the_layout_page_is_up_to_date():
    assert DOCS.read_text(encoding="utf-8") == layout_page(), (
        "docs/STATE.md differs from LAYOUT: run python -m sim.core.state > docs/STATE.md"
    )


def test_every_array_of_the_layout_is_allocated_with_its_dtype():
    arrays = Arrays(n_fields=3, n_communes=2, n_offices=4, n_rows=8).arrays
    assert list(arrays) == [name for name, *_ in LAYOUT]
    for name, _, dtype, _, _ in LAYOUT:
        assert arrays[name].dtype == dtype, name


def test_growing_a_table_keeps_its_rows_and_fills_the_new_ones():
    grown = Arrays(n_fields=3, n_communes=2, n_offices=4, n_rows=8)
    grown.arrays["d_work"][:3] = [1.0, 2.0, 3.0]
    size, before = len(grown.arrays["d_work"]), grown.state
    grown.grow("dossier", size + 1)
    assert len(grown.arrays["d_work"]) == 2 * size
    assert grown.arrays["d_work"][:3].tolist() == [1.0, 2.0, 3.0]
    assert (grown.arrays["d_q_left"][size:] == -1).all()  # new rows get their fill value
    assert grown.state is not before  # the compiled code gets the new arrays
