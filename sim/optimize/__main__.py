"""The Hydra app: ``python -m sim.optimize scenario=NAME optimize.budget_vnd=B ...``.

Writes ``optimize.json``, ``allocation.csv``, ``selection.json``, ``pareto.png``,
``report.html`` (and ``pareto.csv`` with two objectives) into its output folder, with the
Optuna study (``study.journal``) and the finished runs (``runs.sqlite``): running the
same command with the same ``hydra.run.dir`` resumes. Exit 0 when all went well, 2 for a
config error, 1 otherwise.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import hydra
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

from sim.optimize.app import run_optimize
from sim.reports.i18n import localize, number, t
from sim.reports.labels import label
from sim.reports.optimize_report import allocation_name
from sim.reports.outputs import speaking
from sim.runs.user_errors import one_line_errors, run_command, say
from sim.spec.config import ConfigError
from sim.spec.paths import CONFIG_DIR
from sim.studies.selection import loss

USAGE = """\
usage: python -m sim.optimize scenario=NAME optimize.budget_vnd=B [KEY=VALUE ...]

  optimize.levers=[second_staff,contract_staff,training,equipment]
  optimize.max_staff=N            seconded plus contract staff the province can spare
  optimize.objective=overdue_dossiers  (or two: [overdue_dossiers,policy_cost_vnd])
  optimize.trials=30 optimize.replications=2 optimize.final_replications=10
  optimize.storage=FILE|URL       share one study between several workers
  optimize.start_from=DIR         start from today's communes: a sim.forecast or sim.calibrate
                                  output folder (calibration.json, open_dossiers.csv, start.json)
  run.days=92 seed=42 policy.second_staff.months=6
Outputs: results/optimize/<time>_<scenario>/ (hydra.run.dir=DIR to choose; rerun to resume).
All settings: configs/optimize.yaml; README "Where should the money go".
"""


@hydra.main(version_base="1.3", config_path=str(CONFIG_DIR), config_name="optimize")
def main(cfg: DictConfig) -> None:
    out_dir = Path(HydraConfig.get().runtime.output_dir)
    logging.getLogger("MESA").setLevel(logging.WARNING)
    with one_line_errors(cfg.get("verbose", False) is True):
        try:
            container = OmegaConf.to_container(cfg, resolve=True)
        except OmegaConfBaseException as error:
            reason = str(error).splitlines()[0] if str(error) else type(error).__name__
            raise ConfigError(f"config could not be resolved: {reason}") from None
        task = HydraConfig.get().overrides.task
        days_given = any(o.lstrip("+").startswith("run.days=") for o in task)
        result = run_optimize(container, out_dir, days_given=days_given)
    with speaking(container.get("output")):
        for line in summary_lines(result, out_dir):
            say(line)


LEVER_WORDS = {  # what a lever's amount counts, in a planner's words
    "second_staff": "seconded provincial staff",
    "contract_staff": "contract staff",
    "training": "clerks trained",
    "equipment": "workstations",
}


def summary_lines(result: dict, out_dir: Path) -> list[str]:
    """What the command prints: the answer, who gets what where for how much, and
    plainly when spending nothing is as good as any allocation found."""
    best, gain, objective = result["best"], result["gain"], result["objective"]
    none = result["baselines"].get("none")
    nothing_best = not result["allocation"] or (
        none is not None
        and loss(objective, none["objective_mean"]) <= loss(objective, best["objective_mean"])
    )
    lines = []

    def one(value: float) -> str:
        return number(value, 1)

    if nothing_best:
        lines.append(
            t(
                "doing nothing is best: no allocation found beats spending nothing ({objective} "
                "{none} without spending, {best} with the best allocation found)",
                objective=label(objective),
                none=one(none["objective_mean"]),
                best=one(best["objective_mean"]),
            )
        )
    else:
        lines.append(
            t(
                "{objective}: {best} with the allocation below ({winner}; cost {cost} M VND, "
                "staff {staff}); without spending: {none}; gain over {over} {gain} (95% CI "
                "{low} to {high})",
                objective=label(objective),
                best=one(best["objective_mean"]),
                winner=allocation_name(result["winner"]),
                cost=one(best["cost_vnd"] / 1e6),
                staff=best["staff"],
                none=one(none["objective_mean"]),
                over=allocation_name(gain["over"]),
                gain=one(gain["mean"]),
                low=one(gain["ci95"][0]),
                high=one(gain["ci95"][1]),
            )
        )
        names = result.get("display_names") or {}
        for row in result["allocation"]:
            where = names.get(row["commune"], row["commune"])
            what = t(LEVER_WORDS.get(row["lever"], row["lever"].replace("_", " ")))
            field = f" ({label(row['field'])})" if row.get("field") else ""
            lines.append(
                "  "
                + t(
                    "{where}: {amount} {what}{field}, {cost} M VND",
                    where=where,
                    amount=localize(f"{row['amount']:g}"),
                    what=what,
                    field=field,
                    cost=one(row["cost_vnd"] / 1e6),
                )
            )
    lines.append(t("{seconds} s; outputs: {folder}", seconds=f"{result['seconds']:.0f}",
                   folder=out_dir))  # fmt: skip
    return lines


def cli(args: list[str] | None = None) -> int:
    args = sys.argv[1:] if args is None else args
    if "--help" in args or "-h" in args:
        print(USAGE)
        return 0
    return run_command(main, args, Path(CONFIG_DIR))


if __name__ == "__main__":
    sys.exit(cli())
