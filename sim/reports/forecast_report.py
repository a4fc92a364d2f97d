"""report.html of a forecast: the observed history and the forecast band per commune,
the calibration's fit, who passes the planner's overdue threshold and when, and the
policy's paired difference; and the backtest's plot."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from sim.reports.i18n import number, t  # noqa: E402
from sim.reports.labels import policy_words  # noqa: E402
from sim.reports.run_report import _e, figure_html, page, table_html  # noqa: E402
from sim.runs.outputs import atomic_path, atomic_write_text  # noqa: E402

SHOWN_HISTORY_DAYS = 56  # the history's last eight weeks beside the forecast


def band_figure(history: pd.DataFrame, table: pd.DataFrame, key: str, policy=None, names=None):
    """Per commune (and all): observed ``open_end``/``overdue_end`` and the band."""
    observed = {"backlog": "open_end", "overdue": "overdue_end"}[key]
    communes = list(dict.fromkeys(table["commune"]))
    last = max(history["date"])
    shown = history[history["date"] > last - dt.timedelta(days=SHOWN_HISTORY_DAYS)]
    cols = min(3, len(communes))
    rows = -(-len(communes) // cols)
    figure, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 2.8 * rows), squeeze=False)
    for ax, commune in zip(axes.flat, communes, strict=False):
        mine = shown if commune == "all" else shown[shown["commune"] == commune]
        seen = mine.groupby("date")[observed].sum()
        ax.plot(pd.to_datetime(seen.index), seen.values, color="black", lw=1, label=t("observed"))
        for frame, colour, label in (
            (table, "tab:blue", "baseline"),
            (policy, "tab:green", "policy"),
        ):
            if frame is None:
                continue
            part = frame[frame["commune"] == commune]
            dates = pd.to_datetime(part["date"])
            ax.fill_between(dates, part[f"{key}_p05"], part[f"{key}_p95"], color=colour, alpha=0.2)
            ax.plot(
                dates,
                part[f"{key}_p50"],
                color=colour,
                lw=1.5,
                label=t("{series} median", series=t(label)),
            )
        ax.set_title(_commune(commune, names), fontsize=9)
        ax.tick_params(labelsize=7)
        for tick in ax.get_xticklabels():
            tick.set_rotation(30)
    for ax in list(axes.flat)[len(communes) :]:
        ax.axis("off")
    axes.flat[0].legend(fontsize=7)
    figure.suptitle(t("{series}: observed and forecast (90% band)", series=t(key)), fontsize=10)
    figure.tight_layout()
    return figure


def fit_figure(calibration: dict, names=None):
    fit = calibration["fit"]
    communes = list(fit["communes"])
    dates = pd.to_datetime(fit["dates"])
    cols = min(3, len(communes))
    rows = -(-len(communes) // cols)
    figure, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 2.6 * rows), squeeze=False)
    for ax, commune in zip(axes.flat, communes, strict=False):
        entry = fit["communes"][commune]
        ax.plot(dates, entry["backlog_observed"], color="black", lw=1, label=t("observed"))
        ax.plot(dates, entry["backlog_simulated"], color="tab:orange", lw=1.5, label=t("fitted"))
        ax.set_title(
            t("{commune} (mean error {mae})", commune=_commune(commune, names),
              mae=number(entry["backlog_mae"], 1)),
            fontsize=9,
        )  # fmt: skip
        ax.tick_params(labelsize=7)
        for tick in ax.get_xticklabels():
            tick.set_rotation(30)
    for ax in list(axes.flat)[len(communes) :]:
        ax.axis("off")
    axes.flat[0].legend(fontsize=7)
    figure.suptitle(t("Calibration fit: backlog over the fit window"), fontsize=10)
    figure.tight_layout()
    return figure


def _source(text: str) -> str:
    """Where the open dossiers came from: a file's path as it is, else in words."""
    return text if text.endswith(".csv") else t(text)


def _commune(commune: str, names) -> str:
    if commune == "all":
        return t("all communes")
    return (names or {}).get(commune) or commune


def _widening(result: dict) -> str:
    widen = result["widen"]
    if isinstance(widen, int | float):
        if widen == 1:
            return t("not widened")
        return t("half-widths x{factor} ({source})", factor=f"{widen:g}",
                 source=t(result["widen_source"]))  # fmt: skip
    shown = ", ".join(f"{c} x{f['backlog']:g}" for c, f in widen.items() if f["backlog"] != 1)
    return t(
        "backlog half-widths widened by a {source}: {shown}",
        source=t(result["widen_source"]),
        shown=shown or t("none needed"),
    )


def write_forecast_report(
    path: Path,
    *,
    history: pd.DataFrame,
    table: pd.DataFrame,
    calibration: dict,
    result: dict,
    policy_table: pd.DataFrame | None = None,
    difference: pd.DataFrame | None = None,
    names: dict | None = None,
) -> None:
    threshold = number(result["overdue_threshold"])
    never = t("not in the window")
    body = [
        "<h1>"
        + _e(
            t(
                "Forecast: {scenario}, {days} days after {date}",
                scenario=result["scenario"],
                days=result["forecast_days"],
                date=result["history_last_date"],
            )
        )
        + "</h1>",
        "<p>"
        + _e(
            t(
                "{runs} runs per policy (calibration ensemble x replications); open dossiers "
                "at the start: {open} ({source}). Bands: 5th to 95th percentile, {widening}.",
                runs=result["runs_per_policy"],
                open=result["open_dossiers"],
                source=_source(result["open_dossiers_source"]),
                widening=_widening(result),
            )
        )
        + "</p>",
        f"<h2>{_e(t('Who passes the overdue threshold, and when'))}</h2>",
        table_html(
            [t("commune"), t("median reaches {n}", n=threshold),
             t("95th percentile reaches {n}", n=threshold)],
            [
                [_commune(r["commune"], names), r["likely"] or never, r["possible"] or never]
                for r in result["threshold_crossings"]
            ],
        ),
    ]  # fmt: skip
    for key in ("backlog", "overdue"):
        figure = band_figure(history, table, key, policy_table, names)
        body.append(figure_html(figure, t("{series} forecast per commune", series=t(key))))
        plt.close(figure)
    if difference is not None:
        end = difference[difference["date"] == difference["date"].max()]
        policies = policy_words(", ".join(result["policies"]))
        body += [
            f"<h2>{_e(t('Policy ({policies}) minus baseline', policies=policies))}</h2>",
            "<p>"
            + _e(t("Paired run by run (same seeds: common random numbers), on the last day."))
            + "</p>",
            table_html(
                [t("commune"), t("backlog (mean)"), t("backlog 90%"), t("overdue (mean)"),
                 t("overdue 90%")],
                [
                    [
                        _commune(r.commune, names),
                        f"{r.backlog_diff_mean:+.1f}",
                        t("{low} to {high}", low=f"{r.backlog_diff_p05:+.0f}",
                          high=f"{r.backlog_diff_p95:+.0f}"),
                        f"{r.overdue_diff_mean:+.1f}",
                        t("{low} to {high}", low=f"{r.overdue_diff_p05:+.0f}",
                          high=f"{r.overdue_diff_p95:+.0f}"),
                    ]
                    for r in end.itertuples()
                ],
            ),
        ]  # fmt: skip
    body.append(f"<h2>{_e(t('Calibration'))}</h2>")
    figure = fit_figure(calibration, names)
    body.append(figure_html(figure, t("calibration fit")))
    plt.close(figure)
    rows = []
    for cell, capacity in calibration["capacity"].items():
        d = calibration["demand"]["cells"][cell]
        commune, _, field = cell.partition("|")
        rows.append(
            [
                f"{_commune(commune, names)} / {t(field.replace('_', ' '))}",
                number(d["observed_per_day"], 2),
                f"{number(d['demand_factor'], 2)} "
                f"({number(d['demand_factor_low'], 2)}-{number(d['demand_factor_high'], 2)})",
                f"{d['trend_per_day'] * 7:+.1%}" if d["trend_used"] else t("none"),
                f"{number(capacity['p50'], 2)} "
                f"({number(capacity['p05'], 2)}-{number(capacity['p95'], 2)})"
                + ("" if capacity["own_data"] else " " + t("(field's)")),
            ]
        )
    body.append(
        table_html(
            [t("commune / field"), t("received per day"), t("demand factor (90%)"),
             t("trend per week"), t("effective capacity (90%)")],
            rows,
            caption=t("fit window {start} to {end}", start=calibration["fit_window"][0],
                      end=calibration["fit_window"][-1]),
        )
    )  # fmt: skip
    atomic_write_text(path, page(t("Forecast {scenario}", scenario=result["scenario"]), body))


def backtest_figure(path: Path, table: pd.DataFrame, truth: pd.DataFrame, naive: dict) -> None:
    """Held-out truth against the forecast band and the naive forecasts (all communes)."""
    figure, axes = plt.subplots(1, 2, figsize=(10, 3.4))
    for ax, key, observed in zip(
        axes, ("backlog", "overdue"), ("open_end", "overdue_end"), strict=True
    ):
        part = table[table["commune"] == "all"]
        dates = pd.to_datetime(part["date"])
        ax.fill_between(dates, part[f"{key}_p05"], part[f"{key}_p95"], color="tab:blue", alpha=0.2)
        ax.plot(dates, part[f"{key}_p50"], color="tab:blue", label=t("forecast median"))
        seen = truth[truth["commune"] == "all"]
        ax.plot(pd.to_datetime(seen["date"]), seen[observed], color="black", label=t("held out"))
        for (name, frame), style in zip(naive.items(), (":", "--"), strict=True):
            mine = frame[frame["commune"] == "all"]
            ax.plot(
                pd.to_datetime(mine["date"]),
                mine[key],
                "k" + style,
                lw=1,
                label=t(name.replace("_", " ")),
            )
        ax.set_title(t(key), fontsize=10)
        ax.tick_params(labelsize=7)
    axes[0].legend(fontsize=7)
    figure.tight_layout()
    with atomic_path(path) as tmp:
        figure.savefig(tmp, dpi=100)
    plt.close(figure)
