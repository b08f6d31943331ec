"""A training run's `metrics.jsonl`, read back: its start event, train lines and val lines."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class MetricsLog:
    start: dict  # the `"event": "start"` record: parameter counts, targets, library
    train: list[dict]  # {"step", "split": "train", "loss", "grad_norm", "lr", "time"}
    val: list[dict]  # {"step", "split": "val", "val_loss", ["heldout_loss"], "time"}
    events: list[dict] = field(default_factory=list)  # other events, e.g. `best` (--keep-best)

    @property
    def wall_s(self) -> float:
        """Start event to the last record: the run's span (a resumed run includes its pause)."""
        last = max((r["time"] for r in (*self.train, *self.val)), default=self.start["time"])
        return last - self.start["time"]


def read_metrics(run_dir: Path, hint: str) -> MetricsLog:
    """`hint` says how to produce the run when its metrics are missing (it ends the error)."""
    path = run_dir / "metrics.jsonl"
    if not path.is_file():
        raise ValueError(f"{path} is missing; {hint}")
    lines = path.read_text(encoding="utf-8").split("\n")
    # Each record is written with its newline in one call: text after the last newline is a
    # record cut short by a kill (the pipeline kills jobs at their deadline), not a bad line.
    lines.pop()
    start, train, val, events = None, [], [], []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as err:
            raise ValueError(f"{path}:{number} is not valid JSON ({err}); fix or remove the "
                             "line") from err
        if record.get("event") == "start":
            start = record
        elif record.get("split") == "train":
            train.append(record)
        elif record.get("split") == "val":
            val.append(record)
        elif "event" in record:
            events.append(record)
    if start is None:
        raise ValueError(f"{path} has no start event (a run's first line); {hint}")
    return MetricsLog(start=start, train=train, val=val, events=events)


def read_json_object(path: Path, hint: str) -> dict:
    """A JSON object from `path`; a missing, broken or non-object file names itself and `hint`."""
    if not path.is_file():
        raise ValueError(f"{path} is missing; {hint}")
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as err:
        raise ValueError(f"{path} is not valid JSON ({err}); {hint}") from err
    if not isinstance(document, dict):
        raise ValueError(f"{path} is not a JSON object; {hint}")
    return document


def read_run_config(run_dir: Path, hint: str) -> dict:
    """The resolved config a recipe saved in `<run>/config.json` (its `config` member)."""
    path = run_dir / "config.json"
    document = read_json_object(path, hint)
    if not isinstance(document.get("config"), dict):
        raise ValueError(f"{path} has no `config` object; {hint}")
    return document["config"]
