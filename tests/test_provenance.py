"""Every parameter of the field-report scenarios is documented, and every number sourced."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.helpers import scenario

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = (
    "lang_son_wards",
    "lang_son_communes",
    "gia_lai_rural",
    "gia_lai_ia_ly",
    "nghe_an_do_luong",
)
PLACEHOLDERS = {
    "procedures": "<procedure>",
    "applicants": "<kind>",
    "departments": "<field>",
    "skills": "<field>",
    "duties": "<duty>",
    "steps": "<step>",
}


def parameter_paths(value, prefix: str = "") -> set[str]:
    """Dotted parameter names, with names of procedures, kinds and fields generalised."""
    if isinstance(value, dict):
        paths = set()
        last = prefix.rsplit(".", 1)[-1]
        for key, item in value.items():
            name = PLACEHOLDERS.get(last.rstrip("[]"), key)
            paths |= parameter_paths(item, f"{prefix}.{name}" if prefix else name)
        return paths
    if isinstance(value, list) and value and all(isinstance(i, dict) for i in value):
        return set().union(*(parameter_paths(i, prefix + "[]") for i in value))
    return {prefix}


def readme_parameters() -> set[str]:
    text = (ROOT / "README.md").read_text()
    return set(re.findall(r"^\| `([^`]+)` \|", text, flags=re.M))


@pytest.mark.parametrize("name", SCENARIOS)
def test_every_scenario_parameter_is_in_the_readme_table(name):
    data = scenario(name)
    missing = sorted(parameter_paths(data) - readme_parameters())
    assert not missing, f"README parameter table lacks {missing}"


@pytest.mark.parametrize("name", (*SCENARIOS, "province", "country"))
def test_every_number_says_where_it_comes_from(name):
    """A line that sets a number carries `assumption`, a docs/SOURCES.md source, or says it is
    a planner's `lever:` (configs/uncertainty/README.md)."""
    lines = (ROOT / "configs" / "scenario" / f"{name}.yaml").read_text().splitlines()
    unsourced = []
    for number, line in enumerate(lines, start=1):
        code, _, comment = line.partition("#")
        if not re.search(r":\s*[-\[{]?\s*[0-9]", code) and not re.search(r"\{.*[0-9]", code):
            continue
        if not re.search(r"assumption|SOURCES\.md|lever:", comment):
            unsourced.append(f"{number}: {line.strip()}")
    assert not unsourced, unsourced


def test_citations_point_inside_the_repository():
    """Configs, code and README cite docs/SOURCES.md, never a file users do not have."""
    assert (ROOT / "docs" / "SOURCES.md").is_file()
    outside = re.compile(r"\.\./shared|DOMAIN\.md|DESIGN\.md")
    offenders = [
        f"{path.relative_to(ROOT)}:{n}"
        for folder in ("configs", "sim", "experiments")
        for path in sorted((ROOT / folder).rglob("*"))
        if path.suffix in {".py", ".yaml", ".md"}
        for n, line in enumerate(path.read_text().splitlines(), start=1)
        if outside.search(line)
    ]
    offenders += [
        f"README.md:{n}"
        for n, line in enumerate((ROOT / "README.md").read_text().splitlines(), start=1)
        if outside.search(line)
    ]
    assert not offenders, offenders


def test_sources_page_gives_every_source_an_address_column():
    """Each source row names its publisher, date and address (or says none was recorded)."""
    text = (ROOT / "docs" / "SOURCES.md").read_text()
    rows = re.findall(r"^\| (S\d+) \|(.*)\|$", text, flags=re.M)
    assert len(rows) >= 10
    for source, rest in rows:
        cells = [c.strip() for c in rest.split("|")]
        assert len(cells) == 4 and all(cells), (source, cells)
    cited = set(re.findall(r"\b(S\d+)\b", text))
    assert cited <= {s for s, _ in rows}, cited - {s for s, _ in rows}
