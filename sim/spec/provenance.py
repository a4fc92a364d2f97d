"""Which config values are assumptions: a scan of the YAML files with their comments.

Every default number in configs/ carries a comment: a source (docs/SOURCES.md), the word
``assumption``, or ``lever:`` for a planner's choice (a policy's count, start day,
months; the run's length). PyYAML drops comments, so the scan composes the YAML node tree
(which keeps each value's line) and reads the comment on the line where the value stands:
``work_hours: {dist: lognormal, mean: 0.2, cv: 0.5}   # assumption`` makes all three
values assumptions. Comment lines of their own (section notes) label nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

_PACKAGE = re.compile(r"^#\s*@package\s+(\S+)", re.M)


@dataclass(frozen=True)
class Leaf:
    """One value of a config file and the comment on its line."""

    path: str  # dotted, in the composed config: "scenario.staff.absence_probability"
    value: object
    comment: str
    file: Path
    line: int  # 1-based

    @property
    def is_assumption(self) -> bool:
        return "assumption" in self.comment

    @property
    def is_number(self) -> bool:
        return isinstance(self.value, int | float) and not isinstance(self.value, bool)


def _comment(line: str) -> str:
    """The comment of one YAML line: text after a `#` outside quotes."""
    quote = None
    for i, char in enumerate(line):
        if quote:
            if char == quote:
                quote = None
        elif char in "'\"":
            quote = char
        elif char == "#" and (i == 0 or line[i - 1] in " \t"):
            return line[i + 1 :].strip()
    return ""


def _walk(node: yaml.Node, prefix: tuple[str, ...]):
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            yield from _walk(value, (*prefix, str(key.value)))
    elif isinstance(node, yaml.SequenceNode) and node.value:
        for index, value in enumerate(node.value):
            yield from _walk(value, (*prefix, str(index)))
    else:
        yield prefix, node


def config_leaves(path: Path, package: str | None = None) -> list[Leaf]:
    """Every scalar value of one config file with the comment on its line.

    ``package`` is where the file lands in the composed config (``scenario``,
    ``policy.training``, ``costs``, or ``""`` for the top level); by default the file's
    ``# @package`` header, else its folder's name (``configs/scenario/x.yaml``:
    ``scenario``). The Hydra ``defaults`` list is not a value and is skipped.
    """
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    if package is None:
        header = _PACKAGE.search(text)
        package = header.group(1) if header else path.parent.name
    root = yaml.compose(text)
    if root is None:
        return []
    lines = text.splitlines()
    leaves = []
    for keys, node in _walk(root, ()):
        if not keys or keys[0] == "defaults":
            continue
        value = yaml.safe_load(yaml.serialize(node)) if node.value != "" else None
        line = node.start_mark.line
        dotted = ".".join((package, *keys) if package else keys)
        leaves.append(Leaf(dotted, value, _comment(lines[line]), path, line + 1))
    return leaves


def _list_of(leaf: Leaf) -> str | None:
    """The outermost list a value belongs to (or is, when empty), else None."""
    if leaf.value == []:
        return leaf.path
    keys = leaf.path.split(".")
    for index, key in enumerate(keys):
        if key.isdigit():
            return ".".join(keys[:index])
    return None


def scenario_chain(name: str, scenario_dir: Path) -> list[Path]:
    """The files that compose ``scenario=NAME``, in composition order (defaults first)."""
    path = Path(scenario_dir) / f"{name}.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    chain: list[Path] = []
    for item in data.get("defaults", []) or []:
        if item == "_self_":
            chain.append(path)
        elif isinstance(item, str):
            chain.extend(p for p in scenario_chain(item, scenario_dir) if p not in chain)
    if path not in chain:
        chain.append(path)
    return chain


def scenario_assumptions(name: str, scenario_dir: Path) -> dict[str, Leaf]:
    """The assumption values of ``scenario=NAME`` by dotted path, inherited ones included.

    A later file that sets the same value decides its label: a value that a scenario
    replaces with a calibrated or sourced one is not an assumption of that scenario.
    Lists are replaced whole by Hydra, so a later file's list drops the earlier items.
    """
    labels: dict[str, Leaf] = {}
    for path in scenario_chain(name, scenario_dir):
        leaves = config_leaves(path, "scenario")
        replaced_lists = {_list_of(leaf) for leaf in leaves} - {None}
        for key in list(labels):
            if any(key.startswith(prefix + ".") for prefix in replaced_lists):
                del labels[key]
        labels.update({leaf.path: leaf for leaf in leaves})
    return {path: leaf for path, leaf in labels.items() if leaf.is_assumption}
