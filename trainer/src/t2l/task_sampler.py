"""Which (task, description, example) each training sample uses.

Draws are balanced over groups: rounds over a fresh shuffle of all groups, so every group
appears once per round whatever its size, and a group of several tasks gives one of them at
random. By default each task is its own group (tasks drawn evenly); grouping the prompt-template
tasks of one dataset (`--balance-by dataset`) weights datasets evenly instead, so a dataset
split into twenty templates is not drawn twenty times as often as one that is not. Each sample
takes one random description paraphrase and one random training example of its task. The whole
state is plain JSON, for exact resume.
"""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class Pick:
    task: int
    description: int
    example: int


class TaskSampler:
    def __init__(
        self,
        num_descriptions: list[int],
        num_examples: list[int],
        seed: int,
        groups: list[str] | None = None,
    ) -> None:
        """`groups[i]`: the group task i belongs to (None: every task its own group)."""
        if not num_examples or min(num_examples) < 1 or min(num_descriptions) < 1:
            raise ValueError("every training task needs at least one description and one example")
        if groups is not None and len(groups) != len(num_examples):
            raise ValueError(f"{len(groups)} group names for {len(num_examples)} tasks")
        self.num_descriptions = num_descriptions
        self.num_examples = num_examples
        members: dict[str, list[int]] = {}
        for task, group in enumerate(groups or range(len(num_examples))):
            members.setdefault(str(group), []).append(task)
        self.groups = list(members.values())  # group index -> its task indices
        self.rng = random.Random(seed)
        self.queue: list[int] = []

    def sample(self, batch_size: int) -> list[Pick]:
        picks = []
        for _ in range(batch_size):
            if not self.queue:
                self.queue = list(range(len(self.groups)))
                self.rng.shuffle(self.queue)
            members = self.groups[self.queue.pop()]
            # A one-task group draws nothing, so ungrouped runs keep their random stream.
            task = members[self.rng.randrange(len(members))] if len(members) > 1 else members[0]
            picks.append(
                Pick(
                    task,
                    self.rng.randrange(self.num_descriptions[task]),
                    self.rng.randrange(self.num_examples[task]),
                )
            )
        return picks

    def state_dict(self) -> dict:
        version, internal, gauss = self.rng.getstate()
        return {"rng": [version, list(internal), gauss], "queue": list(self.queue)}

    def load_state_dict(self, state: dict) -> None:
        version, internal, gauss = state["rng"]
        self.rng.setstate((version, tuple(internal), gauss))
        self.queue = list(state["queue"])
