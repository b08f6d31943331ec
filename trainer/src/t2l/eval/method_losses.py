"""Every compared method's held-out loss: the graded twin of `t2l eval`.

At 135M parameters every held-out multiple-choice task sits at chance for every method (the
answer tables of docs/RESULTS.md), so accuracy margins move with which answer an adapter happens
to favour. This scores the eval's own conditions (`plan_conditions`: the same drawn descriptions,
the same prompts with or without a description, the same adapters) by the teacher-forced loss of
each held-out example's reference answer. A proper score, continuous and paired per example: it
ranks methods where none is above chance, and on the generated-answer tasks it measures how
likely each method makes the reference, whatever greedy decoding would have printed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from statistics import fmean

import torch
from transformers import PreTrainedTokenizerBase

from t2l.embedding_table import DescriptionEncoder
from t2l.eval.methods import METHODS, Condition, held_out_descriptions, plan_conditions
from t2l.eval.scoring import with_description
from t2l.hypernet import HyperNetwork, LoRAWeights
from t2l.peft_io import PeftLoRA
from t2l.report.bootstrap import margin_interval
from t2l.sft_batch import tokenize_example
from t2l.sft_tasks import FrozenLM, example_losses
from t2l.task_data import Example, TaskData

# An oracle is trained on a task's own data; the held-out tasks have none to train on.
LOSS_METHODS = tuple(m for m in METHODS if m != "oracle_lora")
REFERENCE = "t2l"  # every other method is compared with it
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AdapterSources:
    """What a condition's adapter comes from; None where no chosen method needs it."""

    multitask: PeftLoRA | None = None
    hypernet: HyperNetwork | None = None
    encoder: DescriptionEncoder | None = None

    def __post_init__(self) -> None:
        if self.hypernet is not None:
            self.hypernet.eval()  # scored as served: no dropout

    def adapter_for(self, condition: Condition, device: torch.device
                    ) -> tuple[LoRAWeights | None, float]:
        """-> (the condition's LoRA as a batch of one, or None for the base alone; its scaling)."""
        if condition.adapter == "multitask":
            if self.multitask is None:
                raise ValueError("method multitask_lora needs --multitask-lora")
            loras = {n: (a.to(device), b.to(device))
                     for n, (a, b) in self.multitask.batched().items()}
            return loras, self.multitask.scaling
        if condition.adapter is not None:
            raise ValueError(f"no held-out loss for adapter {condition.adapter!r}")
        if condition.t2l_description is None:
            return None, 0.0
        if self.hypernet is None or self.encoder is None:
            raise ValueError("the T2L methods need --hypernet")
        embedding = self.encoder.encode([condition.t2l_description]).to(device)  # (1, E)
        with torch.no_grad():
            return self.hypernet(embedding), self.hypernet.scaling


def condition_losses(
    base: FrozenLM,
    tokenizer: PreTrainedTokenizerBase,
    examples: list[Example],
    condition: Condition,
    sources: AdapterSources,
    max_length: int,
    batch_size: int,
) -> list[float]:
    """Completion loss of each example's reference under one condition: its prompt (with the
    description in front for base + description, `with_description` as the eval does) and its
    adapter."""
    prompted = [Example(with_description(e.prompt, condition.prompt_description), e.completion)
                for e in examples]
    tokenized = [tokenize_example(tokenizer, e, max_length) for e in prompted]
    loras, scaling = sources.adapter_for(condition, base.device)
    return example_losses(base, loras, scaling, tokenized, batch_size)


def method_losses(
    methods: tuple[str, ...],
    tasks: list[TaskData],
    descriptions_per_task: int,
    seed: int,
    score: Callable[[list[Example], Condition], list[float]],
) -> dict[str, dict[str, list[float]]]:
    """task -> method -> per-example loss, averaged over the method's conditions (T2L and its
    controls: one a description), paired by example across methods. `score` scores one
    condition's examples (`condition_losses` with the model bound)."""
    names = [t.name for t in tasks]
    drawn = {t.name: held_out_descriptions(t.descriptions, descriptions_per_task, seed, t.name)
             for t in tasks}
    per_task: dict[str, dict[str, list[float]]] = {}
    for task in tasks:
        per_task[task.name] = {}
        for method in methods:
            runs = [score(task.val, c) for c in plan_conditions(method, task.name, names, drawn,
                                                                 seed)]
            per_task[task.name][method] = [fmean(column) for column in zip(*runs, strict=True)]
        log.info("%s: %s", task.name, "  ".join(
            f"{m} {fmean(v):.4f}" for m, v in per_task[task.name].items() if v))
    return per_task


def summarize(per_task: dict[str, dict[str, list[float]]]) -> dict:
    """Task-averaged loss of every method (each task counts alike) and, for each method other
    than T2L, its excess over T2L with a 95% paired, task-stratified bootstrap interval
    (positive: T2L's adapters make the references likelier)."""
    names = [n for n, losses in per_task.items() if any(losses.values())]
    if not names:
        raise ValueError("--heldout-tasks: no validation examples to score")
    methods = list(per_task[names[0]])
    means = {m: fmean(fmean(per_task[n][m]) for n in names) for m in methods}
    excess = {}
    if REFERENCE in methods:
        reference = {n: per_task[n][REFERENCE] for n in names}
        for method in methods:
            if method == REFERENCE:
                continue
            interval = margin_interval({n: per_task[n][method] for n in names}, reference,
                                       names, scale=1.0)
            excess[method] = {"excess_loss": means[method] - means[REFERENCE],
                              "ci95": list(interval) if interval else None}
    return {"tasks": names, "mean_loss": means, "excess_over_t2l": excess}
