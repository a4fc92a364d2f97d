"""A file of finished runs, keyed by a hash of what decides their numbers (SQLite).

``sim.api.run_many(..., store=PATH)`` keeps each run's summary here as soon as it
finishes; a later call with the same store takes finished runs from it instead of
running them again, so an interrupted batch resumes where it stopped. Only the calling
process writes (workers send their results back), so there is one writer at a time.
The key covers the composed configs (scenario, policies, costs), the parameters and the
run settings, not the code: a store belongs to one version of the model.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from sim.runs.schema import code_version

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    key TEXT PRIMARY KEY,
    spec TEXT NOT NULL,
    summary TEXT NOT NULL,
    code_version TEXT NOT NULL
)
"""


class RunStore:
    """Finished runs in one SQLite file: ``get`` by key, ``put`` as runs finish."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._db = sqlite3.connect(self.path)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute(SCHEMA)
            self._db.commit()
        except sqlite3.DatabaseError as error:
            raise ValueError(
                f"store {self.path}: not a run store ({error}); give a new file name"
            ) from None

    def get_many(self, keys: list[str]) -> dict[str, dict]:
        """The stored summaries of those keys that are in the store."""
        found: dict[str, dict] = {}
        wanted = sorted(set(keys))
        for start in range(0, len(wanted), 500):
            part = wanted[start : start + 500]
            rows = self._db.execute(
                f"SELECT key, summary FROM runs WHERE key IN ({','.join('?' * len(part))})",
                part,
            )
            found.update((key, json.loads(text)) for key, text in rows)
        return found

    def put(self, key: str, spec: dict, summary: dict) -> None:
        """Keep one finished run (committed at once: an interruption keeps it)."""
        self._db.execute(
            "INSERT OR REPLACE INTO runs VALUES (?, ?, ?, ?)",
            (key, json.dumps(spec, sort_keys=True), json.dumps(summary), code_version()),
        )
        self._db.commit()

    def __len__(self) -> int:
        return self._db.execute("SELECT COUNT(*) FROM runs").fetchone()[0]

    def close(self) -> None:
        self._db.close()
