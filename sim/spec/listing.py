"""What there is to run, one line each, and where to start (``python -m sim.info``).

Lists the scenarios, policies and studies shipped in ``configs/`` with the first
sentence of each config's leading comment, the commands (``COMMANDS``), and the path of
the communes CSV template.
The descriptions live beside the configs, so a new config shows up here by itself.
"""

from __future__ import annotations

import re
from pathlib import Path

from sim.spec.paths import CONFIG_DIR

CONFIGS = CONFIG_DIR
TEMPLATE = CONFIGS / "communes" / "template.csv"
COMMANDS = (
    ("sim.run", "one run; a study with -m +experiment=NAME (README 'First hour')"),
    ("sim.analysis DIR", "compare the jobs of a sweep folder again (comparison.csv, report)"),
    ("sim.intake", "a one-stop shop's dossier log in (README 'Bring your dossier log')"),
    ("sim.calibrate", "fit a scenario to your history.csv (README 'Forecast from your own data')"),
    ("sim.forecast", "a calibrated forecast with intervals from your history and open dossiers"),
    (
        "sim.backtest",
        "how each forecasting method did on your history's past (rolling backtest, verdict)",
    ),
    ("sim.sensitivity", "which assumptions move an answer (README 'What the answers depend on')"),
    ("sim.optimize", "where a budget goes across communes (README 'Where should the money go')"),
    (
        "sim.thresholds",
        "which values would reverse a study's verdicts (README 'What would change')",
    ),
    ("sim.regress", "did a change move the model's outputs? (results/reference/)"),
    ("sim.validate", "which published figures the model reproduces (docs/VALIDATION.md)"),
    ("sim.info", "this list"),
)
GROUPS = (
    ("Scenarios", "scenario", "python -m sim.run scenario={name}"),
    ("Policies", "policy", "python -m sim.run policy=[{name}]"),
    ("Studies", "experiment", "python -m sim.run -m +experiment={name}"),
)


def describe(config: Path) -> str:
    """First sentence of a config's leading comment (``@package`` lines skipped)."""
    lines = []
    for line in config.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        text = line.lstrip("#").strip()
        if not text.startswith("@package"):
            lines.append(text)
    text = re.sub(r"\s*\([^()]*\.md\b[^()]*\)", "", " ".join(lines))  # source notes
    text = re.split(r"(?<=[.?])\s", text, maxsplit=1)[0].strip()
    return text.replace("`", "") or "(no description)"


def entries(group: str) -> list[tuple[str, str]]:
    """(name, description) of every config of a group, sorted; ``_shared`` files left out."""
    return [
        (path.stem, describe(path))
        for path in sorted((CONFIGS / group).glob("*.yaml"))
        if not path.stem.startswith("_")
    ]


def listing() -> str:
    """The whole text ``python -m sim.info`` prints."""
    out = []
    for title, group, example in GROUPS:
        items = entries(group)
        name_width = max(len(name) for name, _ in items) + 2
        out.append(f"{title} ({example.format(name='NAME')}):")
        out += [f"  {name:<{name_width}}{text}" for name, text in items]
        out.append("")
    out.append("Commands (python -m NAME --help for each):")
    width = max(len(name) for name, _ in COMMANDS) + 2
    out += [f"  python -m {name:<{width}}{text}" for name, text in COMMANDS]
    out.append("")
    out.append("Your own communes: copy the template, one row per commune, then run")
    out.append(f"  {TEMPLATE}")
    out.append("  python -m sim.run scenario=lang_son_wards scenario.communes_file=PATH")
    out.append("Columns and rules: README.md, 'Bring your own communes'.")
    return "\n".join(out)
