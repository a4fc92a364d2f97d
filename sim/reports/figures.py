"""Matplotlib figures of a run or a study, for the report and the PNG files.

Every figure has dates (not day numbers) on time axes and units on every axis. Closed
days of a working calendar are shaded: Lunar New Year in red, other public holidays in
orange, so a planner sees at once why the backlog jumps.
"""

from __future__ import annotations

import base64
import datetime as dt
import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from sim.core.calendar import make_calendar  # noqa: E402
from sim.core.summary import is_number  # noqa: E402
from sim.reports.i18n import current, t  # noqa: E402
from sim.reports.i18n import number as fnumber  # noqa: E402
from sim.runs.outputs import atomic_path  # noqa: E402

LUNAR_NEW_YEAR = "Lunar New Year"
HOLIDAY = "public holiday"


def closed_days(calendar_spec: dict | None, start: dt.date, days: int) -> list[tuple]:
    """(date, kind, name) of every public holiday in the period; kind is LNY or holiday.

    Holiday names come from the same ``holidays`` table the calendar uses, in the
    report's language where the table has it (Vietnamese does).
    """
    if not calendar_spec or calendar_spec.get("kind", "working") != "working":
        return []
    import holidays as holidays_lib

    calendar = make_calendar(calendar_spec, start)
    country = calendar_spec.get("holidays_country", "VN")
    years = sorted({(start + dt.timedelta(days=d)).year for d in (0, max(days - 1, 0))})
    names, shown = {}, {}
    if country:
        try:
            names = holidays_lib.country_holidays(country, years=years, language="en_US")
        except NotImplementedError:  # a country without an English table
            names = holidays_lib.country_holidays(country, years=years)
        shown = names
        if current() != "en":
            try:
                shown = holidays_lib.country_holidays(country, years=years, language=current())
            except NotImplementedError:
                shown = names
    result = []
    for day in range(days):
        if calendar.is_holiday(day):
            date = start + dt.timedelta(days=day)
            name = str(names.get(date, "closing day"))
            kind = LUNAR_NEW_YEAR if "Lunar New Year" in name else HOLIDAY
            result.append((date, kind, str(shown.get(date, name))))
    return result


def shade_closed_days(ax, closed: list[tuple]) -> None:
    """Shade holidays on a date axis, one legend entry per kind."""
    labelled: set[str] = set()
    for date, kind, _ in closed:
        x = pd.Timestamp(date)
        colour = "tab:red" if kind == LUNAR_NEW_YEAR else "tab:orange"
        ax.axvspan(
            x,
            x + pd.Timedelta(days=1),
            color=colour,
            alpha=0.22,
            lw=0,
            label=None if kind in labelled else t(kind),
        )
        labelled.add(kind)


def date_axis(ax) -> None:
    locator = mdates.AutoDateLocator()
    ax.xaxis.set_major_locator(locator)
    if current() == "vi":  # dd/mm, without English month names
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%d/%m/%Y"))
        for label in ax.get_xticklabels():
            label.set_rotation(30)
    else:
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    ax.set_xlabel(t("date"))
    ax.grid(alpha=0.3)


def backlog_figure(daily: pd.DataFrame, closed: list[tuple], title: str) -> Figure:
    """Backlog and overdue open dossiers at the end of each day, with daily flows below."""
    dates = pd.to_datetime(daily["date"])
    fig, (top, bottom) = plt.subplots(
        2, 1, figsize=(9.5, 6.2), dpi=100, sharex=True, height_ratios=[3, 2]
    )
    top.plot(dates, daily["backlog"], label=t("backlog (open dossiers)"), color="tab:blue")
    top.plot(dates, daily["overdue_open"], label=t("overdue open dossiers"), color="tab:red")
    shade_closed_days(top, closed)
    top.set_ylabel(t("dossiers (count at end of day)"))
    top.set_title(title)
    top.legend(loc="upper left", fontsize=8)
    top.grid(alpha=0.3)
    if "received" in daily and "resolved" in daily:
        bottom.plot(dates, daily["received"], label=t("received"), color="tab:gray", lw=1)
        bottom.plot(dates, daily["resolved"], label=t("resolved"), color="tab:green", lw=1)
        shade_closed_days(bottom, closed)
        bottom.legend(loc="upper left", fontsize=8)
    bottom.set_ylabel(t("dossiers per day"))
    date_axis(bottom)
    fig.tight_layout()
    return fig


def on_time_figure(by_field: dict[str, dict], title: str) -> Figure:
    """On-time rate by field (resolved on or before the deadline), with 95% CIs if any."""
    rows = [
        (name, figures)
        for name, figures in by_field.items()
        if is_number(figures.get("on_time_rate"))
    ]
    fig, ax = plt.subplots(figsize=(8, 0.55 * max(len(rows), 2) + 1.4), dpi=100)
    if not rows:
        ax.text(0.5, 0.5, t("no dossier resolved in the period"), ha="center", va="center")
        ax.set_axis_off()
        return fig
    names = [t(name.replace("_", " ")) for name, _ in rows]
    rates = np.array([100 * f["on_time_rate"] for _, f in rows])
    errors = np.zeros((2, len(rows)))
    for i, (_, f) in enumerate(rows):
        ci = (f.get("ci95") or {}).get("on_time_rate")
        if ci and all(is_number(v) for v in ci):
            errors[:, i] = [max(rates[i] - 100 * ci[0], 0), max(100 * ci[1] - rates[i], 0)]
    y = np.arange(len(rows))
    colours = ["tab:green" if r >= 90 else "tab:orange" if r >= 75 else "tab:red" for r in rates]
    ax.barh(y, rates, color=colours, xerr=errors if errors.any() else None, capsize=3)
    for i, rate in enumerate(rates):
        ax.text(min(rate + 1, 101), i, f"{fnumber(rate, 1)}%", va="center", fontsize=8)
    ax.set_yticks(y, names)
    ax.invert_yaxis()
    ax.set_xlim(0, 110)
    ax.set_xlabel(t("on-time rate (% of resolved dossiers)"))
    ax.set_ylabel(t("field"))
    ax.set_title(title)
    ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    return fig


def overdue_heatmap(
    grid: dict[str, dict[str, float]], title: str, names: dict[str, str] | None = None
) -> Figure:
    """Commune x field grid of overdue open dossiers at the end of the period.

    ``names`` maps a commune id to the name shown (its display name).
    """
    communes = list(grid)
    fields = sorted({f for row in grid.values() for f in row if f != "ci95"})
    values = (
        np.array([[float(grid[c].get(f) or 0.0) for f in fields] for c in communes])
        if communes and fields
        else np.zeros((0, 0))
    )
    fig, ax = plt.subplots(
        figsize=(1.2 * max(len(fields), 3) + 2.5, 0.45 * max(len(communes), 2) + 1.8), dpi=100
    )
    if values.size == 0:
        ax.text(0.5, 0.5, t("no communes or fields"), ha="center", va="center")
        ax.set_axis_off()
        return fig
    image = ax.imshow(values, cmap="Reds", aspect="auto", vmin=0)
    integers = np.allclose(values, np.round(values))
    for i in range(len(communes)):
        for j in range(len(fields)):
            v = values[i, j]
            text = f"{v:.0f}" if integers else f"{v:.1f}"
            dark = v > 0.6 * values.max() if values.max() > 0 else False
            ax.text(
                j, i, text, ha="center", va="center", fontsize=8, color="white" if dark else "black"
            )
    ax.set_xticks(
        range(len(fields)), [t(f.replace("_", " ")) for f in fields], rotation=30, ha="right"
    )
    names = names or {}
    ax.set_yticks(range(len(communes)), [names.get(c, c.replace("_", " ")) for c in communes])
    ax.set_xlabel(t("field"))
    ax.set_ylabel(t("commune"))
    ax.set_title(title)
    fig.colorbar(image, ax=ax, label=t("overdue open dossiers (count)"))
    fig.tight_layout()
    return fig


def comparison_figure(
    labels: list[str],
    means: list[float],
    lows: list[float | None],
    highs: list[float | None],
    *,
    xlabel: str,
    title: str,
    zero_line: bool = False,
) -> Figure:
    """One figure per compared measure: each policy's mean with its 95% CI."""
    fig, ax = plt.subplots(figsize=(8, 0.5 * max(len(labels), 2) + 1.4), dpi=100)
    y = np.arange(len(labels))
    means_arr = np.array([m if is_number(m) else np.nan for m in means], dtype=float)
    low = np.array([m - lo if is_number(lo) else 0 for m, lo in zip(means_arr, lows, strict=True)])
    high = np.array(
        [hi - m if is_number(hi) else 0 for m, hi in zip(means_arr, highs, strict=True)]
    )
    ax.errorbar(
        means_arr,
        y,
        xerr=np.vstack([np.maximum(low, 0), np.maximum(high, 0)]),
        fmt="o",
        color="tab:blue",
        capsize=4,
        label=t("mean and 95% CI"),
    )
    if zero_line:
        ax.axvline(0, color="black", lw=1, label=t("no change"))
    ax.set_yticks(y, labels)
    ax.invert_yaxis()
    ax.set_xlabel(xlabel)
    ax.set_ylabel(t("policy"))
    ax.set_title(title)
    ax.grid(axis="x", alpha=0.3)
    ax.legend(loc="best", fontsize=8)
    fig.tight_layout()
    return fig


def to_base64_png(fig: Figure) -> str:
    """The figure as a base64 PNG (closed afterwards), for embedding in HTML."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def save_png(fig: Figure, path) -> None:
    """Write the figure to ``path`` atomically (a reader never sees half a PNG); close it."""
    with atomic_path(path) as tmp:
        fig.savefig(tmp)
    plt.close(fig)
