"""The state the compiled code takes: ``new_state`` puts every array of ``LAYOUT`` into
it exactly once, and the compiled code works on the arrays themselves, not copies.

(tests/test_state_layout.py checks the documentation page and the allocation.)
"""

from __future__ import annotations

import ast
import inspect

import numba

from sim.core import arrays as arrays_module
from sim.core import events
from sim.core.arrays import STATE_TYPE, Arrays
from sim.core.state import LAYOUT, TABLES, layout_table

NAMES = [name for name, *_ in LAYOUT]


def test_layout_names_are_unique_and_their_tables_and_axes_known():
    assert len(set(NAMES)) == len(NAMES)
    widths = Arrays(1, 1, 1, 1).widths
    for name, table, _, axis, meaning in LAYOUT:
        assert table in TABLES, name
        assert axis in widths, name
        assert meaning, name


def test_new_state_assigns_every_array_of_the_layout_once():
    tree = ast.parse(inspect.getsource(arrays_module))
    (function,) = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef) and node.name == "new_state"
    ]
    assigned = []
    for node in ast.walk(function):
        if not isinstance(node, ast.Assign):
            continue
        (target,) = node.targets
        if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name):
            assert target.value.id == "s"
            value = node.value
            assert isinstance(value, ast.Attribute) and value.attr == target.attr, ast.unparse(node)
            assigned.append(target.attr)
    missing = set(NAMES) - set(assigned)
    extra = set(assigned) - set(NAMES)
    twice = {name for name in assigned if assigned.count(name) > 1}
    assert not (missing or extra or twice), (missing, extra, twice)


def test_the_state_type_has_one_member_per_array_with_its_dtype_and_dimensions():
    members = dict(STATE_TYPE.field_dict)
    assert list(members) == NAMES
    allocated = Arrays(2, 1, 1, 1).arrays
    for name in NAMES:
        assert members[name].dtype == numba.from_dtype(allocated[name].dtype), name
        assert members[name].ndim == allocated[name].ndim, name


def test_the_layout_table_lists_every_array():
    rows = layout_table().splitlines()[2:]
    assert len(rows) == len(LAYOUT)
    for row, (name, table, dtype, axis, meaning) in zip(rows, LAYOUT, strict=True):
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        assert cells == [f"`{name}`", table, dtype, axis, meaning]


def test_the_compiled_code_works_on_the_arrays_themselves():
    arrays = Arrays(1, 1, 1, 1)
    s = arrays.state
    assert events.push(s, 3.0, 5, 42)  # compiled code writes...
    assert arrays.arrays["e_time"][0] == 3.0 and arrays.arrays["e_arg"][0] == 42
    assert arrays.arrays["counters"][events.HEAP] == 1  # ...into the NumPy arrays
    arrays.arrays["e_time"][0] = 1.5  # and reads what Python writes
    assert events.next_time(s) == 1.5
    arrays.grow("event", 5000)  # a grown table is a new array: a new state holds it
    assert arrays.state is not s
    assert events.next_time(arrays.state) == 1.5
    assert events.push(arrays.state, 0.5, 1, 7)
    assert arrays.arrays["e_arg"][:2].tolist() == [7, 42]
