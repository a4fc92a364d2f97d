"""Per-replication tables of a job, for paired comparisons between the jobs of a sweep.

``summary.json`` holds means over replications; comparing two policies needs each
replication's own figures, because replication r of every job sees the same demand
(common random numbers) and the difference is taken pair by pair. A job therefore also
writes ``replications.csv`` (one row per replication, every figure flattened to a
dotted column such as ``by_field.land.overdue_open``) and ``daily_replications.csv``
(the daily series of every replication, for bands around trajectories).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import yaml

from sim.core.stats import flatten
from sim.runs.outputs import LANGUAGES, write_csv

REPLICATIONS_FILE = "replications.csv"
DAILY_FILE = "daily_replications.csv"


@dataclass
class Job:
    """One job folder of a sweep, read back."""

    path: Path
    status: str
    error: str = ""
    scenario: str = ""
    policy: str = ""
    setting: str = ""
    summary: dict = field(default_factory=dict)
    replications: pd.DataFrame | None = None

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    @property
    def group(self) -> tuple[str, str]:
        return self.scenario, self.setting


def overdue_dossiers(figures: dict[str, float], prefix: str = "") -> float:
    """Dossiers that went past their deadline: resolved late plus still open and overdue."""
    return figures[f"{prefix}dossiers_late"] + figures[f"{prefix}overdue_open"]


def summary_figure(summary: dict, figure: str) -> float:
    """A figure of a summary by dotted name (``by_field.land.overdue_dossiers``; NaN when
    absent); ``overdue_dossiers`` is resolved late plus still open past the deadline."""
    node = summary
    *path, name = figure.split(".")
    for key in path:
        node = node.get(key) or {}
    if name == "overdue_dossiers":
        late, open_ = node.get("dossiers_late"), node.get("overdue_open")
        return float("nan") if late is None or open_ is None else late + open_
    value = node.get(name)
    return float("nan") if value is None else float(value)


def write_replication_tables(
    out_dir: Path,
    seed: int,
    summaries: list[dict],
    frames: list[pd.DataFrame],
    labels: list[dict] | None = None,
) -> None:
    """Write ``replications.csv`` and ``daily_replications.csv`` into a job's folder.

    ``labels``: more columns per run (a sampled job's sample and factor values).
    """
    rows = []
    labels = labels or [{} for _ in summaries]
    for replication, (summary, label) in enumerate(zip(summaries, labels, strict=True)):
        row = {"replication": replication, "seed": seed, **label}
        row.update({k: float(v) for k, v in flatten(summary).items() if v is not None})
        rows.append(row)
    write_csv(Path(out_dir) / REPLICATIONS_FILE, pd.DataFrame(rows))
    daily = pd.concat(
        [frame.assign(replication=r) for r, frame in enumerate(frames)], ignore_index=True
    )
    write_csv(Path(out_dir) / DAILY_FILE, daily)


def study_language(sweep_dir: Path) -> str:
    """The language the study's jobs were run with (``output.language``), else English."""
    for config in sorted(Path(sweep_dir).glob("*/.hydra/config.yaml")):
        data = yaml.safe_load(config.read_text(encoding="utf-8")) or {}
        code = str((data.get("output") or {}).get("language", ""))
        if code in LANGUAGES:
            return code
    return "en"
