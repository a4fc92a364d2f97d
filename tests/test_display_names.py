"""Communes keep ASCII ids in outputs and show their Vietnamese names to readers."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from sim.spec.communes_file import ascii_id
from sim.spec.config import ConfigError
from sim.spec.scenario import ScenarioSpec
from tests.helpers import scenario

ROOT = Path(__file__).resolve().parent.parent
WARDS = {
    "dong_kinh": "Đông Kinh",
    "ky_lua": "Kỳ Lừa",
    "tam_thanh": "Tam Thanh",
    "luong_van_tri": "Lương Văn Tri",
}


def test_run_keeps_ids_and_reports_show_display_names(tmp_path):
    out = tmp_path / "wards"
    done = subprocess.run(
        [sys.executable, "-m", "sim.run", "run.days=5", f"hydra.run.dir={out}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert set(summary["by_commune"]) == set(WARDS)  # ids stay ASCII
    assert summary["display_names"] == WARDS
    report = (out / "report.html").read_text(encoding="utf-8")
    for name in WARDS.values():
        assert f"<td>{name}</td>" in report
    assert "<td>ky lua</td>" not in report


@pytest.mark.parametrize(
    ("name", "names"),
    [
        ("gia_lai_rural", {"Ia Rbol", "Ia Sao", "Phú Thiện", "Chư A Thai"}),
        ("gia_lai_ia_ly", {"Ia Khươl", "Chư Păh", "Ia Ly", "Ia Phí", "Ia Hrung"}),
        (
            "nghe_an_do_luong",
            {"Đô Lương", "Bạch Ngọc", "Văn Hiến", "Bạch Hà", "Thuần Trung", "Lương Sơn"},
        ),
    ],
)
def test_field_report_scenarios_carry_real_names(name, names):
    spec = ScenarioSpec.read(scenario(name))
    assert {c.label for c in spec.communes} == names
    assert all(c.name.isascii() and ascii_id(c.label) == c.name for c in spec.communes)


def test_csv_commune_with_diacritics_becomes_ascii_id(tmp_path):
    csv = tmp_path / "communes.csv"
    csv.write_text(
        "commune,display_name,province,population,businesses,workstations,sites,"
        "signal_coverage,staff_land\n"
        "Kỳ Lừa,,Lạng Sơn,20000,500,5,1,1.0,2\n"
        "dong_kinh,Đông Kinh,Lạng Sơn,20000,500,5,1,1.0,2\n"
        "ia_rbol,,Gia Lai,20000,500,5,1,1.0,2\n",
        encoding="utf-8",
    )
    spec = ScenarioSpec.read(scenario("lang_son_wards", f"scenario.communes_file={csv}"))
    assert [(c.name, c.display_name, c.label) for c in spec.communes] == [
        ("ky_lua", "Kỳ Lừa", "Kỳ Lừa"),
        ("dong_kinh", "Đông Kinh", "Đông Kinh"),
        ("ia_rbol", "", "ia rbol"),
    ]


def test_blank_display_name_in_yaml_is_an_error():
    data = scenario("lang_son_wards")
    data["communes"][1]["display_name"] = " "
    with pytest.raises(ConfigError, match=r"communes\[1\]\.display_name = ' ': must be"):
        ScenarioSpec.read(data)
