"""Output regression: did this change move the model's outputs?

``python -m sim.regress`` re-runs the reference cases listed in
``results/reference/cases.yaml`` and compares them with the committed references
(``results/reference/<case>.json``) in two ways:

* **exact**: one fixed-seed run (master seed ``seed``, replication 0); every number of its
  summary must be identical up to floating-point rounding (``ROUNDING``, relative: sums
  taken in another order, or on another machine, change the last digits only). Any
  change to the model's behaviour or its random draws shows here.
* **statistical**: ``seeds`` replications; for each headline figure the mean over them
  must agree with the reference mean within a paired t-test (same seeds, common random
  numbers) at family-wise level ``ALPHA`` (Bonferroni over every figure of every case).
  A change that only reshuffles random draws passes; a real shift of a figure fails.

Exit 0 when every check holds, 1 when something moved (a table says what, by how much,
and the tolerance), 2 on a bad case file. ``--update`` rewrites the references and
prints what changed; ``--statistical-only`` skips the exact check (for changes known to
reorder random draws).
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml
from hydra import compose, initialize_config_dir
from omegaconf import OmegaConf

from sim.core.stats import flatten, half_width
from sim.core.summary import CHECKED, is_number, shown_in
from sim.runs.country import read_scenario
from sim.runs.outputs import _clean, read_json, write_json
from sim.runs.replications import run_replication
from sim.spec.config import ConfigError, RunSettings
from sim.spec.paths import CONFIG_DIR, RESULTS

REFERENCE_DIR = RESULTS / "reference"
ALPHA = 0.01  # family-wise false-alarm rate of the statistical check over all figures
STAT_FIGURES = tuple(f.key for f in shown_in(CHECKED))
MAX_ROWS = 20  # rows of the exact table shown per case, unless --all
ROUNDING = 1e-9  # relative difference that is floating-point rounding, not a change


@dataclass(frozen=True)
class Case:
    """One reference case: Hydra overrides, the exact seed, and the seeds of the stat check."""

    name: str
    overrides: tuple[str, ...]
    seed: int
    seeds: int


@dataclass
class Moved:
    """One figure that moved (or, for statistical rows, was checked)."""

    case: str
    check: str
    figure: str
    reference: float | None
    now: float | None
    tolerance: float | None  # None: exact

    @property
    def change(self) -> str:
        if not (is_number(self.reference) and is_number(self.now)):
            return (
                "appeared" if self.reference is None else "vanished" if self.now is None else "n/a"
            )
        diff = self.now - self.reference
        rel = f" ({100 * diff / abs(self.reference):+.1f}%)" if self.reference else ""
        return f"{diff:+.6g}{rel}"


def read_cases(reference_dir: Path) -> list[Case]:
    """The cases of ``cases.yaml``; errors name the file, the case and the key."""
    path = reference_dir / "cases.yaml"
    if not path.exists():
        raise ConfigError(f"{path}: not found; it lists the reference cases (see README)")
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    cases = data.get("cases")
    if not isinstance(cases, dict) or not cases:
        raise ConfigError(f"{path}: 'cases' must map case names to settings")
    result = []
    for name, item in cases.items():
        where = f"{path}: cases.{name}"
        if not isinstance(item, dict):
            raise ConfigError(f"{where} = {item!r}: must be a mapping")
        overrides = item.get("overrides", [])
        if not isinstance(overrides, list) or not all(isinstance(o, str) for o in overrides):
            raise ConfigError(f"{where}.overrides = {overrides!r}: must be a list of strings")
        seed, seeds = item.get("seed", 42), item.get("seeds", 8)
        if not isinstance(seed, int) or seed < 0:
            raise ConfigError(f"{where}.seed = {seed!r}: must be an integer >= 0")
        if not isinstance(seeds, int) or seeds < 3:
            raise ConfigError(f"{where}.seeds = {seeds!r}: must be an integer >= 3")
        result.append(Case(str(name), tuple(overrides), seed, seeds))
    return result


def run_case(case: Case, config_dir: Path, extra: list[str]) -> dict:
    """Run one case: its exact fixed-seed summary and per-seed headline figures."""
    with initialize_config_dir(config_dir=str(config_dir), version_base="1.3"):
        cfg = compose("config", overrides=[*case.overrides, *extra, f"seed={case.seed}"])
    container = OmegaConf.to_container(cfg, resolve=True)
    settings = RunSettings(container)
    spec = read_scenario(container["scenario"])
    policy_cfg = container.get("policy") or {}
    per_seed: dict[str, list] = {key: [] for key in STAT_FIGURES}
    exact = None
    for replication in range(case.seeds):
        summary, _ = run_replication(
            spec,
            policy_cfg,
            seed=settings.seed,
            replication=replication,
            days=settings.days,
            warmup_days=settings.warmup_days,
            start_date=settings.start_date,
        )
        summary = _clean(summary)
        if replication == 0:
            exact = flatten(summary)
        for key in STAT_FIGURES:
            per_seed[key].append(summary.get(key))
    statistical = {key: {"values": values} for key, values in per_seed.items()}
    return {
        "overrides": list(case.overrides),
        "seed": case.seed,
        "seeds": case.seeds,
        "exact": exact,
        "statistical": statistical,
    }


def same_to_rounding(a, b) -> bool:
    """Equal, or numbers that differ by no more than floating-point rounding."""
    if a == b:
        return True
    if is_number(a) and is_number(b) and not isinstance(a, bool) and not isinstance(b, bool):
        return abs(a - b) <= ROUNDING * max(abs(a), abs(b))
    return False


def compare_exact(case: str, ref: dict, now: dict) -> list[Moved]:
    moved = []
    for key in list(ref) + [k for k in now if k not in ref]:
        a, b = ref.get(key), now.get(key)
        if not same_to_rounding(a, b):
            moved.append(Moved(case, "exact", key, a, b, None))
    return moved


def tolerance(ref: list, now: list, checks: int) -> float | None:
    """Largest mean paired difference the t-test accepts at family-wise level ALPHA.

    Replication r of a case sees the same demand before and after a change (common
    random numbers), so differences are taken seed by seed; when a change reorders the
    random draws the pairs become independent and the test is still valid.
    """
    pairs = [(a, b) for a, b in zip(ref, now, strict=False) if is_number(a) and is_number(b)]
    if len(pairs) < 3:
        return None
    diffs = np.array([b - a for a, b in pairs], dtype=float)
    return float(half_width(diffs.std(ddof=1), len(diffs), level=1 - ALPHA / checks))


def _mean(values: list) -> float | None:
    finite = [v for v in values if is_number(v)]
    return float(np.mean(finite)) if finite else None


def compare_statistical(case: str, ref: dict, now: dict, checks: int) -> list[Moved]:
    rows = []
    for key in STAT_FIGURES:
        a = (ref.get(key) or {}).get("values") or []
        b = (now.get(key) or {}).get("values") or []
        label = f"{key} (mean of {len(b)} seeds)"
        if len(a) != len(b) or [is_number(v) for v in a] != [is_number(v) for v in b]:
            rows.append(Moved(case, "statistical", label, _mean(a), _mean(b), None))
            continue
        if not any(is_number(v) for v in b):  # no figure on either side (a desk-less case)
            rows.append(Moved(case, "statistical", label, None, None, 0.0))
            continue
        rows.append(Moved(case, "statistical", label, _mean(a), _mean(b), tolerance(a, b, checks)))
    return rows


def failed(row: Moved) -> bool:
    """An exact row always fails; a statistical row fails past its tolerance."""
    if row.check == "exact" or row.tolerance is None:
        return True
    if not (is_number(row.reference) and is_number(row.now)):
        return row.reference != row.now
    if same_to_rounding(row.reference, row.now):  # a zero-variance figure, summed anew
        return False
    return abs(row.now - row.reference) > row.tolerance * (1 + 1e-12)


def _num(value) -> str:
    return "-" if value is None else f"{value:.6g}" if isinstance(value, float) else str(value)


def format_table(rows: list[Moved], show_all: bool) -> str:
    """A fixed-width table: case, check, figure, reference, now, change, tolerance."""
    header = ("case", "check", "figure", "reference", "now", "change", "tolerance", "verdict")
    lines, shown = [], {}
    body = []
    for row in rows:
        if row.check == "exact":
            shown[row.case] = shown.get(row.case, 0) + 1
            if not show_all and shown[row.case] > MAX_ROWS:
                continue
        tol = (
            "exact"
            if row.check == "exact"
            else ("must match" if row.tolerance is None else f"±{row.tolerance:.4g}")
        )
        verdict = "MOVED" if row.check == "exact" else "DRIFT" if failed(row) else "noise"
        body.append(
            (
                row.case,
                row.check,
                row.figure,
                _num(row.reference),
                _num(row.now),
                row.change,
                tol,
                verdict,
            )
        )
    widths = [
        max(len(h), *(len(r[i]) for r in body)) if body else len(h) for i, h in enumerate(header)
    ]
    lines.append("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)))
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in body]
    for case, count in shown.items():
        if not show_all and count > MAX_ROWS:
            lines.append(
                f"  ... {case}: {count - MAX_ROWS} more exact differences (--all shows them)"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m sim.regress",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--update",
        action="store_true",
        help="rewrite the references from this code, printing what changed",
    )
    parser.add_argument(
        "--reference-dir",
        type=Path,
        default=REFERENCE_DIR,
        help="folder with cases.yaml and <case>.json (default: %(default)s)",
    )
    parser.add_argument(
        "--config-dir",
        type=Path,
        default=CONFIG_DIR,
        help="Hydra config folder (default: %(default)s)",
    )
    parser.add_argument(
        "--override",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="extra Hydra override applied to every case (repeatable)",
    )
    parser.add_argument(
        "--case", action="append", default=[], help="run only this case (repeatable)"
    )
    parser.add_argument(
        "--statistical-only",
        action="store_true",
        help="skip the exact check (for changes that reorder random draws)",
    )
    parser.add_argument("--all", action="store_true", help="show every exact difference")
    args = parser.parse_args(argv)
    try:
        cases = read_cases(args.reference_dir)
        unknown = sorted(set(args.case) - {c.name for c in cases})
        if unknown:
            raise ConfigError(
                f"--case {', '.join(unknown)}: unknown; allowed: {', '.join(c.name for c in cases)}"
            )
        cases = [c for c in cases if not args.case or c.name in args.case]
        results = {c.name: run_case(c, args.config_dir.resolve(), args.override) for c in cases}
    except Exception as error:  # noqa: BLE001 - a case that cannot run is a failure to report
        print(f"sim.regress: error: {error}", file=sys.stderr)
        return 2
    checks = max(1, len(cases) * len(STAT_FIGURES))
    rows: list[Moved] = []
    missing = []
    for case in cases:
        path = args.reference_dir / f"{case.name}.json"
        if not path.exists():
            missing.append(case.name)
            continue
        ref, now = read_json(path), results[case.name]
        same_setup = (ref.get("overrides"), ref.get("seed"), ref.get("seeds")) == (
            now["overrides"],
            now["seed"],
            now["seeds"],
        )
        if not same_setup:
            print(
                f"{case.name}: cases.yaml changed since the reference was written "
                f"(overrides/seed/seeds); run --update"
            )
            missing.append(case.name)
            continue
        if not args.statistical_only:
            rows += compare_exact(case.name, ref["exact"], json.loads(json.dumps(now["exact"])))
        rows += compare_statistical(case.name, ref["statistical"], now["statistical"], checks)
    failures = [r for r in rows if failed(r)]
    print(
        f"sim.regress: {len(cases)} case(s) from {args.reference_dir}; exact: one fixed-seed "
        f"run each; statistical: paired t-test per figure, family-wise alpha {ALPHA}"
    )
    if args.update:
        for case in cases:
            write_json(args.reference_dir / f"{case.name}.json", results[case.name])
        if failures:
            print("updated references; what changed:\n" + format_table(failures, args.all))
        for name in missing:
            print(f"{name}: reference written (there was none for these settings)")
        if not failures and not missing:
            print("updated references; nothing changed")
        return 0
    stat_rows = [r for r in rows if r.check == "statistical"]
    if failures or missing:
        if failures:
            moved = {r.case for r in failures}
            shown = [r for r in rows if failed(r) or (r.case in moved and r.reference != r.now)]
            print(format_table(shown, args.all))
            print(
                "MOVED: an exact figure differs; DRIFT: a mean moved beyond its tolerance; "
                "noise: a mean moved within it."
            )
        for name in missing:
            print(f"{name}: no reference for these settings; run python -m sim.regress --update")
        moved_cases = sorted({r.case for r in failures} | set(missing))
        print(
            f"FAILED: {len(moved_cases)} of {len(cases)} case(s) moved: "
            f"{', '.join(moved_cases)}. If the change is intended, run "
            "`python -m sim.regress --update` and commit results/reference/."
        )
        return 1
    print(
        f"ok: {len(cases)} case(s) hold ({len(stat_rows)} statistical checks; exact "
        f"{'skipped' if args.statistical_only else 'identical'})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
