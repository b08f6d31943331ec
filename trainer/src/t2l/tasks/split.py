"""The fixed train / held-out / development split of the task library (`trainer/tasks/split.yaml`).

Development tasks are never trained on and never reported: their loss chooses checkpoints
(`t2l train-sft --keep-best dev_loss`), so that choice never looks at the held-out tasks the
evaluation reports. Like held-out tasks, they come from datasets no training task uses.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from t2l.tasks.spec import TaskSpec

SPLIT_SCHEMA = "t2l.split/v1"
MIN_HELDOUT = 8


@dataclass(frozen=True)
class TaskSplit:
    train: tuple[str, ...]
    heldout: tuple[str, ...]
    reasons: dict[str, str]  # held-out or development task -> why it is kept out of training
    never_train_datasets: tuple[str, ...]  # upstream says: evaluation only
    dev: tuple[str, ...] = ()


def parse_split(raw: Any, library: dict[str, TaskSpec], path: str = "<memory>") -> TaskSplit:
    if not isinstance(raw, dict) or raw.get("schema") != SPLIT_SCHEMA:
        raise ValueError(f"{path}: a split file is a mapping with `schema: {SPLIT_SCHEMA}`")
    known = {"schema", "train", "heldout", "dev", "never_train_datasets", "notes"}
    if unknown := sorted(set(raw) - known):
        raise ValueError(f"{path}: unknown key(s) {unknown}")
    train = tuple(raw.get("train") or ())
    heldout_reasons, dev_reasons = (_reasons(raw, key, path) for key in ("heldout", "dev"))
    split = TaskSplit(
        train,
        tuple(heldout_reasons),
        {**heldout_reasons, **dev_reasons},
        tuple(raw.get("never_train_datasets") or ()),
        tuple(dev_reasons),
    )
    validate_split(split, library, path)
    return split


def _reasons(raw: dict, key: str, path: str) -> dict[str, str]:
    entries = raw.get(key) or []
    if not all(isinstance(e, dict) and set(e) == {"name", "reason"} for e in entries):
        raise ValueError(f"{path}: each {key} entry is {{name: ..., reason: ...}}")
    names = [e["name"] for e in entries]
    if len(set(names)) != len(names):
        raise ValueError(f"{path}: {key} lists a task twice")
    return {e["name"]: str(e["reason"]) for e in entries}


def validate_split(split: TaskSplit, library: dict[str, TaskSpec], path: str) -> None:
    for name in (*split.train, *split.heldout, *split.dev):
        if name not in library:
            raise ValueError(f"{path}: task {name!r} has no spec in the task library")
    if len(set(split.train)) != len(split.train):
        raise ValueError(f"{path}: train lists a task twice")
    for (group_a, a), (group_b, b) in (
        (("train", split.train), ("held-out", split.heldout)),
        (("train", split.train), ("development", split.dev)),
        (("held-out", split.heldout), ("development", split.dev)),
    ):
        if both := sorted(set(a) & set(b)):
            raise ValueError(f"{path}: {both} are both {group_a} and {group_b}")
    if len(split.heldout) < MIN_HELDOUT:
        raise ValueError(f"{path}: {len(split.heldout)} held-out tasks; need >= {MIN_HELDOUT}")
    untrainable = [n for n in split.train if not library[n].trainable]
    if untrainable:
        raise ValueError(f"{path}: train tasks {untrainable} have no split.train in their spec")
    train_datasets = {library[n].source.dataset: n for n in split.train}
    for kind, names in (("held-out", split.heldout), ("development", split.dev)):
        for name in names:
            dataset = library[name].source.dataset
            if dataset in train_datasets:
                raise ValueError(
                    f"{path}: {kind} task {name} comes from dataset {dataset!r}, which the "
                    f"training task {train_datasets[dataset]} also uses"
                )
    for dataset in split.never_train_datasets:
        if dataset in train_datasets:
            raise ValueError(
                f"{path}: dataset {dataset!r} is evaluation-only but training task "
                f"{train_datasets[dataset]} uses it"
            )
        trainable = [n for n, s in library.items() if s.source.dataset == dataset and s.trainable]
        if trainable:
            raise ValueError(f"{path}: {trainable} set split.train on evaluation-only {dataset!r}")


def load_split(path: str | Path, library: dict[str, TaskSpec]) -> TaskSplit:
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"--split {path} does not exist")
    return parse_split(yaml.safe_load(path.read_text(encoding="utf-8")), library, str(path))
