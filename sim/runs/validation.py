"""Published figures against the model's outputs: what ``python -m sim.validate`` judges.

Each run of the figures file (sim/runs/published_figures.py) is run once, replication
by replication (the model seed of replication r is ``replication_seed(seed, r)``, so
the replications are paired across runs); each figure reads its output from every
replication (``measure``), the mean over replications and its 95% interval are compared
with the published value by the figure's tolerance (``judge``). The verdict is what the
model gives, whatever it gives: a figure that fails is reported, not tuned.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd
from omegaconf import OmegaConf

from sim.core.calendar import make_calendar
from sim.core.stats import mean_interval
from sim.runs.country import CountrySpec, read_scenario
from sim.runs.published_figures import NAMED, PublishedFigure, RunConfig
from sim.runs.replications import run_replication
from sim.spec.config import ConfigError
from sim.spec.paths import CONFIG_DIR

HOLDS, FAILS, NOT_COMPARABLE = "yes", "no", "not comparable"


@dataclass
class RunOutputs:
    """What one run gave, per replication, and the facts of its scenario a figure needs.

    ``working_dates``: ISO dates of the run's working days (the scenario's calendar);
    ``scenario``: the composed scenario block (for ``gross_up_by`` paths).
    """

    summaries: list[dict]
    dailies: list[pd.DataFrame]
    communes: int
    clerks: int
    working_dates: frozenset[str]
    scenario: dict


@dataclass
class Verdict:
    """A figure's model values per replication, their mean and interval, and the verdict."""

    figure: PublishedFigure
    values: list
    mean: float | str | None
    low: float | None
    high: float | None
    holds: str
    reason: str = ""
    reason_words: tuple[str, dict] | None = None  # a NoValue's template and values


class NoValue(Exception):
    """The run gave no value for a figure (e.g. no dossier of a field): not comparable.

    ``template`` and ``values`` let a report say it in its language."""

    def __init__(self, template: str, **values: object) -> None:
        super().__init__(template.format(**values))
        self.template, self.values = template, values


def _path(data: dict, path: str):
    value = data
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            raise NoValue("the outputs have no {path}", path=path)
        value = value[part]
    return value


def _finite(value, what: str) -> float:
    if not isinstance(value, int | float) or isinstance(value, bool) or not math.isfinite(value):
        raise NoValue("the model gave no value for {what}", what=what)
    return float(value)


def _window(daily: pd.DataFrame, start: str, end: str) -> pd.DataFrame:
    dates = daily["date"].astype(str)
    return daily[(dates >= str(start)) & (dates <= str(end))]


def _column(daily: pd.DataFrame, name: str) -> pd.Series:
    if name not in daily.columns:
        raise NoValue("the daily series has no column {name}", name=name)
    return daily[name]


def _ratio(top: float, bottom: float, template: str, **values: object) -> float:
    """top / bottom; a zero bottom is NoValue(template, values)."""
    if bottom == 0:
        raise NoValue(template, **values)
    return top / bottom


def _field_values(summary: dict, figure: str) -> dict[str, float]:
    """Each field's ``figure`` (fields without a value are left out)."""
    result = {}
    for name, slice_ in (summary.get("by_field") or {}).items():
        value = slice_.get(figure) if isinstance(slice_, dict) else None
        if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
            result[name] = float(value)
    return result


def _working_days(outputs: RunOutputs, start: str, end: str) -> int:
    days = sum(1 for d in outputs.working_dates if str(start) <= d <= str(end))
    if days == 0:
        raise NoValue("no working day from {start} to {end}", start=start, end=end)
    return days


def replication_value(compare: dict, outputs: RunOutputs, r: int) -> float:
    """The numeric output ``compare`` names, in replication ``r``."""
    summary, daily = outputs.summaries[r], outputs.dailies[r]
    if "summary" in compare:
        return _finite(_path(summary, compare["summary"]), compare["summary"])
    if "lowest_of_fields" in compare:
        rates = _field_values(summary, compare["lowest_of_fields"])
        if not rates:
            raise NoValue("no field has a {figure}", figure=compare["lowest_of_fields"])
        return min(rates.values())
    if "field_share" in compare:
        among = compare["among"]
        counts = {f: _field_values(summary, "dossiers_created").get(f, 0.0) for f in among}
        return _ratio(
            counts[compare["field_share"]], sum(counts.values()),
            "no dossier received in {fields}", fields=", ".join(among),
        )  # fmt: skip
    if "daily_ratio" in compare:
        top, bottom = compare["daily_ratio"]
        window = _window(daily, compare["from"], compare["to"])
        return _ratio(
            _column(window, top).sum(), _column(window, bottom).sum(),
            "no {column} from {start} to {end}", column=bottom, start=compare["from"],
            end=compare["to"],
        )  # fmt: skip
    if "monthly_rise" in compare:
        top, bottom = compare["monthly_rise"]
        months = daily["date"].astype(str).str[:7]
        rates = []
        for month in (compare["from_month"], compare["to_month"]):
            rows = daily[months == str(month)]
            rates.append(
                _ratio(
                    _column(rows, top).sum(), _column(rows, bottom).sum(),
                    "no {column} in {month}", column=bottom, month=month,
                )
            )  # fmt: skip
        return rates[1] - rates[0]
    if "per_commune_per_working_day" in compare:
        column = compare["per_commune_per_working_day"]
        window = _window(daily, compare["from"], compare["to"])
        days = _working_days(outputs, compare["from"], compare["to"])
        value = _column(window, column).sum() / outputs.communes / days
        if compare.get("gross_up_by"):
            share = _finite(_path(outputs.scenario, compare["gross_up_by"]), compare["gross_up_by"])
            value /= 1 - share
        return float(value)
    if "per_clerk_per_working_day" in compare:
        column = compare["per_clerk_per_working_day"]
        window = _window(daily, compare["from"], compare["to"])
        days = _working_days(outputs, compare["from"], compare["to"])
        count = _column(window, column).sum()
        return _ratio(count, outputs.clerks, "the scenario has no dossier clerk") / days
    raise ValueError(f"no numeric output for {compare!r}")


def judge(tolerance: dict, published, value) -> bool:
    """Whether ``value`` (the model's mean, or a name) agrees with ``published``."""
    kind, bound = next(iter(tolerance.items()))
    if kind == "one_of":
        return value in bound
    if kind == "absolute":
        return abs(value - published) <= bound
    if kind == "relative":
        return abs(value - published) <= bound * abs(published)
    if kind == "within":
        return bound[0] <= value <= bound[1]
    if kind == "above":
        return value > bound
    if kind == "below":
        return value < bound
    raise ValueError(f"unknown tolerance {tolerance!r}")


def evaluate(figure: PublishedFigure, outputs: RunOutputs | None) -> Verdict:
    """The figure's verdict from its run's outputs (None: a figure with no model output)."""
    if not figure.comparable or outputs is None:
        reason = figure.compare.get("not_comparable", "")
        return Verdict(figure, [], None, None, None, NOT_COMPARABLE, reason)
    replications = range(len(outputs.summaries))
    try:
        if figure.compare_kind in NAMED:  # the field lowest in the mean over replications
            name = figure.compare["lowest_field"]
            per = [_field_values(outputs.summaries[r], name) for r in replications]
            fields = [f for f in per[0] if all(f in p for p in per)]
            if not fields:
                raise NoValue("no field has a {figure}", figure=name)
            means = {f: sum(p[f] for p in per) / len(per) for f in fields}
            lowest = min(means, key=means.get)
            values = [min(p, key=p.get) for p in per]
            holds = judge(figure.tolerance, figure.published, lowest)
            return Verdict(figure, values, lowest, None, None, HOLDS if holds else FAILS)
        values = [replication_value(figure.compare, outputs, r) for r in replications]
    except NoValue as missing:
        words = (missing.template, missing.values)
        return Verdict(figure, [], None, None, None, NOT_COMPARABLE, str(missing), words)
    mean, low, high = mean_interval(values)
    holds = judge(figure.tolerance, figure.published, mean)
    return Verdict(
        figure, values, mean, None if math.isnan(low) else low,
        None if math.isnan(high) else high, HOLDS if holds else FAILS,
    )  # fmt: skip


def agreement(verdict: Verdict) -> tuple[int, int]:
    """For a named output: how many replications gave the mean's name, of how many."""
    return Counter(verdict.values).get(verdict.mean, 0), len(verdict.values)


def compose_scenario(run: RunConfig) -> tuple[dict, dict]:
    """The composed scenario block and policy block of ``run`` (as ``sim.run`` composes
    them; inside a Hydra app, with its search path, so a user's own configs count)."""
    from hydra import compose, initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra

    overrides = [f"scenario={run.scenario}", *run.overrides]
    try:
        if GlobalHydra.instance().is_initialized():
            cfg = compose("config", overrides=overrides)
        else:
            with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
                cfg = compose("config", overrides=overrides)
        container = OmegaConf.to_container(cfg, resolve=True)
    except Exception as error:  # noqa: BLE001 - Hydra's errors name the bad override
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise ConfigError(
            f"runs.{run.name}: {' '.join(overrides)} cannot be composed ({first}); check "
            "the scenario's name and the overrides in the figures file"
        ) from None
    return container["scenario"], container.get("policy") or {}


def run_outputs(
    run: RunConfig, seed: int, on_replication: Callable[[], None] = lambda: None
) -> RunOutputs:
    """Run ``run``'s replications of master ``seed``; their summaries and daily series."""
    scenario, policy = compose_scenario(run)
    spec = read_scenario(scenario)
    summaries, dailies = [], []
    for replication in range(run.replications):
        summary, daily = run_replication(
            spec, policy, seed=seed, replication=replication, days=run.days,
            warmup_days=0, start_date=run.start_date,
        )  # fmt: skip
        summaries.append(summary)
        dailies.append(daily)
        on_replication()
    provinces = spec.provinces if isinstance(spec, CountrySpec) else [spec]
    communes = [c for p in provinces for c in p.communes]
    calendar = make_calendar(provinces[0].calendar, run.first_date)
    working = frozenset(
        (run.first_date + dt.timedelta(days=d)).isoformat()
        for d in range(run.days)
        if calendar.is_working_day(d)
    )
    return RunOutputs(
        summaries, dailies, len(communes),
        sum(g.count for c in communes for g in c.clerks), working, scenario,
    )  # fmt: skip


def validate(
    runs: dict[str, RunConfig],
    figures: list[PublishedFigure],
    seed: int,
    on_run: Callable[[RunConfig], None] = lambda run: None,
) -> list[Verdict]:
    """Every figure's verdict; each distinct run setting the comparable figures need is
    run once (two run names with the same settings share one run)."""
    needed = list(dict.fromkeys(f.run for f in figures if f.comparable))
    by_setting: dict[tuple, RunOutputs] = {}
    outputs = {}
    for name in needed:
        run = runs[name]
        setting = (run.scenario, run.days, run.start_date, run.replications, run.overrides)
        if setting not in by_setting:
            on_run(run)
            by_setting[setting] = run_outputs(run, seed)
        outputs[name] = by_setting[setting]
    return [evaluate(f, outputs.get(f.run)) for f in figures]
