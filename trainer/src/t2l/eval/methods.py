"""The compared methods, each as the list of conditions it is scored under for one task.

A condition is a prompt (with or without a description) plus an adapter (none, a trained LoRA
folder, or a T2L adapter generated from a description). A method's task score is the mean
over its conditions: T2L and its controls use `descriptions_per_task` descriptions each.
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass

METHODS = (
    "base",
    "base_with_description",
    "multitask_lora",
    "oracle_lora",
    "t2l",
    "t2l_other_descriptions",
    "t2l_random_descriptions",
)
T2L_METHODS = ("t2l", "t2l_other_descriptions", "t2l_random_descriptions")
# Nothing of these is trained, so a retrain with another seed leaves their scores as they were.
UNTRAINED_METHODS = ("base", "base_with_description")


@dataclass(frozen=True)
class Condition:
    key: str  # stable id within (method, task), used for resume
    prompt_description: str | None = None  # prepended to every prompt
    adapter: str | None = None  # "multitask" | "oracle" | None
    t2l_description: str | None = None  # generate the adapter from this text


def held_out_descriptions(descriptions: list[str], count: int, seed: int, task: str) -> list[str]:
    """`count` descriptions of a task, drawn once with a seed that depends only on the task."""
    rng = random.Random(f"{seed}:{task}")
    return rng.sample(descriptions, min(count, len(descriptions)))


def random_description(length: int, rng: random.Random) -> str:
    """Letters and spaces of a real description's length: text with no task information."""
    alphabet = string.ascii_lowercase + " " * 5
    return "".join(rng.choice(alphabet) for _ in range(length)).strip() or "x"


def plan_conditions(
    method: str, task: str, tasks: list[str], descriptions: dict[str, list[str]], seed: int,
) -> list[Condition]:
    """Conditions of `method` on `task`; `descriptions` holds each task's chosen descriptions."""
    own = descriptions[task]
    if method == "base":
        return [Condition("base")]
    if method == "base_with_description":
        return [Condition(f"d{i}", prompt_description=d) for i, d in enumerate(own)]
    if method == "multitask_lora":
        return [Condition("multitask", adapter="multitask")]
    if method == "oracle_lora":
        return [Condition("oracle", adapter="oracle")]
    if method == "t2l":
        return [Condition(f"d{i}", t2l_description=d) for i, d in enumerate(own)]
    if method == "t2l_other_descriptions":
        # A fixed derangement: task i borrows the descriptions of held-out task i+1.
        other = tasks[(tasks.index(task) + 1) % len(tasks)]
        if other == task:
            raise ValueError("t2l_other_descriptions needs at least 2 tasks (--tasks)")
        return [Condition(f"{other}:d{i}", t2l_description=d)
                for i, d in enumerate(descriptions[other])]
    if method == "t2l_random_descriptions":
        rng = random.Random(f"{seed}:random:{task}")
        return [Condition(f"r{i}", t2l_description=random_description(len(d), rng))
                for i, d in enumerate(own)]
    raise ValueError(f"--methods: unknown method {method!r}; choose from {', '.join(METHODS)}")
