"""Append-only record of finished (method, task, condition) scores, for exact resume.

Each line carries the fingerprint of everything that changes its scores (model, the method's
artifact, limits, seed, descriptions, the task's spec); lines with another fingerprint are ignored,
never mixed in. A line holds every item's score too (`item_scores`, in item order), which the
confidence intervals of the quality bar resample, and for multiple choice the option each item
was given (`item_choices`, `t2l.eval.choice_balance`); lines written before either was kept lack
it.
"""

from __future__ import annotations

import json
import os
import statistics
from pathlib import Path


class Progress:
    def __init__(
        self, path: Path, fingerprints: dict[tuple[str, str], str], resume: bool
    ) -> None:
        self.path = path
        self.fingerprints = fingerprints  # (method, task) -> fingerprint
        self.done: dict[tuple[str, str, str], float] = {}
        self.items: dict[tuple[str, str, str], list[float]] = {}
        self.choices: dict[tuple[str, str, str], list[int]] = {}
        self.seconds = 0.0  # scoring time of every finished condition, resumed ones included
        path.parent.mkdir(parents=True, exist_ok=True)
        if resume and path.is_file():
            for line in path.read_text(encoding="utf-8").splitlines():
                try:
                    row = json.loads(line)
                except json.JSONDecodeError:
                    continue  # a line cut short by a crash
                if row.get("fingerprint") == fingerprints.get((row.get("method"), row.get("task"))):
                    key = (row["method"], row["task"], row["condition"])
                    self.done[key] = row["score"]
                    if "item_scores" in row:
                        self.items[key] = row["item_scores"]
                    if "item_choices" in row:
                        self.choices[key] = row["item_choices"]
                    self.seconds += float(row.get("seconds", 0.0))
        elif path.exists():
            path.unlink()

    def get(self, method: str, task: str, condition: str) -> float | None:
        return self.done.get((method, task, condition))

    def item_scores(self, method: str, task: str, condition: str) -> list[float] | None:
        return self.items.get((method, task, condition))

    def item_choices(self, method: str, task: str, condition: str) -> list[int] | None:
        return self.choices.get((method, task, condition))

    def record(
        self, method: str, task: str, condition: str, item_scores: list[float], seconds: float,
        item_choices: list[int] | None = None,
    ) -> float:
        """Appends the condition's line; -> its score (the mean over items, 0 for none)."""
        score = statistics.fmean(item_scores) if item_scores else 0.0
        row = {"fingerprint": self.fingerprints[(method, task)], "method": method, "task": task,
               "condition": condition, "score": score, "items": len(item_scores),
               "seconds": round(seconds, 2), "item_scores": item_scores}
        if item_choices is not None:
            row["item_choices"] = item_choices
        with self.path.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(row) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        self.done[(method, task, condition)] = score
        self.items[(method, task, condition)] = item_scores
        if item_choices is not None:
            self.choices[(method, task, condition)] = item_choices
        self.seconds += seconds
        return score
