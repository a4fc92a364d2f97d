"""Figures of a sweep: backlog bands per policy, on-time rates with CIs, overdue heatmaps."""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from sim.core.stats import half_width  # noqa: E402
from sim.reports.figures import date_axis, save_png  # noqa: E402
from sim.reports.i18n import t  # noqa: E402
from sim.reports.labels import label, policy_words  # noqa: E402
from sim.spec.tables import read_frame  # noqa: E402

if TYPE_CHECKING:
    from sim.runs.study_data import Job


def _groups(jobs: list[Job]) -> dict[tuple[str, str], list[Job]]:
    groups: dict[tuple[str, str], list[Job]] = {}
    for job in sorted(jobs, key=lambda j: (j.policy != "baseline", j.policy)):
        groups.setdefault(job.group, []).append(job)
    return dict(sorted(groups.items()))


def _title(group: tuple[str, str]) -> str:
    scenario, setting = group
    return f"{scenario} [{setting}]" if setting else scenario


def _band(frame: pd.DataFrame, column: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per day: mean over replications and its 95% t-interval."""
    pivot = frame.pivot_table(index="day", columns="replication", values=column)
    mean = pivot.mean(axis=1).to_numpy()
    n = pivot.shape[1]
    if n < 2:
        return mean, mean, mean
    half = half_width(pivot.std(axis=1, ddof=1).to_numpy(), n)
    return mean, np.maximum(mean - half, 0.0), mean + half  # daily figures are counts


def plot_backlog_bands(jobs: list[Job], path: Path, daily_file: str) -> None:
    """Backlog at the end of each day: a line per policy, a band for its 95% CI."""
    groups = _groups(jobs)
    fig, axes = plt.subplots(
        len(groups), 1, figsize=(10, 3.6 * len(groups)), dpi=100, squeeze=False
    )
    for ax, (group, members) in zip(axes[:, 0], groups.items(), strict=True):
        for job in members:
            file = job.path / daily_file
            if file.exists():
                frame = read_frame(file)
                frame["day"] = frame.groupby("replication").cumcount()
                dates = pd.to_datetime(frame[frame["replication"] == 0]["date"]).to_numpy()
                mean, low, high = _band(frame, "backlog")
            else:  # older job: the mean series only
                frame = read_frame(job.path / "daily.csv")
                dates = pd.to_datetime(frame["date"]).to_numpy()
                mean = low = high = frame["backlog"].to_numpy()
            (line,) = ax.plot(dates, mean, label=policy_words(job.policy), lw=1.4)
            ax.fill_between(dates, low, high, color=line.get_color(), alpha=0.2, lw=0)
        ax.set_title(t("{group}: backlog (open dossiers), mean and 95% CI", group=_title(group)))
        ax.set_ylabel(t("dossiers"))
        date_axis(ax)
        ax.legend(loc="upper left", fontsize=8)
    fig.tight_layout()
    save_png(fig, path)


def plot_on_time(table: pd.DataFrame, path: Path) -> None:
    """On-time rate per policy with its 95% CI, one panel per scenario and setting."""
    groups = list(table.groupby(["scenario", "setting"], sort=True))
    fig, axes = plt.subplots(
        1, max(1, len(groups)), figsize=(4.5 * max(1, len(groups)), 4), dpi=100, squeeze=False
    )
    for ax, ((scenario, setting), rows) in zip(axes[0], groups, strict=False):
        y = np.arange(len(rows))
        mean = 100 * rows["on_time_rate"].to_numpy(dtype=float)
        low = 100 * rows["on_time_rate_ci_low"].to_numpy(dtype=float)
        high = 100 * rows["on_time_rate_ci_high"].to_numpy(dtype=float)
        err = np.vstack([np.nan_to_num(mean - low), np.nan_to_num(high - mean)])
        ax.errorbar(mean, y, xerr=err, fmt="o", capsize=4)
        ax.set_yticks(y, [policy_words(str(p)) for p in rows["policy"]], fontsize=8)
        ax.invert_yaxis()
        ax.set_xlabel(t("on-time rate (%), 95% CI"))
        ax.set_title(_title((scenario, setting)), fontsize=9)
        ax.grid(alpha=0.3, axis="x")
    fig.tight_layout()
    save_png(fig, path)


def overdue_grid(job: Job) -> pd.DataFrame | None:
    """Mean overdue open dossiers at the end, commune x field, over replications."""
    prefix = "overdue_by_commune_field."
    table = job.replications
    if table is not None:
        columns = [c for c in table.columns if c.startswith(prefix)]
        cells = {tuple(c[len(prefix) :].split(".", 1)): table[c].mean() for c in columns}
    else:
        grid = job.summary.get("overdue_by_commune_field") or {}
        cells = {(c, f): v for c, row in grid.items() for f, v in row.items()}
    if not cells:
        return None
    series = pd.Series(cells)
    return series.unstack()


def plot_overdue_heatmaps(jobs: list[Job], path: Path) -> None:
    """Commune x field heatmap of overdue open dossiers, one panel per job."""
    panels = [(job, overdue_grid(job)) for job in sorted(jobs, key=lambda j: (j.group, j.policy))]
    panels = [(job, grid) for job, grid in panels if grid is not None]
    if not panels:
        return
    vmax = max(1.0, max(float(np.nanmax(grid.to_numpy())) for _, grid in panels))
    cols = min(3, len(panels))
    rows = math.ceil(len(panels) / cols)
    first = panels[0][1]
    width = 1.0 + 0.7 * first.shape[1]
    height = 1.2 + 0.35 * first.shape[0]
    fig, axes = plt.subplots(
        rows,
        cols,
        figsize=(width * cols + 1.5, height * rows + 0.6),
        dpi=100,
        squeeze=False,
        layout="constrained",
    )
    image = None
    for ax, (job, grid) in zip(axes.flat, panels, strict=False):
        image = ax.imshow(grid.to_numpy(dtype=float), cmap="Reds", vmin=0, vmax=vmax, aspect="auto")
        fields = [label(str(f)) for f in grid.columns]
        ax.set_xticks(range(grid.shape[1]), fields, rotation=45, ha="right", fontsize=7)
        names = job.summary.get("display_names") or {}
        ax.set_yticks(range(grid.shape[0]), [names.get(c, c) for c in grid.index], fontsize=7)
        ax.set_title(f"{_title(job.group)}\n{policy_words(job.policy)}", fontsize=8)
        for (i, j), value in np.ndenumerate(grid.to_numpy(dtype=float)):
            if value >= 0.5:
                colour = "white" if value > 0.6 * vmax else "black"
                ax.text(j, i, f"{value:.0f}", ha="center", va="center", fontsize=6, color=colour)
    for ax in list(axes.flat)[len(panels) :]:
        ax.axis("off")
    fig.suptitle(t("overdue open dossiers at the end of the run (mean over replications)"))
    if image is not None:
        fig.colorbar(image, ax=axes.ravel().tolist(), shrink=0.8, label=t("dossiers"))
    save_png(fig, path)
