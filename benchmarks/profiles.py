"""Where the time goes: cProfile of a province run and of the M/M/c run.

The tables name the functions with the most time of their own (``tottime``), so a
missed target can be read against them. Profiling slows Python code down by about 2x,
so the shares matter here, not the seconds. Compiled code (Numba) shows as the one
Python call that enters it: its time is that call's own time.
"""

from __future__ import annotations

import cProfile
import io
import logging
import pstats

from benchmarks.tasks import ARRIVAL_RATE, SERVERS, SERVICE_RATE, compose_config

TOP = 15


def _profile(overrides: list[str], days: int) -> tuple[pstats.Stats, float]:
    from sim.abm.model import GovernanceModel

    logging.getLogger("MESA").setLevel(logging.WARNING)
    cfg = compose_config(overrides)
    # a first one-day run pays for compiling or loading compiled code, outside the profile
    GovernanceModel(cfg["scenario"], seed=1, start_date=cfg["run"]["start_date"]).run(1)
    model = GovernanceModel(cfg["scenario"], seed=1, start_date=cfg["run"]["start_date"])
    profiler = cProfile.Profile()
    profiler.enable()
    model.run(days)
    profiler.disable()
    stats = pstats.Stats(profiler)
    return stats, model.metrics.total.created


def _table(title: str, stats: pstats.Stats, dossiers: int) -> str:
    total = stats.total_tt
    rows = sorted(stats.stats.items(), key=lambda item: -item[1][2])[:TOP]
    lines = [
        f"### {title}",
        "",
        f"{dossiers:,} dossiers; {total:.2f} s under the profiler "
        f"({1e6 * total / max(dossiers, 1):.1f} microseconds per dossier).",
        "",
        "| function | calls | own s | share |",
        "|---|---|---|---|",
    ]
    for (path, line, name), (_, calls, own, _, _) in rows:
        where = path.split("/sim/")[-1] if "/sim/" in path else path.rsplit("/", 1)[-1]
        lines.append(f"| `{where}:{line} {name}` | {calls:,} | {own:.2f} | {own / total:.0%} |")
    return "\n".join(lines)


def profile_table(days: int = 60, mmc_days: int = 500) -> str:
    """Markdown tables of the top functions of a province run and an M/M/c run."""
    province, n_province = _profile(["scenario=province"], days)
    mmc, n_mmc = _profile(
        [
            "scenario=mmc",
            f"scenario.arrival_rate_per_hour={ARRIVAL_RATE}",
            f"scenario.servers={SERVERS}",
            f"scenario.service_rate_per_hour={SERVICE_RATE}",
        ],
        mmc_days,
    )
    out = io.StringIO()
    out.write("## Profiles (cProfile, functions by own time)\n\n")
    out.write(_table(f"province, {days} days", province, n_province) + "\n\n")
    out.write(_table(f"M/M/{SERVERS}, {mmc_days} days", mmc, n_mmc) + "\n")
    return out.getvalue()
