"""The package's architecture, checked from the source: layers, import cycles, module size.

Every module under ``sim/`` is parsed with ``ast``; every import counts, including
imports inside functions and type-only imports under ``TYPE_CHECKING`` (a cycle hidden
there is still a cycle a reader has to hold in mind).
"""

from __future__ import annotations

import ast
import functools
import re
from pathlib import Path

import pytest

SIM = Path(__file__).resolve().parent.parent / "sim"
# subpackages from the ground up: each imports only those before it (and itself)
LAYERS = (
    "core", "spec", "intake", "abm", "policies", "runs", "forecasting", "reports", "studies",
    "optimize", "dashboard",
)  # fmt: skip


def is_entry(name: str) -> bool:
    """A command (``python -m sim.X``: ``sim/X.py`` or a ``__main__``) or the users'
    façade ``sim.api``: thin, and imported by no module of the package."""
    path = modules().get(name)
    return path is not None and (
        (path.parent == SIM and path.name != "__init__.py") or path.name == "__main__.py"
    )


MAX_LINES = 400


def module_name(path: Path) -> str:
    parts = path.relative_to(SIM.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@functools.cache
def modules() -> dict[str, Path]:
    """Every module of the package by dotted name."""
    return {module_name(p): p for p in sorted(SIM.rglob("*.py"))}


def imports_of(path: Path, name: str, known: set[str]) -> set[str]:
    """The package's modules that module ``name`` imports, wherever the import stands."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                origin = ".".join(base + ([node.module] if node.module else []))
            else:
                origin = node.module or ""
            # "from sim.x import y": y is a module of its own, or a name inside sim.x
            targets = [f"{origin}.{alias.name}" for alias in node.names] + [origin]
        else:
            continue
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def import_graph() -> dict[str, set[str]]:
    mods = modules()
    known = set(mods)
    return {name: imports_of(path, name, known) for name, path in mods.items()}


def layer_of(name: str) -> int | None:
    """Index of a module's subpackage in LAYERS; None for entry points at sim/ top level."""
    parts = name.split(".")
    if len(parts) < 2 or is_entry(name):
        return None
    return LAYERS.index(parts[1]) if parts[1] in LAYERS else None


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0

    def visit(node: str) -> None:
        nonlocal counter
        index[node] = low[node] = counter
        counter += 1
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_subpackages_import_only_lower_layers():
    wrong = []
    for name, targets in import_graph().items():
        own = layer_of(name)
        if own is None:
            continue
        for target in sorted(targets):
            other = layer_of(target)
            if other is None and target != "sim":
                wrong.append(f"{name} imports the entry point {target}")
            elif other is not None and other > own:
                wrong.append(f"{name} ({LAYERS[own]}) imports {target} ({LAYERS[other]})")
    assert wrong == []


def test_every_module_is_in_a_layer_or_is_a_command():
    """A new subpackage must take its place in LAYERS: none escapes the checks."""
    loose = [
        name for name in modules()
        if name != "sim" and not is_entry(name) and layer_of(name) is None
    ]  # fmt: skip
    assert loose == []


def test_no_module_imports_a_command():
    """Commands are thin fronts over the layers; library code never goes through one."""
    wrong = [
        f"{name} imports the command {target}"
        for name, targets in import_graph().items()
        for target in sorted(targets)
        if is_entry(target) and target != "sim.api"
    ]
    assert wrong == []


def test_no_import_cycles_between_modules():
    assert cycles(import_graph()) == []


@pytest.mark.parametrize("name", sorted(modules()))
def test_no_module_over_the_line_limit(name):
    lines = modules()[name].read_text(encoding="utf-8").count("\n")
    assert lines <= MAX_LINES, f"{name}: {lines} lines; split it by idea"


def test_the_checks_see_cycles_and_hidden_imports(tmp_path):
    """Imports inside functions and under TYPE_CHECKING count; a cycle is found."""
    probe = tmp_path / "probe.py"
    probe.write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from sim.abm.model import GovernanceModel\n"
        "def f():\n    import sim.runs.country\n    from ..spec import config\n",
        encoding="utf-8",
    )
    found = imports_of(probe, "sim.core.probe", set(modules()))
    assert found == {"sim.abm.model", "sim.runs.country", "sim.spec.config", "sim.spec"}
    assert cycles({"sim.core.a": {"sim.abm.b"}, "sim.abm.b": {"sim.core.a"}, "sim.x": set()}) == [
        ["sim.abm.b", "sim.core.a"]
    ]


def _architecture_section() -> str:
    text = (SIM.parent / "README.md").read_text(encoding="utf-8")
    start = text.index("## Architecture")
    return text[start : text.index("\n## ", start + 1)]


def test_the_readme_map_names_every_subpackage():
    section = _architecture_section()
    assert [layer for layer in LAYERS if f"`sim/{layer}/`" not in section] == []


def test_the_readme_dossier_path_names_code_that_exists():
    """Every `Owner.name` in the README's dossier path is a class or module with that name."""
    defined: dict[str, set[str]] = {}  # class or module name -> names defined in it
    for name, path in modules().items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        # a module's functions and classes under its short name (``summary.assemble``)
        module_names = defined.setdefault(name.rpartition(".")[2], set())
        for node in tree.body:
            if isinstance(node, ast.FunctionDef | ast.ClassDef):
                module_names.add(node.name)
            if isinstance(node, ast.ClassDef):
                members = defined.setdefault(node.name, set())
                for item in node.body:  # methods, and dataclass fields (World.resolve)
                    if isinstance(item, ast.FunctionDef):
                        members.add(item.name)
                    elif isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
                        members.add(item.target.id)

    files = ("py", "json", "csv", "html", "md")
    found = re.findall(r"`([A-Za-z_]+)\.([A-Za-z_]+)`", _architecture_section())
    named = [(owner, name) for owner, name in found if name not in files]
    assert len(named) > 15
    missing = [f"{owner}.{name}" for owner, name in named if name not in defined.get(owner, ())]
    assert missing == []
