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
from sim.runs.user_errors import one_line_errors, run_command
from sim.spec.config import ConfigError

CONFIG_DIR = str(Path(__file__).resolve().parent.parent.parent / "configs")
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


@hydra.main(version_base="1.3", config_path=CONFIG_DIR, config_name="optimize")
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
    best = result["best"]
    gain = result["gain"]
    print(
        f"{result['objective']}: {best['objective_mean']:.1f} with {result['winner']} "
        f"(cost {best['cost_vnd'] / 1e6:,.1f} M VND, staff {best['staff']}); gain over "
        f"{gain['over']} {gain['mean']:.1f} (95% CI {gain['ci95'][0]:.1f} to "
        f"{gain['ci95'][1]:.1f}); {result['seconds']:.0f} s\noutputs: {out_dir}"
    )


def cli(args: list[str] | None = None) -> int:
    args = sys.argv[1:] if args is None else args
    if "--help" in args or "-h" in args:
        print(USAGE)
        return 0
    return run_command(main, args, Path(CONFIG_DIR))


if __name__ == "__main__":
    sys.exit(cli())
