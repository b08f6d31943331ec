"""Append-only record of finished (method, task, condition) scores, for exact resume.

Each line carries the fingerprint of everything that changes its method's scores (model, the
method's artifact, limits, seed, descriptions); lines with another fingerprint are ignored,
never mixed in.
"""

from __future__ import annotations

import json
import os
from pathlib import Path


class Progress:
    def __init__(self, path: Path, fingerprints: dict[str, str], resume: bool) -> None:
        self.path = path
        self.fingerprints = fingerprints  # method -> fingerprint
        self.done: dict[tuple[str, str, str], float] = {}
        self.seconds = 0.0  # scoring time of every finished condition, resumed ones included
        path.parent.mkdir(parents=True, exist_ok=True)
        if resume and path.is_file():
            for line in path.read_text(encoding="utf-8").splitlines():
                try:
                    row = json.loads(line)
                except json.JSONDecodeError:
                    continue  # a line cut short by a crash
                if row.get("fingerprint") == fingerprints.get(row.get("method")):
                    self.done[(row["method"], row["task"], row["condition"])] = row["score"]
                    self.seconds += float(row.get("seconds", 0.0))
        elif path.exists():
            path.unlink()

    def get(self, method: str, task: str, condition: str) -> float | None:
        return self.done.get((method, task, condition))

    def record(
        self, method: str, task: str, condition: str, score: float, items: int, seconds: float
    ) -> None:
        row = {"fingerprint": self.fingerprints[method], "method": method, "task": task,
               "condition": condition, "score": score, "items": items,
               "seconds": round(seconds, 2)}
        with self.path.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(row) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        self.done[(method, task, condition)] = score
        self.seconds += seconds
