"""CPU seconds to build a model (no day run): ``python -m benchmarks.model_build [SCENARIO]``.

The build is what every run and every replication pays before its first day: agents,
offices, populations, the engine's arrays. Prints the median of five builds in this
process (the first, which imports and compiles, is left out) with the min-max.
"""

from __future__ import annotations

import statistics
import sys
import time

from tests.helpers import resolved


def build_seconds(scenario: str, repeats: int = 5) -> list[float]:
    from sim.abm.model import GovernanceModel

    cfg = resolved([f"scenario={scenario}"])
    times = []
    for i in range(repeats + 1):
        start = time.process_time()
        GovernanceModel(cfg["scenario"], seed=i, start_date=cfg["run"]["start_date"])
        times.append(time.process_time() - start)
    return times[1:]


def main() -> None:
    scenario = sys.argv[1] if len(sys.argv) > 1 else "province"
    times = build_seconds(scenario)
    print(
        f"{scenario}: model build {statistics.median(times):.3f} CPU s "
        f"(min {min(times):.3f}, max {max(times):.3f}, {len(times)} builds)"
    )


if __name__ == "__main__":
    main()
