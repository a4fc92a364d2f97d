"""The model's daily series: one row of figures per simulated day (``daily.csv``).

Its columns are those of ``DAILY`` (sim/core/measures.py), after the date.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from sim.core.measures import DAILY, READING, TODAY_MEAN


class DailySeries:
    """Collects, after each day, what each reporter reads off the model.

    Like Mesa's ``DataCollector`` for model-level reporters, without copying each value
    (the reporters return plain numbers and strings).

    Args:
        reporters: column name -> function of the model.
    """

    def __init__(self, reporters: dict[str, Callable]) -> None:
        self.reporters = reporters
        self.rows: list[tuple] = []

    def collect(self, model) -> None:
        self.rows.append(tuple(report(model) for report in self.reporters.values()))

    def frame(self) -> pd.DataFrame:
        """One row per collected day, one column per reporter."""
        return pd.DataFrame(self.rows, columns=list(self.reporters))


def daily_reporters(readings: dict[str, Callable]) -> dict[str, Callable]:
    """The reporters of daily.csv: the date, then one per column of ``DAILY``.

    A column of today's totals reads the model's metrics; a ``READING`` column reads
    ``readings[name]`` (a function of the model).
    """
    missing = [d.name for d in DAILY if d.source == READING and d.name not in readings]
    if missing:
        raise KeyError(
            f"daily columns {missing} (READING in sim/core/measures.py) have no reading: "
            "add a function of the model under that name to READINGS in sim/abm/model.py"
        )
    reporters: dict[str, Callable] = {"date": lambda m: m.date.isoformat()}
    for column in DAILY:
        reporters[column.name] = _reporter(column, readings)
    return reporters


def _reporter(column, readings: dict[str, Callable]) -> Callable:
    if column.source == READING:
        return readings[column.name]
    if column.source == TODAY_MEAN:
        return lambda m: m.metrics.mean_today(column.of, column.per)
    return lambda m: int(m.metrics.today(column.total))
