"""A training run's output folder: resolved config, JSONL metrics, numbered checkpoints.

    <out>/config.json                 resolved config + schema
    <out>/metrics.jsonl               one JSON object per logged event
    <out>/checkpoints/step-00000100/  weights + config.json + trainer_state.{pt,json}

Checkpoints are written to a staging folder and renamed into place, so a kill at any moment
leaves the previous checkpoint intact; `resume` picks the newest complete one.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from tqdm import tqdm

from t2l.atomic_file import write_text_atomically
from t2l.checkpoint import replace_directory

RUN_SCHEMA = "t2l.run/v1"
CONFIG_FILE = "config.json"
METRICS_FILE = "metrics.jsonl"
# Keys that may change between a run and its resume without changing what is computed.
RUN_CONTROL_KEYS = frozenset({"resume", "stop_at_step", "out_dir"})


class RunDir:
    def __init__(
        self, root: str | Path, recipe: str, config: dict, defaults: dict | None = None
    ) -> None:
        """`defaults`: each field's default, so a run saved before a field existed resumes as
        long as the field keeps the default (the behaviour the run was trained with)."""
        self.root = Path(root)
        self.recipe = recipe
        self.config = config
        self.defaults = defaults or {}
        self.checkpoints = self.root / "checkpoints"
        self.progress: tqdm | None = None

    def start(self, resume: bool) -> Path | None:
        """Check the folder against `resume`, save the config; -> checkpoint to resume from."""
        latest = self.latest_checkpoint()
        if latest is not None and not resume:
            raise ValueError(
                f"--out-dir {self.root} already holds checkpoints; pass --resume true "
                "to continue that run or choose a new --out-dir"
            )
        if latest is not None:
            saved = json.loads((self.root / CONFIG_FILE).read_text())["config"]
            saved = {**self.defaults, **saved}
            changed = sorted(
                k
                for k in set(saved) | set(self.config)
                if k not in RUN_CONTROL_KEYS and saved.get(k) != self.config.get(k)
            )
            if changed:
                raise ValueError(
                    f"cannot resume {self.root}: config differs in "
                    f"{['--' + k.replace('_', '-') for k in changed]}"
                )
        self.root.mkdir(parents=True, exist_ok=True)
        for stale in self.checkpoints.glob(".staging-*"):  # a kill during a checkpoint write
            shutil.rmtree(stale, ignore_errors=True)
        self.write_config(self.root)
        return latest

    def write_config(self, directory: Path) -> None:
        document = {"schema": RUN_SCHEMA, "recipe": self.recipe, "config": self.config}
        (directory / CONFIG_FILE).write_text(json.dumps(document, indent=2) + "\n")

    def latest_checkpoint(self) -> Path | None:
        steps = sorted(self.checkpoints.glob("step-*")) if self.checkpoints.is_dir() else []
        return steps[-1] if steps else None

    def save_checkpoint(self, step: int, write: Callable[[Path], None], keep: int) -> Path:
        """`write(folder)` fills a staging folder that then atomically becomes step-NNNNNNNN."""
        self.checkpoints.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=self.checkpoints))
        try:
            write(staging)
            self.write_config(staging)
            target = self.checkpoints / f"step-{step:08d}"
            replace_directory(staging, target)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        for old in sorted(self.checkpoints.glob("step-*"))[:-keep]:
            shutil.rmtree(old)
        return target

    def log_train_step(self, step: int, logged: dict, total_steps: int) -> None:
        """Metrics line plus the progress bar."""
        self.log({"step": step, "split": "train", **logged})
        if self.progress is None:
            self.progress = tqdm(total=total_steps, initial=step - 1, desc=self.recipe, unit="step")
        self.progress.update(1)
        self.progress.set_postfix(loss=f"{logged['loss']:.4f}")

    def finish(self, step: int, total_steps: int) -> Path | None:
        """Close the progress bar; -> None when the run is complete, else its last checkpoint
        (a run stopped early: the checkpoint is the result so far)."""
        if self.progress is not None:
            self.progress.close()
        return None if step >= total_steps else self.latest_checkpoint()

    def log(self, record: dict) -> None:
        with open(self.root / METRICS_FILE, "a") as handle:
            handle.write(json.dumps({**record, "time": round(time.time(), 3)}) + "\n")

    def rewind_metrics(self, step: int) -> None:
        """Drop metrics logged after `step` (a resumed run logs those steps again)."""
        path = self.root / METRICS_FILE
        if not path.is_file():
            return
        kept = [
            line
            for line in path.read_text().splitlines()
            if _complete_record(line) and json.loads(line).get("step", 0) <= step
        ]
        write_text_atomically(path, "".join(line + "\n" for line in kept))


def read_metrics(root: str | Path) -> list[dict]:
    path = Path(root) / METRICS_FILE
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def validation_losses_at(root: str | Path, step: int) -> dict[str, float] | None:
    """The losses a run logged when it validated at `step` (None if it did not)."""
    for row in read_metrics(root):
        if row.get("step") == step and row.get("split") == "val":
            return {k: v for k, v in row.items() if k.endswith("_loss")}
    return None


def _complete_record(line: str) -> bool:
    """False for a blank line or one torn by a kill in the middle of a write."""
    try:
        return isinstance(json.loads(line), dict)
    except json.JSONDecodeError:
        return False
