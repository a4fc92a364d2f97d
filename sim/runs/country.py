"""The whole country: one independent model per province, run in parallel, merged.

Provinces do not exchange dossiers or staff, so a country-year is 34 province-years
that can run on as many cores as there are. Each province's model seed depends only on
(seed, replication, province index), and the results are merged in province order,
so the numbers are the same whatever the number of workers. Merging is exact: the
country's and each field's figures are recomputed from the provinces' summed tallies
(counts, time sums, sojourn histograms), not averaged from their rates; ``by_commune``
is the union of the provinces' (commune names carry their province's prefix).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.abm.model import STAFF, GovernanceModel, staff_utilization
from sim.core.metrics import combine_daily
from sim.core.summary import FROM_TALLIES, Slice, merge_slices, slice_figures, worst_off
from sim.policies import build_policies
from sim.runs.executor import executor
from sim.spec.config import Reader
from sim.spec.scenario import ScenarioSpec
from sim.spec.synthetic import is_country, province_scenario, province_sizes


@dataclass(frozen=True)
class CountrySpec:
    """A country scenario: its name and one ScenarioSpec per province."""

    name: str
    provinces: tuple[ScenarioSpec, ...]

    @property
    def calendar(self) -> dict:
        """The calendar block (every province shares it)."""
        return self.provinces[0].calendar

    @classmethod
    def read(cls, data: dict) -> CountrySpec:
        r = Reader(data, "scenario")
        n_provinces = r.integer("n_provinces", low=1)
        n_communes = r.integer("n_communes", low=1)
        seed = r.integer("layout_seed", 0, low=0)
        sigma = r.child("layout").number("province_size_sigma", 0.0, low=0)
        sizes = province_sizes(n_communes, n_provinces, sigma, np.random.default_rng([seed]))
        width = len(str(n_provinces))
        provinces = []
        for index, size in enumerate(sizes):
            name = f"p{index + 1:0{width}d}"
            rng = np.random.default_rng([seed, index + 1])
            data_p = province_scenario(data, size, rng, prefix=f"{name}_")
            data_p["name"] = name
            provinces.append(ScenarioSpec.read(data_p))
        return cls(name=str(r.raw("name")), provinces=tuple(provinces))


def read_scenario(data: dict) -> ScenarioSpec | CountrySpec:
    """The scenario block as one model's spec, or as a country of province specs."""
    return CountrySpec.read(data) if is_country(data) else ScenarioSpec.read(data)


def province_seed(seed: int, replication: int, province: int) -> int:
    """Model seed of one province in one replication: independent of the worker count."""
    sequence = np.random.SeedSequence([int(seed), int(replication), int(province)])
    return int(sequence.generate_state(1)[0])


@dataclass
class ProvinceResult:
    """What a worker sends back: the summary, the slices to merge, the daily series."""

    summary: dict
    total: Slice
    by_field: dict[str, Slice]
    staff: dict[str, Slice]  # commune and provincial staff hours
    daily: pd.DataFrame
    groups: dict[str, Slice]  # equity groups


def run_province(
    spec: ScenarioSpec,
    policy_cfg: dict,
    seed: int,
    days: int,
    warmup_days: int,
    start_date: str,
) -> ProvinceResult:
    """Run one province's model and keep what the merge needs."""
    model = GovernanceModel(
        spec,
        seed=seed,
        start_date=start_date,
        warmup_days=warmup_days,
        policies=build_policies(policy_cfg),
    )
    model.run(days)
    slices = model.slices()
    return ProvinceResult(
        summary=model.summary(slices),
        total=slices["total"][""],
        by_field=slices["field"],
        staff=slices[STAFF],
        daily=model.daily_frame(),
        groups=model.group_slices(),
    )


def merge_results(results: list[ProvinceResult]) -> tuple[dict, pd.DataFrame]:
    """The country's summary and daily series from its provinces' results.

    Figures computed from tallies are recomputed from the merged slices; the others
    (event counts, costs) are added up.
    """
    from_tallies = {f.key for f in FROM_TALLIES}
    total = slice_figures(merge_slices(r.total for r in results))
    summary: dict = {}
    for key, value in results[0].summary.items():
        if key in from_tallies:
            summary[key] = total[key]
        elif key == "by_field":
            fields = sorted({f for r in results for f in r.by_field})
            summary[key] = {
                field: slice_figures(
                    merge_slices(r.by_field[field] for r in results if field in r.by_field)
                )
                for field in fields
            }
        elif key == "policy_costs":
            summary[key] = add_nested([r.summary[key] for r in results])
        elif key == "equity":
            summary[key] = {
                name: slice_figures(merge_slices(r.groups[name] for r in results))
                for name in results[0].groups
            }
        elif key in ("by_commune", "overdue_by_commune_field", "capacity"):
            summary[key] = {n: f for r in results for n, f in r.summary[key].items()}
        elif isinstance(value, int | float) and not isinstance(value, bool):
            summary[key] = sum(r.summary[key] for r in results)  # event counts, costs
        else:
            summary[key] = value
    summary.update(
        staff_utilization(
            {name: merge_slices(r.staff[name] for r in results) for name in results[0].staff}
        )
    )
    summary["worst_off_commune"] = worst_off(summary["by_commune"])
    summary["provinces"] = len(results)
    return summary, merge_daily([r.daily for r in results])


def add_nested(values: list[dict]) -> dict:
    """Numbers added key by key through nested dicts (policy costs of several provinces)."""
    result: dict = {}
    for value in values:
        for key, item in value.items():
            if isinstance(item, dict):
                result[key] = add_nested([result.get(key, {}), item])
            else:
                result[key] = result.get(key, 0.0) + item
    return result


def merge_daily(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Day-by-day sums over provinces (mean waits pooled over their dossiers)."""
    return combine_daily(frames, average=False)


def run_country(
    spec: CountrySpec,
    policy_cfg: dict,
    *,
    seed: int,
    replication: int,
    days: int,
    warmup_days: int,
    start_date: str,
    workers: int = 1,
    cluster: str | None = None,
    on_day: Callable[[], None] | None = None,
) -> tuple[dict, pd.DataFrame]:
    """One replication of the country: provinces in parallel over ``workers`` processes,
    or on the Dask cluster at ``cluster`` (sim/runs/executor.py).

    The largest provinces start first, so that no worker is left with a large one at the
    end while the others wait; the results are merged in province order all the same.
    """
    order = largest_first(spec.provinces)
    jobs = [
        (
            spec.provinces[index],
            policy_cfg,
            province_seed(seed, replication, index),
            days,
            warmup_days,
            start_date,
        )
        for index in order
    ]
    results: dict[int, ProvinceResult] = {}
    ticks = 0
    with executor(workers, cluster) as where:
        done = where.starmap(run_province, jobs)
        for index, result in zip(order, done, strict=True):
            results[index] = result
            target = math.floor(days * len(results) / len(spec.provinces))
            while on_day is not None and ticks < target:
                on_day()
                ticks += 1
    return merge_results([results[index] for index in range(len(spec.provinces))])


def largest_first(provinces: tuple[ScenarioSpec, ...]) -> list[int]:
    """Province indices by decreasing size (households and businesses), ties by index."""
    sizes = [sum(c.households + c.businesses for c in p.communes) for p in provinces]
    return sorted(range(len(provinces)), key=lambda index: (-sizes[index], index))
