"""The Hydra app ``python -m sim.validate``: does the model reproduce the published figures?

Runs the model for every figure of ``validate.figures`` (default
``sim/configs/validation.yaml``: the field reports' statements, national and provincial
figures), each run once and shared by the figures it serves, and writes into its output
folder ``validation.csv`` and ``validation.md`` (figure, unit, period, place, source,
scenario, published value, the model's mean and replication interval, tolerance,
holds: yes / no / not comparable). It prints one line per figure and a count, and exits
0 even when figures fail: it reports. ``validate.strict=true`` exits 1 when one fails;
``validate.only=[id,...]`` checks a subset; ``validate.write_docs=true`` also rewrites
``docs/VALIDATION.md`` (the whole list) so that the page never drifts from the command.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import hydra
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig, ListConfig, OmegaConf

from sim import CHECKOUT
from sim.reports.i18n import t
from sim.reports.outputs import output_settings, speaking, write_outputs
from sim.reports.validation_report import (
    count_line,
    running_line,
    terminal_line,
    validation_sheets,
    write_csv,
    write_docs,
    write_report,
)
from sim.runs.published_figures import FIGURES_FILE, read_figures, select
from sim.runs.schema import code_version
from sim.runs.user_errors import USER_ERROR, one_line_errors, run_command, say
from sim.runs.validation import FAILS, validate
from sim.spec.config import ConfigError
from sim.spec.paths import CONFIG_DIR

KEYS = {"figures", "only", "strict", "write_docs"}
STARTED = {"main": False}  # Hydra composed the config: an exit 1 after this is a verdict


def _flag(settings: DictConfig, key: str) -> bool:
    value = settings[key]
    if not isinstance(value, bool):
        raise ConfigError(f"validate.{key} = {value!r}: must be true or false", f"validate.{key}")
    return value


def setting_problem(args: list[str]) -> str | None:
    """One line for a ``key=value`` whose key this command does not have."""
    own = OmegaConf.load(CONFIG_DIR / "validate.yaml")
    known = sorted(
        f"{k}.{sub}" if isinstance(v, dict) else k
        for k, v in OmegaConf.to_container(own).items()
        if k != "hydra"
        for sub in (v if isinstance(v, dict) else [None])
    )
    for arg in args:
        if "=" not in arg or arg.startswith(("-", "+", "~", "hydra.", "hydra/")):
            continue
        key = arg.split("=", 1)[0]
        if key in ("scenario", "policy") or key.startswith(("scenario.", "policy.", "run.")):
            return (
                f"{arg}: sim.validate runs the scenarios its figures name (runs in "
                "sim/configs/validation.yaml); to check other runs, copy that file, change "
                "its runs and pass validate.figures=FILE"
            )
        if OmegaConf.select(own, key, default=None) is None and key not in known:
            return f"{arg}: sim.validate has no setting {key}; known: {', '.join(known)}"
    return None


def run_validation(cfg: DictConfig, out_dir: Path) -> bool:
    """Check the figures ``cfg.validate`` asks for; write the files; True when all hold."""
    started = time.perf_counter()
    settings = cfg.validate
    unknown = sorted(set(settings) - KEYS)
    if unknown:
        raise ConfigError(f"validate.{unknown[0]}: unknown key; known: {', '.join(sorted(KEYS))}")
    strict, docs = _flag(settings, "strict"), _flag(settings, "write_docs")
    output_settings(cfg.get("output"))  # a bad output.language stops before the runs
    seed = cfg.seed
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ConfigError(f"seed = {seed!r}: must be an integer >= 0", "seed")
    only = settings.only
    if isinstance(only, str):
        only = [only]
    elif isinstance(only, ListConfig):
        only = OmegaConf.to_container(only)
    elif only is not None:
        raise ConfigError(
            f"validate.only = {only!r}: a list of figure ids, e.g. "
            "validate.only=[national_online_share]",
            "validate.only",
        )
    if docs and only:
        raise ConfigError(
            "validate.write_docs=true writes the whole list: drop validate.only", "validate.only"
        )
    if docs and CHECKOUT is None:
        raise ConfigError(
            "validate.write_docs=true rewrites docs/VALIDATION.md of a checkout; run it "
            "from the project's repository",
            "validate.write_docs",
        )
    runs, figures = read_figures(Path(settings.figures) if settings.figures else FIGURES_FILE)
    figures = select(figures, only)
    output = cfg.get("output")
    with speaking(output):  # the terminal's lines in output.language
        verdicts = validate(runs, figures, seed, on_run=lambda run: say(running_line(run)))
    out_dir.mkdir(parents=True, exist_ok=True)
    write_csv(out_dir / "validation.csv", verdicts, runs)  # keys and words in English
    seconds = time.perf_counter() - started
    write_outputs(
        out_dir,
        output,
        report=lambda: write_report(out_dir / "validation.md", verdicts, runs, seed, seconds),
        workbook="validation.xlsx",
        sheets=lambda: validation_sheets(verdicts, runs),
    )
    docs_file = CHECKOUT / "docs" / "VALIDATION.md" if docs else None
    if docs_file is not None:
        write_docs(docs_file, verdicts, runs, seed, code_version())
    with speaking(output):
        for verdict in verdicts:
            say(terminal_line(verdict))
        say(count_line(verdicts))
        if docs_file is not None:
            say("  " + t("rewrote {path}", path=docs_file))
        say("  " + t("outputs: {folder}", folder=out_dir))
    return not (strict and any(v.holds == FAILS for v in verdicts))


@hydra.main(version_base="1.3", config_path=str(CONFIG_DIR), config_name="validate")
def main(cfg: DictConfig) -> None:
    STARTED["main"] = True
    out_dir = Path(HydraConfig.get().runtime.output_dir)
    with one_line_errors(cfg.get("verbose", False) is True):
        passed = run_validation(cfg, out_dir)
    if not passed:
        sys.exit(1)


def cli(args: list[str] | None = None) -> int:
    """Entry point: 0 when it ran (1 with validate.strict=true and a figure that fails),
    2 for a user's error."""
    STARTED["main"] = False
    args = sys.argv[1:] if args is None else args
    problem = setting_problem(args)
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return USER_ERROR
    return run_command(main, args, CONFIG_DIR, started=lambda: STARTED["main"])


if __name__ == "__main__":
    sys.exit(cli())
