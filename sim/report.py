"""Figures of a run: backlog over time, with closed days shaded."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from sim.calendar import make_calendar  # noqa: E402


def plot_backlog(
    daily: pd.DataFrame, path: Path, title: str, calendar_spec: dict | None = None
) -> None:
    """Backlog and overdue open dossiers at the end of each day, holidays shaded."""
    dates = pd.to_datetime(daily["date"])
    fig, ax = plt.subplots(figsize=(9, 4.2), dpi=110)
    ax.plot(dates, daily["backlog"], label="backlog (open dossiers)", color="tab:blue")
    ax.plot(dates, daily["overdue_open"], label="overdue open dossiers", color="tab:red")
    if calendar_spec is not None and calendar_spec.get("kind", "working") == "working":
        start = dates.iloc[0].date()
        calendar = make_calendar(calendar_spec, start)
        labelled = False
        for day in range(len(dates)):
            if calendar.is_holiday(day):
                x = pd.Timestamp(start + dt.timedelta(days=day))
                ax.axvspan(x, x + pd.Timedelta(days=1), color="tab:orange", alpha=0.25,
                           label=None if labelled else "public holiday")
                labelled = True
    ax.set_title(title)
    ax.set_xlabel("date")
    ax.set_ylabel("dossiers")
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(ax.xaxis.get_major_locator()))
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left")
    fig.tight_layout()
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
