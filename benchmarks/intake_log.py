"""The ``intake`` section of ``python -m benchmarks``: a province-year dossier log read
by ``python -m sim.intake``.

``write_log`` writes a synthetic export of N rows (numpy, seeded; not the model): the
province scenario's communes with unit prefixes, fields by their catalogue names,
date-times in three formats mixed in each column, a title line, ``;`` separators,
UTF-8 with a byte-order mark. ``python -m benchmarks.intake_log N`` writes one and runs
the command on it once, printing the measures.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from benchmarks.measure import run_command
from benchmarks.table import Row

LOG_ROWS = 300_000  # a province-year: about 65 communes x 250 working days x 18 a day
LOG_WALL_S = 60  # the issue: "well under a minute"
LOG_RSS_MB = 500  # the issue: "a few hundred MB"
FIELD_NAMES = ("Chứng thực", "Hộ tịch", "Đất đai", "Xây dựng", "Hộ kinh doanh", "Bảo trợ xã hội")
HEADER = ("STT;Mã hồ sơ;Tên thủ tục hành chính;Lĩnh vực;Đơn vị tiếp nhận;Hình thức nộp;"
          "Ngày tiếp nhận;Ngày hẹn trả;Ngày có kết quả;Ngày trả kết quả;Trạng thái")  # fmt: skip
FORMATS = ("%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S", "%Y-%m-%d %H:%M:%S")


def _communes() -> list[str]:
    from hydra import compose, initialize_config_dir

    from sim.spec.scenario import ScenarioSpec

    config = str(Path(__file__).resolve().parent.parent / "configs")
    with initialize_config_dir(config_dir=config, version_base="1.3"):
        cfg = compose("config", overrides=["scenario=province"])
    from omegaconf import OmegaConf

    spec = ScenarioSpec.read(OmegaConf.to_container(cfg, resolve=True)["scenario"])
    return [c.name for c in spec.communes]


def _mixed(values: pd.Series, rng: np.random.Generator) -> pd.Series:
    """Each date-time in one of FORMATS, chosen row by row; NaT as empty."""
    style = rng.integers(0, len(FORMATS), len(values))
    out = pd.Series("", index=values.index, dtype=object)
    for k, fmt in enumerate(FORMATS):
        mask = (style == k) & values.notna().to_numpy()
        out[mask] = values[mask].dt.strftime(fmt)
    return out


def write_log(path: Path, rows: int, communes: list[str], seed: int = 1) -> Path:
    rng = np.random.default_rng(seed)
    start = np.datetime64("2025-07-01T00:00")
    day = rng.integers(0, 365, rows)
    minutes = rng.integers(7 * 60 + 30, 17 * 60, rows)
    received = pd.Series(start + day * np.timedelta64(1, "D") + minutes * np.timedelta64(1, "m"))
    taken = rng.exponential(3.0, rows) * np.timedelta64(1, "D")
    resolved = received + pd.to_timedelta(taken)
    end = start + np.timedelta64(365, "D")
    resolved = resolved.where(resolved < end)
    due = (received + pd.to_timedelta(rng.integers(1, 15, rows), unit="D")).dt.normalize()
    frame = pd.DataFrame(
        {
            "n": np.arange(1, rows + 1),
            "id": [f"HS{k:07d}" for k in range(rows)],
            "procedure": "Thủ tục " + pd.Series(rng.integers(0, 120, rows)).astype(str),
            "field": np.array(FIELD_NAMES)[rng.integers(0, len(FIELD_NAMES), rows)],
            "commune": "UBND xã " + np.array(communes)[rng.integers(0, len(communes), rows)],
            "channel": np.where(rng.random(rows) < 0.7, "Trực tuyến", "Trực tiếp"),
            "received": _mixed(received, rng),
            "due": due.dt.strftime("%d/%m/%Y"),
            "resolved": _mixed(resolved, rng),
            "returned": _mixed(resolved, rng),
            "status": np.where(resolved.notna(), "Đã trả kết quả", "Đang xử lý"),
        }
    )
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        handle.write("SỔ THEO DÕI HỒ SƠ\r\n" + HEADER + "\r\n")
        frame.to_csv(handle, sep=";", header=False, index=False, lineterminator="\r\n")
    return path


def measure(rows: int) -> dict:
    """Write a log of ``rows`` rows and time ``python -m sim.intake`` on it."""
    with tempfile.TemporaryDirectory() as tmp:
        log = write_log(Path(tmp) / "log.csv", rows, _communes())
        command = [sys.executable, "-m", "sim.intake", f"intake.log={log}", "scenario=province",
                   f"hydra.run.dir={Path(tmp) / 'out'}"]  # fmt: skip
        measures, out = run_command(command)
    measures["last_line"] = out.strip().splitlines()[-1]
    return measures


def intake_rows(runs: int, rows: int) -> list[Row]:
    results = []
    for i in range(runs):
        results.append(measure(rows))
        print(f"  python -m sim.intake ({rows:,} rows) run {i + 1}/{runs}: "
              f"{results[-1]['elapsed_s']:.1f} s", file=sys.stderr)  # fmt: skip
    walls = [r["elapsed_s"] for r in results]
    memory = [r["peak_rss_mb"] for r in results]
    cpu = [r["cpu_s"] for r in results]
    group = f"dossier log ({rows:,} rows, CSV)"
    return [
        Row(group, "wall s of `python -m sim.intake scenario=province` (imports, report "
            "and every output included; grows with the machine's load)", walls, "{:.1f}"),
        Row(group, "CPU s of the command (its wall s on a quiet machine)", cpu, "{:.1f}",
            f"< {LOG_WALL_S} s", max(cpu) < LOG_WALL_S),
        Row(group, "peak RSS MB of the command", memory, "{:,.0f}", f"< {LOG_RSS_MB} MB",
            max(memory) < LOG_RSS_MB),
    ]  # fmt: skip


if __name__ == "__main__":
    print(measure(int(sys.argv[1]) if len(sys.argv) > 1 else LOG_ROWS))
