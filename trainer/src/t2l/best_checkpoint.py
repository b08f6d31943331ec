"""Keep-best: the hypernetwork with the lowest validation metric a run has seen (`--keep-best`).

Numbered checkpoints rotate (`--keep-checkpoints`), so a run whose validation loss bottoms out
mid-run would lose those weights. `<out>/best` keeps them: rewritten atomically whenever an
evaluation beats every earlier one, with the metric, its value and the step recorded in the
folder's training meta (`selected_by`), so a resumed run knows what it has to beat.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

from t2l.checkpoint import CONFIG_FILE, read_hypernet_json

BEST_FOLDER = "best"


class BestCheckpoint:
    def __init__(self, run_root: Path, metric: str) -> None:
        self.folder = Path(run_root) / BEST_FOLDER
        self.metric = metric
        self.value = math.inf
        self.step: int | None = None

    def restore(self, resumed_step: int) -> None:
        """Take over the best so far of a resumed run. A best written after `resumed_step` (a
        kill between an evaluation and the next checkpoint) is from steps the resumed run
        replays exactly, so it is forgotten and found again. (A fresh run never calls this: a
        stale folder from an abandoned earlier run is simply overwritten.)"""
        if not (self.folder / CONFIG_FILE).is_file():
            return
        selected = read_hypernet_json(self.folder)["meta"]["training"].get("selected_by") or {}
        if selected.get("metric") == self.metric and selected.get("step", math.inf) <= resumed_step:
            self.value, self.step = float(selected["value"]), int(selected["step"])

    def offer(
        self, step: int, metrics: dict[str, float], save: Callable[[Path, dict], None]
    ) -> bool:
        """`save(folder, selected_by)` writes the current weights when `metrics` is a new best."""
        if self.metric not in metrics:
            raise ValueError(
                f"--keep-best {self.metric}: the evaluation logged no {self.metric} "
                f"(it logged {sorted(metrics)}); give the tasks that metric needs"
            )
        value = metrics[self.metric]
        if self.step is not None and not value < self.value:
            return False
        self.value, self.step = value, step
        save(self.folder, {"metric": self.metric, "value": value, "step": step})
        return True
