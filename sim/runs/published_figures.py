"""The published figures the model is checked against, read from one file and checked.

``sim/configs/validation.yaml`` lists the runs (scenario, days, start date,
replications, overrides) and the figures (what was published, where and when, by whom,
which model output it is compared with and with what tolerance); its header explains
every key. ``read_figures`` returns them checked: a bad entry is a ``ConfigError``
naming the file, the figure's id, the key, the bad value and what is allowed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from sim.spec.config import ConfigError
from sim.spec.paths import CONFIG_DIR

FIGURES_FILE = CONFIG_DIR / "validation.yaml"
KINDS = ("national", "provincial", "field_report")
TEXT_KEYS = ("figure", "unit", "period", "place", "source")
# compare kind -> its other keys (required, optional)
COMPARES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "summary": ((), ()),
    "lowest_field": ((), ()),
    "lowest_of_fields": ((), ()),
    "field_share": (("among",), ()),
    "daily_ratio": (("from", "to"), ()),
    "monthly_rise": (("from_month", "to_month"), ()),
    "per_commune_per_working_day": (("from", "to"), ("gross_up_by",)),
    "per_clerk_per_working_day": (("from", "to"), ()),
    "not_comparable": ((), ()),
}
NAMED = ("lowest_field",)  # compares whose model value is a name, judged by one_of
TOLERANCES = ("absolute", "relative", "within", "above", "below", "one_of")


@dataclass(frozen=True)
class RunConfig:
    """One run the figures are read from: ``replications`` seeds of a scenario."""

    name: str
    scenario: str
    days: int
    start_date: str
    replications: int
    overrides: tuple[str, ...] = ()

    @property
    def first_date(self) -> dt.date:
        return dt.date.fromisoformat(self.start_date)

    @property
    def last_date(self) -> dt.date:
        return self.first_date + dt.timedelta(days=self.days - 1)


@dataclass(frozen=True)
class PublishedFigure:
    """One published figure, the model output it is compared with, and the tolerance."""

    id: str
    kind: str
    figure: str
    published: float | str | tuple[float, float]
    unit: str
    period: str
    place: str
    source: str
    run: str
    compare: dict
    tolerance: dict = field(default_factory=dict)
    note: str = ""
    vi: dict = field(default_factory=dict)  # the words in Vietnamese (output.language=vi)

    @property
    def comparable(self) -> bool:
        return "not_comparable" not in self.compare

    @property
    def compare_kind(self) -> str:
        return next(k for k in self.compare if k in COMPARES)


def _number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _date(value, where: str) -> dt.date:
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ConfigError(f"{where} = {value!r}: a date YYYY-MM-DD") from None


def _read_run(name: str, item, where: str) -> RunConfig:
    if not isinstance(item, dict):
        raise ConfigError(f"{where} = {item!r}: a mapping with scenario, days, replications")
    unknown = sorted(set(item) - {"scenario", "days", "start_date", "replications", "overrides"})
    if unknown:
        raise ConfigError(
            f"{where}.{unknown[0]}: unknown key; allowed: scenario, days, start_date, "
            "replications, overrides"
        )
    scenario = item.get("scenario")
    if not isinstance(scenario, str) or not scenario:
        raise ConfigError(f"{where}.scenario = {scenario!r}: a scenario name")
    for key in ("days", "replications"):
        value = item.get(key)
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise ConfigError(f"{where}.{key} = {value!r}: an integer >= 1")
    start = str(item.get("start_date", "2025-07-01"))
    _date(start, f"{where}.start_date")
    overrides = item.get("overrides", [])
    if not isinstance(overrides, list) or not all(isinstance(o, str) for o in overrides):
        raise ConfigError(f"{where}.overrides = {overrides!r}: a list of KEY=VALUE strings")
    return RunConfig(name, scenario, item["days"], start, item["replications"], tuple(overrides))


def _check_compare(compare, run: RunConfig | None, where: str) -> dict:
    if not isinstance(compare, dict):
        raise ConfigError(f"{where} = {compare!r}: a mapping, e.g. {{summary: on_time_rate}}")
    kinds = [k for k in compare if k in COMPARES]
    if len(kinds) != 1:
        raise ConfigError(f"{where} = {compare!r}: exactly one of {', '.join(COMPARES)}")
    kind = kinds[0]
    required, optional = COMPARES[kind]
    unknown = sorted(set(compare) - {kind, *required, *optional})
    if unknown:
        raise ConfigError(f"{where}.{unknown[0]}: unknown key for {kind}")
    missing = [k for k in required if k not in compare]
    if missing:
        raise ConfigError(f"{where}.{missing[0]}: missing; {kind} needs {', '.join(required)}")
    value = compare[kind]
    if kind in ("daily_ratio", "monthly_rise"):
        if not (
            isinstance(value, list) and len(value) == 2 and all(isinstance(v, str) for v in value)
        ):
            raise ConfigError(f"{where}.{kind} = {value!r}: two daily columns [A, B]")
    elif kind == "field_share":
        among = compare["among"]
        if not isinstance(among, list) or value not in among:
            raise ConfigError(f"{where}.among = {among!r}: a list of fields including {value!r}")
    elif not isinstance(value, str) or not value:
        raise ConfigError(f"{where}.{kind} = {value!r}: a name")
    if run is not None:
        dates = [(k, compare[k], _date(compare[k], f"{where}.{k}")) for k in ("from", "to")
                 if k in compare]  # fmt: skip
        dates += [(k, compare[k], _date(f"{compare[k]}-01", f"{where}.{k}"))
                  for k in ("from_month", "to_month") if k in compare]  # fmt: skip
        for key, text, day in dates:
            first = run.first_date.replace(day=1) if key.endswith("month") else run.first_date
            if not first <= day <= run.last_date:
                raise ConfigError(
                    f"{where}.{key} = {text}: outside run {run.name} ({run.first_date} to "
                    f"{run.last_date}); change the run's days or start_date"
                )
    return dict(compare)


def _check_tolerance(tolerance, published, compare_kind: str, where: str) -> dict:
    if compare_kind == "not_comparable":
        return {}
    if (
        not isinstance(tolerance, dict)
        or len(tolerance) != 1
        or next(iter(tolerance)) not in TOLERANCES
    ):
        raise ConfigError(
            f"{where} = {tolerance!r}: one of {', '.join(TOLERANCES)}, e.g. {{absolute: 0.03}}"
        )
    kind, value = next(iter(tolerance.items()))
    named = compare_kind in NAMED
    if named != (kind == "one_of"):
        need = "a named output needs one_of" if named else "one_of is for lowest_field"
        raise ConfigError(f"{where} = {tolerance!r}: {need}")
    if kind in ("absolute", "relative"):
        if not _number(value) or value < 0:
            raise ConfigError(f"{where}.{kind} = {value!r}: a number >= 0")
        if not _number(published):
            raise ConfigError(
                f"{where}.{kind}: the published value {published!r} is not a number; use "
                "above, below or within"
            )
    elif kind == "within":
        if not (
            isinstance(value, list)
            and len(value) == 2
            and all(map(_number, value))
            and value[0] <= value[1]
        ):
            raise ConfigError(f"{where}.within = {value!r}: [LOW, HIGH] with LOW <= HIGH")
    elif kind in ("above", "below"):
        if not _number(value):
            raise ConfigError(f"{where}.{kind} = {value!r}: a number")
    elif not (isinstance(value, list) and value and all(isinstance(v, str) for v in value)):
        raise ConfigError(f"{where}.one_of = {value!r}: a list of names")
    return {kind: tuple(value) if isinstance(value, list) else value}


def _published(value, where: str):
    if _number(value) or (isinstance(value, str) and value):
        return value
    if isinstance(value, list) and len(value) == 2 and all(map(_number, value)):
        return (value[0], value[1])
    raise ConfigError(f"{where} = {value!r}: a number, [low, high] or words")


def _words(block, published, compare: dict, where: str) -> dict[str, str]:
    """A figure's words in another language: its text keys, its note, its published value
    when that is words and why it is not comparable when it is not."""
    if block is None:
        return {}
    allowed = {*TEXT_KEYS, "note", *(("published",) if isinstance(published, str) else ())}
    allowed |= {"not_comparable"} if "not_comparable" in compare else set()
    if not isinstance(block, dict):
        raise ConfigError(f"{where} = {block!r}: a mapping of {', '.join(sorted(allowed))}")
    for key, text in block.items():
        if key not in allowed:
            raise ConfigError(
                f"{where}.{key}: not translatable here; allowed: {', '.join(sorted(allowed))}"
            )
        if not isinstance(text, str) or not text.strip():
            raise ConfigError(f"{where}.{key} = {text!r}: the words, in that language")
    return {key: text.strip() for key, text in block.items()}


def read_figures(path: Path = FIGURES_FILE) -> tuple[dict[str, RunConfig], list[PublishedFigure]]:
    """The runs and the figures of ``path``, checked."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(
            f"{path}: not found; it lists the published figures (see docs/VALIDATION.md)"
        )
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        raise ConfigError(
            f"{path}: not valid YAML{where}: {problem}; quote a value with ': ' in it"
        ) from None
    if not isinstance(data, dict) or not isinstance(data.get("runs"), dict):
        raise ConfigError(f"{path}: 'runs' must map run names to settings")
    runs = {
        str(n): _read_run(str(n), item, f"{path}: runs.{n}") for n, item in data["runs"].items()
    }
    items = data.get("figures")
    if not isinstance(items, list) or not items:
        raise ConfigError(f"{path}: 'figures' must be a list of figures")
    figures, seen = [], set()
    allowed = {"id", "kind", "published", "run", "compare", "tolerance", "note", "vi", *TEXT_KEYS}
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise ConfigError(f"{path}: figures[{index}] = {item!r}: a mapping")
        ident = item.get("id")
        if not isinstance(ident, str) or not ident.isidentifier():
            raise ConfigError(
                f"{path}: figures[{index}].id = {ident!r}: a name of letters, digits and _"
            )
        where = f"{path}: figures.{ident}"
        if ident in seen:
            raise ConfigError(f"{where}: the id is used twice; give each figure its own")
        seen.add(ident)
        unknown = sorted(set(item) - allowed)
        if unknown:
            raise ConfigError(
                f"{where}.{unknown[0]}: unknown key; allowed: {', '.join(sorted(allowed))}"
            )
        for key in TEXT_KEYS:
            if not isinstance(item.get(key), str) or not item[key].strip():
                raise ConfigError(f"{where}.{key} = {item.get(key)!r}: missing; say it in words")
        if item.get("kind") not in KINDS:
            raise ConfigError(f"{where}.kind = {item.get('kind')!r}: one of {', '.join(KINDS)}")
        if item.get("run") not in runs:
            raise ConfigError(
                f"{where}.run = {item.get('run')!r}: one of the runs {', '.join(runs)}"
            )
        run = runs[item["run"]]
        compare = _check_compare(item.get("compare"), run, f"{where}.compare")
        published = _published(item.get("published"), f"{where}.published")
        kind = next(k for k in compare if k in COMPARES)
        tolerance = _check_tolerance(item.get("tolerance"), published, kind, f"{where}.tolerance")
        figures.append(
            PublishedFigure(
                id=ident, kind=item["kind"], published=published, run=item["run"],
                compare=compare, tolerance=tolerance, note=str(item.get("note") or ""),
                vi=_words(item.get("vi"), published, compare, f"{where}.vi"),
                **{key: item[key].strip() for key in TEXT_KEYS},
            )
        )  # fmt: skip
    return runs, figures


def select(figures: list[PublishedFigure], only) -> list[PublishedFigure]:
    """The figures named in ``only`` (all when empty); an unknown id is a ConfigError."""
    if only is None or len(only) == 0:
        return list(figures)
    if isinstance(only, str) or not all(isinstance(i, str) for i in only):
        raise ConfigError(
            f"validate.only = {only!r}: a list of figure ids, e.g. "
            "validate.only=[national_online_share]"
        )
    known = [f.id for f in figures]
    unknown = [i for i in only if i not in known]
    if unknown:
        raise ConfigError(
            f"validate.only: {unknown[0]!r} is not a figure; known: {', '.join(known)}"
        )
    return [f for f in figures if f.id in set(only)]
