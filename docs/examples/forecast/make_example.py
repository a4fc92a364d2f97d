"""Write the worked example's history.csv (README "Forecast from your own data").

The example stands in for a planner's export: twelve weeks of the lang_son_wards
scenario run by the model from 7 July 2025, but with Ky Lua's demand 30% above the
scenario's and every ward's land clerks at 70% of the scenario's speed, so that the
calibration has something to find. Run from the repository root:

    python docs/examples/forecast/make_example.py
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from sim.api import RunSpec, run_many
from sim.runs.api import composed_config
from sim.runs.calibration import expanded_scenario

HERE = Path(__file__).resolve().parent
START, DAYS = dt.date(2025, 7, 7), 84


def main() -> None:
    scenario = expanded_scenario(composed_config("lang_son_wards", ["baseline"])["scenario"])
    for entry in scenario["communes"]:
        entry["capacity_factors"] = {"land": 0.7}
        if entry["name"] == "ky_lua":
            entry["demand_factors"] = {f: 1.3 for f in scenario["fields"]}
    spec = RunSpec(scenario, days=DAYS, start_date=START.isoformat(), seed=2025,
                   cell_series=True, outputs=("daily_cells",))  # fmt: skip
    cells = run_many([spec])[0]["daily_cells"]
    rows = []
    for day, date in enumerate(cells["dates"]):
        for cell, series in cells["cells"].items():
            commune, field = cell.split("|")
            counts = {
                "received": series["received"][day],
                "resolved": series["resolved"][day],
                "resolved_on_time": series["resolved_on_time"][day],
                "open_end": series["backlog"][day],
                "overdue_end": series["overdue"][day],
            }
            if any(counts.values()):  # a missing row means nothing happened
                rows.append({"date": date, "commune": commune, "field": field, **counts})
    with (HERE / "history.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), delimiter=";")
        writer.writeheader()
        writer.writerows(rows)
    print(f"{len(rows)} rows to {HERE / 'history.csv'}")


if __name__ == "__main__":
    main()
