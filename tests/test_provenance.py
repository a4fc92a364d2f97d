"""Every parameter of the field-report scenarios is documented, and every number sourced."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hydra import compose, initialize_config_dir
from omegaconf import OmegaConf

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
    with initialize_config_dir(config_dir=str(ROOT / "configs"), version_base="1.3"):
        cfg = compose("config", overrides=[f"scenario={name}"])
    data = OmegaConf.to_container(cfg.scenario, resolve=True)
    missing = sorted(parameter_paths(data) - readme_parameters())
    assert not missing, f"README parameter table lacks {missing}"


@pytest.mark.parametrize("name", SCENARIOS)
def test_every_number_says_where_it_comes_from(name):
    """A line that sets a number carries `assumption` or a DOMAIN.md/DESIGN.md source."""
    lines = (ROOT / "configs" / "scenario" / f"{name}.yaml").read_text().splitlines()
    unsourced = []
    for number, line in enumerate(lines, start=1):
        code, _, comment = line.partition("#")
        if not re.search(r":\s*[-\[{]?\s*[0-9]", code) and not re.search(r"\{.*[0-9]", code):
            continue
        if not re.search(r"assumption|DOMAIN\.md|DESIGN\.md", comment):
            unsourced.append(f"{number}: {line.strip()}")
    assert not unsourced, unsourced
