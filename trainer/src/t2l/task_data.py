"""What the training recipes consume: prompt/completion examples grouped per task.

`load_tasks(source)` reads tasks from a JSON/JSONL file (one task object per line or a list) or
calls a `module:function` that returns `list[TaskData]` (the task library's loaders).
"""

from __future__ import annotations

import importlib
import json
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Example:
    prompt: str  # the user message; `t2l.prompting.format_prompt` turns it into model input
    completion: str  # the assistant answer the model is trained to produce


@dataclass(frozen=True)
class TaskData:
    name: str
    descriptions: list[str]
    train: list[Example] = field(default_factory=list)
    val: list[Example] = field(default_factory=list)
    # The source dataset when several tasks share one (a T0 dataset split into its prompt
    # templates); None: the task is its own dataset. `--balance-by dataset` draws by this.
    dataset: str | None = None

    def __post_init__(self) -> None:
        if not self.name:
            raise ValueError("a task needs a non-empty name")
        if not self.descriptions or not all(d.strip() for d in self.descriptions):
            raise ValueError(f"task {self.name!r} needs at least one non-blank description")
        if self.dataset is not None and not self.dataset:
            raise ValueError(f"task {self.name!r}: dataset is a non-empty name or None")

    @property
    def source_dataset(self) -> str:
        return self.dataset or self.name

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "descriptions": list(self.descriptions),
            "train": [vars(e) for e in self.train],
            "val": [vars(e) for e in self.val],
            **({"dataset": self.dataset} if self.dataset is not None else {}),
        }

    @classmethod
    def from_dict(cls, data: dict) -> TaskData:
        return cls(
            name=data["name"],
            descriptions=list(data["descriptions"]),
            train=[Example(**e) for e in data.get("train", [])],
            val=[Example(**e) for e in data.get("val", [])],
            dataset=data.get("dataset"),
        )


def load_tasks(source: str, args: dict | None = None, option: str = "--tasks") -> list[TaskData]:
    """Tasks from a `.json`/`.jsonl` file or a `module:function` returning list[TaskData]."""
    if source.endswith((".json", ".jsonl")):
        path = Path(source)
        if not path.is_file():
            raise ValueError(f"{option} {source}: file not found")
        text = path.read_text()
        rows = (
            [json.loads(line) for line in text.splitlines() if line.strip()]
            if source.endswith(".jsonl")
            else json.loads(text)
        )
        tasks = [TaskData.from_dict(row) for row in rows]
    elif ":" in source:
        module_name, _, attribute = source.partition(":")
        try:
            loader = getattr(importlib.import_module(module_name), attribute)
        except (ImportError, AttributeError) as err:
            raise ValueError(f"{option} {source}: cannot import ({err})") from None
        tasks = list(loader(**(args or {})))
    else:
        raise ValueError(f"{option} {source!r}: give a .json/.jsonl file or module:function")
    if not tasks or not all(isinstance(t, TaskData) for t in tasks):
        raise ValueError(f"{option} {source}: expected a non-empty list of TaskData")
    names = [t.name for t in tasks]
    if len(set(names)) != len(names):
        raise ValueError(f"{option} {source}: duplicate task names")
    return tasks
