"""Bring your own communes: a CSV replaces the scenario's commune list."""

from __future__ import annotations

import copy
import csv
from pathlib import Path

import pytest

from sim.abm.model import GovernanceModel
from sim.spec.config import ConfigError
from sim.spec.scenario import ScenarioSpec
from tests.helpers import scenario

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "configs" / "communes" / "example.csv"


def wards(*overrides: str) -> dict:
    return scenario("lang_son_wards", *overrides)


def write(path: Path, rows: list[dict]) -> Path:
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def example_rows() -> list[dict]:
    with EXAMPLE.open(newline="") as handle:
        return list(csv.DictReader(handle))


def test_example_file_becomes_the_communes():
    spec = ScenarioSpec.read(wards(f"scenario.communes_file={EXAMPLE}"))
    rows = example_rows()
    assert [c.name for c in spec.communes] == [r["commune"] for r in rows]
    ia_rbol = spec.communes[2]
    assert ia_rbol.province == "Gia Lai"
    assert ia_rbol.households == pytest.approx(28800 / 3.6)
    assert ia_rbol.workstations == 6 and ia_rbol.sync_failure_probability == 0.1
    assert ia_rbol.signal_coverage == 0.8
    land = [g for g in ia_rbol.clerks if "land" in g.skills]
    assert all(g.skills["land"] < 1.0 for g in land)  # no land specialist: generalists only
    assert sum(g.count for g in ia_rbol.clerks) == 2 + 2 + 1 + 2 + 2
    model = GovernanceModel(spec, seed=1)
    model.run(5)
    assert set(model.summary()["by_commune"]) == {r["commune"] for r in rows}


def test_file_and_yaml_communes_give_the_same_run(tmp_path):
    """A CSV row is read into the same entry as the YAML list would give."""
    data = wards()
    row = {
        "commune": "solo",
        "province": "Lang Son",
        "population": "36000",
        "businesses": "1000",
        "workstations": "6",
        "sites": "1",
        "signal_coverage": "1",
        "staff_certification": "2",
        "staff_land": "3",
        "staff_civil_status": "1",
        "staff_construction": "1",
        "staff_business": "1",
        "staff_social_policy": "2",
    }
    path = write(tmp_path / "solo.csv", [row])
    from_file = copy.deepcopy(data)
    from_file["communes_file"] = str(path)
    in_yaml = copy.deepcopy(data)
    in_yaml["communes"] = [
        {
            "name": "solo",
            "province": "Lang Son",
            "households": 10000,
            "businesses": 1000,
            "workstations": 6,
            "sites": 1,
            "signal_coverage": 1.0,
            "clerks": [
                {"count": n, "skills": {f: 1.0}}
                for f, n in [
                    ("certification", 2),
                    ("land", 3),
                    ("civil_status", 1),
                    ("construction", 1),
                    ("business", 1),
                    ("social_policy", 2),
                ]
            ],
        }
    ]
    a = GovernanceModel(from_file, seed=4)
    b = GovernanceModel(in_yaml, seed=4)
    a.run(10)
    b.run(10)
    assert a.summary() == b.summary()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda rows: [{k: v for k, v in r.items() if k != "sites"} for r in rows],
            r"example_bad.csv row 1: missing column\(s\) sites",
        ),
        (
            lambda rows: [dict(r, staff_land="-1") for r in rows],
            r"example_bad.csv row 2 column staff_land = '-1': must be a whole number >= 0",
        ),
        (
            lambda rows: [rows[0], dict(rows[1], population="many")] + rows[2:],
            r"example_bad.csv row 3 column population = 'many': must be a number",
        ),
        (
            lambda rows: [dict(r, staff_health="1") for r in rows],
            r"example_bad.csv row 1 column staff_health: unknown field 'health'",
        ),
        (
            lambda rows: [rows[0], rows[1], dict(rows[2], signal_coverage="1.5")],
            r"example_bad.csv row 4 column signal_coverage = '1.5': must be between 0 and 1",
        ),
        (
            lambda rows: [dict(r, staff_land="1.5") for r in rows],
            r"example_bad.csv row 2 column staff_land = '1.5': must be a whole number",
        ),
    ],
)
def test_bad_file_names_file_row_and_column(tmp_path, change, message):
    path = write(tmp_path / "example_bad.csv", change(example_rows()))
    data = wards()
    data["communes_file"] = str(path)
    with pytest.raises(ConfigError, match=message):
        ScenarioSpec.read(data)


def test_missing_file_is_named():
    data = wards()
    data["communes_file"] = "no/such/file.csv"
    with pytest.raises(ConfigError, match=r"scenario.communes_file = 'no/such/file.csv'"):
        ScenarioSpec.read(data)
