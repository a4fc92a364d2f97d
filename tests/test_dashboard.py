"""The live dashboard, driven for real: solara server on 127.0.0.1, headless Chromium.

Skipped only when Chromium or the dashboard extra is missing outside CI; with CI=true
a missing piece is a failure, since .ci/run installs them.
"""

from __future__ import annotations

import io
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import numpy as np
import pytest

from sim.dashboard.levers import Levers, apply_levers, compose_run

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
SCREENSHOT = ROOT / "results" / "test-artifacts" / "dashboard.png"
IN_CI = os.environ.get("CI", "").lower() == "true"
BLUE = np.array([31, 119, 180])  # matplotlib tab:blue, the backlog line


def _missing() -> str | None:
    if not Path(CHROMIUM).exists():
        return f"{CHROMIUM} not installed (apt-get install -y chromium)"
    for module in ("solara", "playwright"):
        try:
            __import__(module)
        except ImportError:
            return f"{module} not installed (pip install -e '.[dashboard]')"
    return None


@pytest.fixture(scope="module")
def server():
    missing = _missing()
    if missing:
        if IN_CI:
            pytest.fail(f"dashboard test cannot run in CI: {missing}")
        pytest.skip(missing)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    log = open(SCREENSHOT.parent / "solara.log", "w")  # noqa: SIM115 - closed at teardown
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "solara",
            "run",
            "sim/dashboard/app.py",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--no-open",
            "--production",
        ],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "PYTHONPATH": "."},
    )
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 90
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    break
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"solara server did not start on {url}; see {log.name}")
        time.sleep(0.5)
    yield url
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
    log.close()
    assert "Could not load URL" not in Path(log.name).read_text(), "server reached outside"


def _blue_pixels(png: bytes) -> int:
    from matplotlib import image

    pixels = (image.imread(io.BytesIO(png), format="png")[..., :3] * 255).astype(int)
    return int((np.abs(pixels - BLUE).sum(axis=-1) < 40).sum())


def test_step_updates_charts_day_counter_and_table(server):
    from playwright.sync_api import sync_playwright

    outside: list[str] = []

    def only_local(route):
        host = urlparse(route.request.url).hostname
        if route.request.url.startswith(("data:", "blob:")) or host == "127.0.0.1":
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--headless", "--disable-background-networking"],
        )
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.route("**/*", only_local)
            page.goto(server, wait_until="load", timeout=90_000)
            counter = page.locator(".day-counter")
            counter.wait_for(timeout=90_000)
            assert counter.inner_text().startswith("Day 0")
            charts = page.locator("img")
            charts.first.wait_for(timeout=30_000)
            assert charts.count() == 2  # backlog/overdue and on-time
            before = [charts.nth(i).get_attribute("src") for i in range(2)]
            backlog_before = _blue_pixels(charts.nth(0).screenshot())

            step = page.get_by_role("button", name="Step")
            for day in (1, 2, 3):
                step.click()
                page.wait_for_function(
                    "d => document.querySelector('.day-counter').innerText.startsWith(d)",
                    arg=f"Day {day} ",
                    timeout=60_000,
                )
            assert "Jul 2025" in counter.inner_text()  # a date, not a day number
            page.wait_for_function(
                "old => [...document.querySelectorAll('img')].every((im, i) => im.src != old[i])",
                arg=before,
                timeout=30_000,
            )
            backlog_after = _blue_pixels(charts.nth(0).screenshot())
            # the backlog line is drawn only once there are days to plot
            assert backlog_before < 50 < backlog_after

            # Play runs on by itself until paused
            page.get_by_role("button", name="▶").click()
            page.wait_for_function(
                "() => parseInt(document.querySelector('.day-counter').innerText.slice(4)) >= 6",
                timeout=60_000,
            )
            page.get_by_role("button", name="❚❚").click()

            rows = page.locator(".commune-table tr")
            assert rows.count() == 1 + 4  # header and the four wards
            received = [
                int(rows.nth(i).locator("td").nth(1).inner_text().replace(",", ""))
                for i in range(1, 5)
            ]
            assert all(n > 0 for n in received)
            names = {rows.nth(i).locator("td").nth(0).inner_text() for i in range(1, 5)}
            assert names == {"Đông Kinh", "Kỳ Lừa", "Tam Thanh", "Lương Văn Tri"}
            page.screenshot(path=str(SCREENSHOT), full_page=True)
        finally:
            browser.close()
    assert outside == [], f"the page tried to reach beyond 127.0.0.1: {outside[:5]}"


MESA_INTERNALS = ("Play Interval", "Render Interval", "Use Threads", "Page 0", "Time:")


def test_planner_sees_slider_values_and_no_mesa_internals(server):
    """Sliders say their value, and Mesa's own controls are not shown to planners."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--headless", "--disable-background-networking"],
        )
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(server, wait_until="load", timeout=90_000)
            page.locator(".day-counter").wait_for(timeout=90_000)
            text = page.locator("body").inner_text()
            for internal in MESA_INTERNALS:
                assert internal.lower() not in text.lower(), internal
            assert "Clerks added / commune: 0" in text
            assert "Online share change: 0" in text
            slider = page.locator(".v-slider").first
            slider.click()  # the middle of the 0-5 range
            page.wait_for_function(
                "() => !document.body.innerText.includes('Clerks added / commune: 0')",
                timeout=30_000,
            )
            assert "Clerks added / commune: " in page.locator("body").inner_text()
        finally:
            browser.close()


def test_levers_change_the_scenario_as_documented():
    scenario = compose_run("lang_son_wards", ["baseline"])["scenario"]
    assert apply_levers(scenario, Levers()) == scenario  # neutral levers change nothing

    def staff(data, field):
        return sum(
            g["count"]
            for c in data["communes"]
            for g in c["clerks"]
            if g["skills"].get(field, 0) > 0
        )

    changed = apply_levers(
        scenario,
        Levers(
            field="land",
            extra_clerks=2,
            seconded_staff=3,
            workstations=9,
            online_shift=-0.2,
            priority_rule="edf",
        ),
    )
    assert staff(changed, "land") == staff(scenario, "land") + 2 * 4 + 3
    assert {c["workstations"] for c in changed["communes"]} == {9}
    assert changed["dispatch"] == "edf"
    assert changed["applicants"]["citizen"]["digital_propensity_mean"] == pytest.approx(
        scenario["applicants"]["citizen"]["digital_propensity_mean"] - 0.2
    )

    trained = apply_levers(scenario, Levers(field="land", training_share=1.0))
    assert staff(trained, "civil_status") == staff(scenario, "civil_status")
    total = sum(g["count"] for c in trained["communes"] for g in c["clerks"])
    assert total == sum(g["count"] for c in scenario["communes"] for g in c["clerks"])
    assert staff(trained, "land") == total  # every clerk can now take land dossiers


def test_the_field_picker_offers_the_scenarios_own_fields(tmp_path):
    """The fields come from the scenario, not from a list in the dashboard."""
    import shutil

    from sim.dashboard.levers import scenario_fields

    configs = tmp_path / "configs"
    shutil.copytree(ROOT / "sim" / "configs", configs)
    scenario = (configs / "scenario" / "mmc.yaml").read_text(encoding="utf-8")
    fields = ["tax", "certification", "civil_status", "land", "construction", "business"]
    (configs / "scenario" / "more_fields.yaml").write_text(
        scenario.replace("name: mmc", "name: more_fields") + f"fields: [{', '.join(fields)}]\n",
        encoding="utf-8",
    )
    assert scenario_fields("more_fields", configs) == fields
    assert "tax" not in scenario_fields("mmc", configs)  # the default list
