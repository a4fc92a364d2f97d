"""Live dashboard: ``solara run sim/dashboard/app.py --host 127.0.0.1`` (Mesa SolaraViz).

A planner picks a scenario and policies, moves the sliders (staff, secondment, training,
workstations, online share, priority rule), presses Reset to build that model, then Step
or Play: the backlog, overdue and on-time charts and the per-commune table follow day by
day. The sliders are the levers of ``sim.dashboard.levers``; a run here uses the same
model and seed as ``python -m sim.run`` with the same choices.
"""

from __future__ import annotations

import datetime as dt
import html
import math
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # `solara run sim/dashboard/app.py` does not put the repository first
    sys.path.insert(0, str(ROOT))

import matplotlib.dates as mdates  # noqa: E402
import solara  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from mesa.visualization.solara_viz import ModelController  # noqa: E402
from mesa.visualization.utils import update_counter  # noqa: E402

from sim.abm.model import GovernanceModel  # noqa: E402
from sim.dashboard.levers import (  # noqa: E402
    SCENARIO_DEFAULT,
    Levers,
    apply_levers,
    compose_run,
    policy_names,
    scenario_fields,
    scenario_names,
)
from sim.policies import build_policies  # noqa: E402
from sim.reports.figures import closed_days, shade_closed_days  # noqa: E402
from sim.spec.scenario import ScenarioSpec  # noqa: E402

NO_POLICY = "none"
SCENARIO = "lang_son_wards"  # the scenario the dashboard opens with
FIELDS = scenario_fields(SCENARIO)  # the field picker offers its fields
FIELD = "land" if "land" in FIELDS else FIELDS[0]


class LiveModel(GovernanceModel):
    """A GovernanceModel built from dashboard choices (every argument is a keyword)."""

    def __init__(
        self,
        scenario_name: str = SCENARIO,
        policy: str = "baseline",
        second_policy: str = NO_POLICY,
        field: str = FIELD,
        extra_clerks: int = 0,
        seconded_staff: int = 0,
        training_share: float = 0.0,
        workstations: int = 0,
        online_shift: float = 0.0,
        priority_rule: str = SCENARIO_DEFAULT,
        seed: int = 42,
        start_date: str = "",
    ) -> None:
        policies = [policy] + ([second_policy] if second_policy != NO_POLICY else [])
        cfg = compose_run(scenario_name, policies)
        levers = Levers(
            field,
            int(extra_clerks),
            int(seconded_staff),
            float(training_share),
            int(workstations),
            float(online_shift),
            priority_rule,
        )
        spec = ScenarioSpec.read(apply_levers(cfg["scenario"], levers))
        super().__init__(
            spec,
            seed=int(seed),
            start_date=start_date or cfg["run"]["start_date"],
            warmup_days=0,
            policies=build_policies(cfg["policy"], spec),
        )
        self.choices = {"scenario": scenario_name, "policies": policies, "levers": levers}


MODEL_PARAMS = {
    "scenario_name": {
        "type": "Select",
        "value": SCENARIO,
        "label": "Scenario",
        "values": scenario_names(),
    },
    "policy": {"type": "Select", "value": "baseline", "label": "Policy", "values": policy_names()},
    "second_policy": {
        "type": "Select",
        "value": NO_POLICY,
        "label": "Second policy",
        "values": [NO_POLICY, *policy_names()],
    },
    "field": {
        "type": "Select",
        "value": FIELD,
        "label": "Field (staff, seconded, training)",
        "values": FIELDS,
    },
    "extra_clerks": {
        "type": "SliderInt",
        "value": 0,
        "min": 0,
        "max": 5,
        "step": 1,
        "label": "Clerks added / commune",
    },
    "seconded_staff": {
        "type": "SliderInt",
        "value": 0,
        "min": 0,
        "max": 20,
        "step": 1,
        "label": "Seconded staff (total)",
    },
    "training_share": {
        "type": "SliderFloat",
        "value": 0.0,
        "min": 0.0,
        "max": 1.0,
        "step": 0.1,
        "label": "Share trained",
    },
    "workstations": {
        "type": "SliderInt",
        "value": 0,
        "min": 0,
        "max": 20,
        "step": 1,
        "label": "Workstations / commune",
    },
    "online_shift": {
        "type": "SliderFloat",
        "value": 0.0,
        "min": -0.5,
        "max": 0.4,
        "step": 0.05,
        "label": "Online share change",
    },
    "priority_rule": {
        "type": "Select",
        "value": SCENARIO_DEFAULT,
        "label": "Priority rule",
        "values": [SCENARIO_DEFAULT, "fifo", "edf"],
    },
    "seed": {"type": "InputText", "value": "42", "label": "Seed"},
    "start_date": {
        "type": "InputText",
        "value": "2025-07-01",
        "label": "Start date (YYYY-MM-DD; e.g. 2026-01-15 for Lunar New Year)",
    },
}


def _frame(model: GovernanceModel):
    frame = model.daily_frame()
    if len(frame):
        frame = frame.assign(date=[dt.date.fromisoformat(d) for d in frame["date"]])
    return frame


def _empty(ax, text: str) -> None:
    ax.text(0.5, 0.5, text, ha="center", va="center", transform=ax.transAxes)


def date_axis(fig: Figure, ax, model: GovernanceModel, days: int) -> None:
    """Whole days on the x axis, holidays shaded as in the report."""
    if days:
        shade_closed_days(ax, closed_days(model.scenario_spec.calendar, model.start_date, days))
        first = dt.datetime.combine(model.start_date, dt.time())
        ax.set_xlim(first - dt.timedelta(hours=12), first + dt.timedelta(days=days - 0.5))
        ax.xaxis.set_major_locator(mdates.DayLocator(interval=max(1, math.ceil(days / 6))))
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%d %b"))
    ax.set_xlabel("date")
    ax.grid(alpha=0.3)
    fig.autofmt_xdate()
    fig.tight_layout()


def BacklogChart(model: GovernanceModel):
    """Open and overdue dossiers at the end of each simulated day."""
    frame = _frame(model)
    fig = Figure(figsize=(6, 3.4), dpi=90)
    ax = fig.subplots()
    if len(frame):
        ax.plot(
            frame["date"],
            frame["backlog"],
            color="tab:blue",
            marker=".",
            label="backlog (open dossiers)",
        )
        ax.plot(
            frame["date"],
            frame["overdue_open"],
            color="tab:red",
            marker=".",
            label="overdue open dossiers",
        )
        ax.legend(loc="upper left", fontsize=8)
    else:
        _empty(ax, "press Step or Play")
    ax.set_title("Backlog and overdue")
    ax.set_ylabel("dossiers (end of day)")
    date_axis(fig, ax, model, len(frame))
    return solara.FigureMatplotlib(fig, format="png")


def OnTimeChart(model: GovernanceModel):
    """Share of each day's resolved dossiers that met their deadline, and the running rate."""
    frame = _frame(model)
    fig = Figure(figsize=(6, 3.4), dpi=90)
    ax = fig.subplots()
    if len(frame) and frame["resolved"].sum() > 0:
        resolved = frame["resolved"].where(frame["resolved"] > 0)
        ax.plot(
            frame["date"],
            100 * frame["resolved_on_time"] / resolved,
            color="tab:gray",
            marker=".",
            lw=0.8,
            label="that day",
        )
        running = 100 * frame["resolved_on_time"].cumsum() / frame["resolved"].cumsum()
        ax.plot(frame["date"], running, color="tab:green", lw=2, label="since the start")
        ax.legend(loc="lower left", fontsize=8)
        ax.set_ylim(0, 105)
    else:
        _empty(ax, "no dossier resolved yet")
    ax.set_title("On-time rate")
    ax.set_ylabel("resolved on time (%)")
    date_axis(fig, ax, model, len(frame))
    return solara.FigureMatplotlib(fig, format="png")


def _html(body: str):
    """Plain HTML (solara.Markdown would fetch KaTeX from a CDN; this page stays offline)."""
    return solara.HTML(tag="div", unsafe_innerHTML=body)


def Today(model: GovernanceModel):
    """Which simulated day the model has reached, and what is selected."""
    if model.day < 0:
        text = f"<b>Day 0</b> · starts {model.start_date:%a %d %b %Y}"
    else:
        state = "open" if model.calendar.is_working_day(model.day) else "closed"
        text = f"<b>Day {model.day + 1}</b> · {model.date:%a %d %b %Y} (PASC {state})"
    choices = getattr(model, "choices", {})
    scenario = html.escape(str(choices.get("scenario", model.scenario_spec.name)))
    policies = html.escape(", ".join(choices.get("policies", [p.name for p in model.policies])))
    cost = sum(p.cost_vnd(model.policy_context) for p in model.policies)
    return _html(
        f'<p class="day-counter" style="font-size:1.2em">{text}</p>'
        f"<p>Scenario <b>{scenario}</b> · policies: {policies} · "
        f"policy cost so far: {cost:,.0f} VND</p>"
    )


def CommuneTable(model: GovernanceModel):
    """Per-commune figures so far, most overdue first."""
    if model.day < 0:
        return _html("<p><i>The per-commune table fills in from the first day.</i></p>")
    by_commune = model.summary()["by_commune"]
    rows = sorted(by_commune.items(), key=lambda item: -item[1]["overdue_open"])
    labels = {c.name: c.label for c in model.scenario_spec.communes}
    head = ("commune", "received", "backlog", "overdue", "on-time (%)", "mean time (h)")
    cell = 'style="padding:2px 8px;text-align:right;border-bottom:1px solid #ddd"'
    parts = ['<table class="commune-table" style="border-collapse:collapse">', "<tr>"]
    parts += [f"<th {cell}>{h}</th>" for h in head] + ["</tr>"]
    for name, f in rows:
        rate, hours = f["on_time_rate"], f["mean_sojourn_hours"]
        values = (
            html.escape(labels.get(name, name)),
            f"{f['dossiers_created']:,}",
            f"{f['dossiers_open']:,}",
            f"{f['overdue_open']:,}",
            "n/a" if rate != rate else f"{100 * rate:.1f}",
            "n/a" if hours != hours else f"{hours:.1f}",
        )
        parts.append("<tr>" + "".join(f"<td {cell}>{v}</td>" for v in values) + "</tr>")
    parts.append("</table>")
    return _html("".join(parts))


def _input(name: str, options: dict, value, on_value) -> None:
    """One choice; a slider's label carries its current value (planners read, not guess)."""
    kind, label = options["type"], options["label"]
    if kind in ("SliderInt", "SliderFloat"):
        slider = solara.SliderInt if kind == "SliderInt" else solara.SliderFloat
        shown = f"{value:g}" if isinstance(value, float) else f"{value}"
        slider(
            f"{label}: {shown}",
            value=value,
            on_value=on_value,
            min=options["min"],
            max=options["max"],
            step=options["step"],
        )
    elif kind == "Select":
        solara.Select(label, value=value, values=options["values"], on_value=on_value)
    else:
        solara.InputText(label, value=value, on_value=on_value)


@solara.component
def Choices(parameters: solara.Reactive[dict]) -> None:
    """The planner's choices; Reset builds a model from them."""
    for name, options in MODEL_PARAMS.items():

        def on_value(value, name=name):
            parameters.value = {**parameters.value, name: value}

        _input(name, options, parameters.value[name], on_value)


COMPONENTS = (Today, BacklogChart, OnTimeChart, CommuneTable)


@solara.component
def Page(model: GovernanceModel | None = None) -> None:
    """The dashboard: run buttons and choices in the sidebar, the day's figures beside.

    Mesa's SolaraViz would also show its own controls (play and render intervals,
    threads, page tabs, the internal step time), which mean nothing to a planner; this
    page keeps Mesa's run buttons (Reset, play/pause, Step) and nothing else of it.
    """
    first = solara.use_memo(lambda: model if model is not None else LiveModel(), [])
    current = solara.use_reactive(first)
    parameters = solara.use_reactive({k: v["value"] for k, v in MODEL_PARAMS.items()})
    play_ms, days_per_step, threads = (solara.use_reactive(v) for v in (300, 1, False))
    update_counter.get()  # redrawn after every step
    with solara.AppBar():
        solara.AppBarTitle("Commune capacity: live run")
    with solara.Sidebar(), solara.Column():
        with solara.Card("Run"):
            ModelController(
                current,
                model_parameters=parameters,
                play_interval=play_ms,
                render_interval=days_per_step,
                use_threads=threads,
            )
            _html(
                "<p style='font-size:.85em'>Step: one more day. ▶ / ❚❚: run on or pause. "
                "Reset: a new run from the choices below.</p>"
            )
        with solara.Card("Choices"):
            Choices(parameters)
    with solara.Column():
        for component in COMPONENTS:
            component(current.value)


def make_page(model: GovernanceModel | None = None):
    """The dashboard page (a fresh default model unless one is given)."""
    return Page(model)


page = Page
