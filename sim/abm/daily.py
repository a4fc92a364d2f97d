"""The model's daily series: one row of figures per simulated day (``daily.csv``)."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd


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
