"""The fixed train / held-out split of the task library (`trainer/tasks/split.yaml`)."""

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
    reasons: dict[str, str]  # held-out task -> why it is held out
    never_train_datasets: tuple[str, ...]  # upstream says: evaluation only


def parse_split(raw: Any, library: dict[str, TaskSpec], path: str = "<memory>") -> TaskSplit:
    if not isinstance(raw, dict) or raw.get("schema") != SPLIT_SCHEMA:
        raise ValueError(f"{path}: a split file is a mapping with `schema: {SPLIT_SCHEMA}`")
    unknown = sorted(set(raw) - {"schema", "train", "heldout", "never_train_datasets", "notes"})
    if unknown:
        raise ValueError(f"{path}: unknown key(s) {unknown}")
    train = tuple(raw.get("train") or ())
    heldout_entries = raw.get("heldout") or []
    if not all(isinstance(e, dict) and set(e) == {"name", "reason"} for e in heldout_entries):
        raise ValueError(f"{path}: each heldout entry is {{name: ..., reason: ...}}")
    reasons = {e["name"]: str(e["reason"]) for e in heldout_entries}
    heldout = tuple(reasons)
    split = TaskSplit(train, heldout, reasons, tuple(raw.get("never_train_datasets") or ()))
    validate_split(split, library, path)
    return split


def validate_split(split: TaskSplit, library: dict[str, TaskSpec], path: str) -> None:
    for name in (*split.train, *split.heldout):
        if name not in library:
            raise ValueError(f"{path}: task {name!r} has no spec in the task library")
    for group, names in (("train", split.train), ("heldout", split.heldout)):
        if len(set(names)) != len(names):
            raise ValueError(f"{path}: {group} lists a task twice")
    both = sorted(set(split.train) & set(split.heldout))
    if both:
        raise ValueError(f"{path}: {both} are both train and held-out")
    if len(split.heldout) < MIN_HELDOUT:
        raise ValueError(f"{path}: {len(split.heldout)} held-out tasks; need >= {MIN_HELDOUT}")
    untrainable = [n for n in split.train if not library[n].trainable]
    if untrainable:
        raise ValueError(f"{path}: train tasks {untrainable} have no split.train in their spec")
    train_datasets = {library[n].source.dataset: n for n in split.train}
    for name in split.heldout:
        dataset = library[name].source.dataset
        if dataset in train_datasets:
            raise ValueError(
                f"{path}: held-out task {name} comes from dataset {dataset!r}, which the "
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
