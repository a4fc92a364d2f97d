"""report.html of a forecast: the observed history and the forecast band per commune,
the calibration's fit, who passes the planner's overdue threshold and when, and the
policy's paired difference; and the backtest's plot."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from sim.reports.i18n import date as fdate  # noqa: E402
from sim.reports.i18n import localize, number, t, t_shaped  # noqa: E402
from sim.reports.labels import label as key_label  # noqa: E402
from sim.reports.labels import policy_words  # noqa: E402
from sim.reports.run_report import _e, figure_html, page, table_html  # noqa: E402
from sim.reports.trust_text import METHODS, advice, reason_text, verdict_line  # noqa: E402
from sim.runs.outputs import atomic_write_text  # noqa: E402

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
            ax.plot(dates, part[f"{key}_p50"], color=colour, lw=1.5,
                    label=t("{series} median", series=t(label)))  # fmt: skip
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


def trust_html(result: dict) -> list[str]:
    """The verdict first, in plain words, then the backtest's scores per method."""
    trust = result["trust"]
    days = result["backtest"]["horizon_days"] or result["forecast_days"]
    colour = {"good": "#dff0d8", "usable": "#fcf8e3", "do_not_use": "#f2dede"}[trust["verdict"]]
    reasons = "".join(f"<li>{_e(reason_text(r))}</li>" for r in trust["reasons"])
    body = [
        f'<div style="background:{colour};padding:0.6em 1em;border-radius:4px">'
        f"<p><b>{_e(verdict_line(trust, days))}</b></p>"
        f"<p>{_e(advice(trust))}</p>" + (f"<ul>{reasons}</ul>" if reasons else "") + "</div>"
    ]
    scores = result["backtest"]["scores"]
    if scores:
        body.append(
            table_html(
                [
                    t("method"),
                    t("mean absolute error of the median backlog"),
                    t("50% band held"),
                    t("90% band held"),
                ],
                [
                    [
                        t(METHODS[m]) + (" *" if m == result["method"] else ""),
                        number(s["overall"]["mae_backlog"], 1),
                        localize(f"{s['overall']['coverage50']:.0%}"),
                        localize(f"{s['overall']['coverage90']:.0%}"),
                    ]
                    for m, s in scores.items()
                ],
                caption=t(
                    "Rolling backtest: {origins} origins from {first} to {last}, {days} days "
                    "each, communes pooled (* published)",
                    origins=len(result["backtest"]["origins"]),
                    first=_day(result["backtest"]["origins"][0]),
                    last=_day(result["backtest"]["origins"][-1]),
                    days=days,
                ),
            )  # fmt: skip
        )
    return body


def write_forecast_report(
    path: Path,
    *,
    history: pd.DataFrame,
    table: pd.DataFrame,
    calibration: dict | None,
    result: dict,
    policy_table: pd.DataFrame | None = None,
    difference: pd.DataFrame | None = None,
    names: Mapping[str, str] | None = None,
) -> None:
    """``report.html`` at ``path``; ``names``: the communes' display names."""
    threshold = number(result["overdue_threshold"])
    never = t("not in the window")
    body = [
        *trust_html(result),
        "<h1>"
        + _e(
            t(
                "Forecast: {scenario}, {days} days after {date}",
                scenario=result["scenario"],
                days=result["forecast_days"],
                date=_day(result["history_last_date"]),
            )
        )
        + "</h1>",
        f"<p>{_e(t('Published method'))}: {_e(t(METHODS[result['method']]))}; "
        f"{_e(t('open dossiers at the start'))}: {number(result['open_dossiers'])} "
        f"({_e(_source(result['open_dossiers_source']))}). "
        f"{_e(t('Bands: 5th to 95th percentile, calibrated on the backtest errors.'))}</p>",
        f"<h2>{_e(t('Who passes the overdue threshold, and when'))}</h2>",
        table_html(
            [
                t("commune"),
                t("median reaches {n}", n=threshold),
                t("95th percentile reaches {n}", n=threshold),
            ],
            [
                [
                    _commune(r["commune"], names),
                    _day(r["likely"]) if r["likely"] else never,
                    _day(r["possible"]) if r["possible"] else never,
                ]
                for r in result["threshold_crossings"]
            ],  # fmt: skip
        ),
    ]
    for key in ("backlog", "overdue"):
        figure = band_figure(history, table, key, policy_table, names)
        body.append(figure_html(figure, t("{series} forecast per commune", series=t(key))))
        plt.close(figure)
    if difference is not None:
        end = difference[difference["date"] == difference["date"].max()]
        body += [
            "<h2>"
            + _e(
                t(
                    "Policy ({policies}) minus baseline",
                    policies=policy_words(", ".join(result["policies"])),
                )
            )
            + "</h2>",
            "<p>"
            + _e(t("Paired run by run (same seeds: common random numbers), on the last day."))
            + "</p>",
            table_html(
                [
                    t("commune"),
                    t("backlog (mean)"),
                    t("backlog 90%"),
                    t("overdue (mean)"),
                    t("overdue 90%"),
                ],
                [
                    [
                        _commune(r.commune, names),
                        localize(f"{r.backlog_diff_mean:+,.1f}"),
                        t(
                            "{low} to {high}",
                            low=localize(f"{r.backlog_diff_p05:+,.0f}"),
                            high=localize(f"{r.backlog_diff_p95:+,.0f}"),
                        ),
                        localize(f"{r.overdue_diff_mean:+,.1f}"),
                        t(
                            "{low} to {high}",
                            low=localize(f"{r.overdue_diff_p05:+,.0f}"),
                            high=localize(f"{r.overdue_diff_p95:+,.0f}"),
                        ),
                    ]
                    for r in end.itertuples()
                ],  # fmt: skip
            ),
        ]
    if calibration is not None:
        body += calibration_html(calibration, names)
    atomic_write_text(path, page(t("Forecast {scenario}", scenario=result["scenario"]), body))


def calibration_html(calibration: dict, names: Mapping[str, str] | None = None) -> list[str]:
    """The calibration's fit, its estimates and the cells it could not reproduce."""
    body = [f"<h2>{_e(t('Calibration'))}</h2>"]
    for cell in calibration.get("at_bound", []):
        body.append(
            f"<p><b>{_e(_cell(cell, names))}</b>: "
            + _e(t("the capacity fit ends at a bound of its range: the scenario cannot "
                   "reproduce this cell's history; check its clerks."))
            + "</p>"
        )  # fmt: skip
    figure = fit_figure(calibration, names)
    body.append(figure_html(figure, t("calibration fit")))
    plt.close(figure)
    rows = []
    for cell, capacity in calibration["capacity"].items():
        d = calibration["demand"]["cells"][cell]
        rows.append(
            [
                _cell(cell, names),
                number(d["observed_per_day"], 2),
                f"{number(d['demand_factor'], 2)} "
                f"({number(d['demand_factor_low'], 2)}-{number(d['demand_factor_high'], 2)})",
                localize(f"{d['trend_per_day'] * 7:+.1%}") if d["trend_used"] else t("none"),
                f"{number(capacity['p50'], 2)} "
                f"({number(capacity['p05'], 2)}-{number(capacity['p95'], 2)})"
                + ("" if capacity["own_data"] else " " + t("(field's)")),
            ]
        )
    body.append(
        table_html(
            [
                t("commune / field"),
                t("received per day"),
                t("demand factor (90%)"),
                t("trend per week"),
                t("effective capacity (90%)"),
            ],
            rows,
            caption=t(
                "fit window {start} to {end}",
                start=_day(calibration["fit_window"][0]),
                end=_day(calibration["fit_window"][-1]),
            ),
        )
    )
    return body


SOURCES = {  # where the open dossiers came from (sim/forecasting): its text -> its words
    r"(?P<log>.+): open at its last date": "{log}: open at its last date",
    r"rebuilt (?P<days>\d+) days before the history's end; the runs live through them": (
        "rebuilt {days} days before the history's end; the runs live through them"
    ),
}


def _source(text: str) -> str:
    """Where the open dossiers came from, as a reader sees it (a file's path as it is)."""
    return text if text.endswith(".csv") else t_shaped(text, SOURCES)


def _commune(commune: str, names: Mapping[str, str] | None) -> str:
    """A commune as a reader sees it: its display name; ``all``: all communes."""
    if commune == "all":
        return t("all communes")
    return (names or {}).get(commune) or commune


def _cell(cell: str, names: Mapping[str, str] | None) -> str:
    """``commune|field`` as a reader sees it: the commune's name / the field's words."""
    commune, _, field = cell.partition("|")
    return f"{_commune(commune, names)} / {key_label(field)}" if field else _commune(cell, names)


def _day(text: str) -> str:
    """An ISO date of the forecast's files in the report's language."""
    return fdate(dt.date.fromisoformat(str(text)[:10]))
