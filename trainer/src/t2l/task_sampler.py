"""Which (task, description, example) each training sample uses.

Tasks are drawn evenly: rounds over a fresh shuffle of all tasks, so every task appears once per
round whatever its size. Each sample takes one random description paraphrase and one random
training example of its task. The whole state is plain JSON, for exact resume.
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
    def __init__(self, num_descriptions: list[int], num_examples: list[int], seed: int) -> None:
        if not num_examples or min(num_examples) < 1 or min(num_descriptions) < 1:
            raise ValueError("every training task needs at least one description and one example")
        self.num_descriptions = num_descriptions
        self.num_examples = num_examples
        self.rng = random.Random(seed)
        self.queue: list[int] = []

    def sample(self, batch_size: int) -> list[Pick]:
        picks = []
        for _ in range(batch_size):
            if not self.queue:
                self.queue = list(range(len(self.num_examples)))
                self.rng.shuffle(self.queue)
            task = self.queue.pop()
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
