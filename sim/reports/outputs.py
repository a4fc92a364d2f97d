"""What every command writes for people: its report and workbook, in ``output.language``.

Each command (``sim.run``, ``sim.forecast``, ``sim.backtest``, ``sim.calibrate``,
``sim.optimize``, ``sim.sensitivity``, a study's analysis) hands its report writer and
its workbook's sheets to ``write_outputs``, which writes both in the language of
``output.language`` and the workbook only when ``output.excel=true`` (sim/reports/excel.py).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

import pandas as pd

from sim.reports.excel import write_workbook
from sim.reports.i18n import check_language, language
from sim.spec.config import ConfigError


def output_settings(output: Mapping | None) -> tuple[str, bool]:
    """``output.language`` and ``output.excel``, checked."""
    output = output or {}
    try:
        lang = check_language(str(output.get("language", "en")))
    except ValueError as error:
        raise ConfigError(f"output.language = {error}", "output.language") from None
    excel = output.get("excel", False)
    if not isinstance(excel, bool):
        raise ConfigError(f"output.excel = {excel!r}: must be true or false", "output.excel")
    return lang, excel


@contextlib.contextmanager
def speaking(output: Mapping | None) -> Iterator[None]:
    """The lines a command prints, inside the block, in ``output.language``."""
    lang, _ = output_settings(output)
    with language(lang):
        yield


def write_outputs(
    out_dir: Path,
    output: Mapping | None,
    *,
    report: Callable[[], object] | None = None,
    workbook: str | None = None,
    sheets: Callable[[], Mapping[str, pd.DataFrame]] | None = None,
    names: Mapping[str, str] | None = None,
) -> None:
    """Write ``report()`` and, with ``output.excel=true``, ``workbook`` of ``sheets()``
    into ``out_dir``, everything in ``output.language``; ``names``: commune display names."""
    lang, excel = output_settings(output)
    with language(lang):
        if report is not None:
            report()
        if excel and workbook and sheets is not None:
            write_workbook(Path(out_dir) / workbook, sheets(), names)
