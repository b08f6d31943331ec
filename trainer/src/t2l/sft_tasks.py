"""Tasks made ready for SFT (tokenised examples, embedded descriptions), and what the SFT loops
do with them: the LM loss of the frozen base carrying per-example LoRAs, and validation."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass

import torch
from torch import nn
from transformers import PreTrainedTokenizerBase

from t2l.batched_lora import apply_lora
from t2l.embedding_table import DescriptionEncoder
from t2l.hypernet import LoRAWeights
from t2l.sft_batch import (
    TokenizedExample,
    collate,
    completion_loss,
    completion_loss_per_example,
    tokenize_example,
)
from t2l.targets import TargetSpec
from t2l.task_data import TaskData
from t2l.task_sampler import Pick

LoRASource = Callable[[torch.Tensor], LoRAWeights]  # task embeddings (B, E) -> LoRAs


@dataclass(frozen=True)
class SFTTask:
    name: str
    description_embeddings: torch.Tensor  # (D, E); empty when training without an encoder
    train: list[TokenizedExample]
    val: list[TokenizedExample]


@dataclass(frozen=True)
class FrozenLM:
    """The frozen base model with its LoRA targets, where batches go."""

    model: nn.Module
    targets: TargetSpec
    pad_token_id: int
    device: torch.device


def prepare_tasks(
    tasks: list[TaskData],
    tokenizer: PreTrainedTokenizerBase,
    encoder: DescriptionEncoder | None,
    max_length: int,
    max_val_examples: int,
    with_train: bool = True,
) -> list[SFTTask]:
    """Tokenise and embed (encoder None: no embeddings, for plain LoRA training). Sets used
    only for validation pass `with_train=False`: a training task's thousands of training
    examples took minutes to tokenise for nothing."""
    prepared = []
    for task in tasks:
        embeddings = encoder.encode(task.descriptions) if encoder is not None else torch.empty(0)
        prepared.append(
            SFTTask(
                name=task.name,
                description_embeddings=embeddings,
                train=[tokenize_example(tokenizer, e, max_length) for e in task.train]
                if with_train else [],
                val=[
                    tokenize_example(tokenizer, e, max_length) for e in task.val[:max_val_examples]
                ],
            )
        )
    return prepared


def require_training_examples(tasks: list[SFTTask], option: str = "--tasks") -> None:
    if empty := [t.name for t in tasks if not t.train]:
        raise ValueError(f"{option}: tasks {empty} have no training examples")
    if not tasks:
        raise ValueError(f"{option}: no tasks to train on")


def sample_batch(
    tasks: list[SFTTask], picks: list[Pick], device: torch.device
) -> tuple[list[TokenizedExample], torch.Tensor]:
    """The picked examples and their description embeddings (B, E)."""
    examples = [tasks[p.task].train[p.example] for p in picks]
    if not tasks[0].description_embeddings.numel():
        return examples, torch.empty(0, device=device)
    rows = [tasks[p.task].description_embeddings[p.description] for p in picks]
    return examples, torch.stack(rows).to(device)


def lora_logits(
    base: FrozenLM, loras: LoRAWeights | None, scaling: float, examples: list[TokenizedExample]
) -> tuple[torch.Tensor, torch.Tensor]:
    """-> (logits (B, T, V), labels (B, T)) of the frozen base, example i carrying LoRA i (or
    every example the one LoRA of a batch of one; None: the base model alone)."""
    batch = {k: v.to(base.device) for k, v in collate(examples, base.pad_token_id).items()}
    adapters = nullcontext() if loras is None else apply_lora(
        base.model, base.targets, loras, scaling)
    with adapters:
        logits = base.model(
            input_ids=batch["input_ids"], attention_mask=batch["attention_mask"], use_cache=False
        ).logits  # (B, T, V)
    return logits, batch["labels"]


@torch.no_grad()
def example_losses(
    base: FrozenLM,
    loras: LoRAWeights | None,
    scaling: float,
    examples: list[TokenizedExample],
    batch_size: int,
) -> list[float]:
    """Completion loss of each example, all carrying the one LoRA of a batch of one (A (1, L, r,
    in), B (1, L, out, r); None: the base model alone), `batch_size` examples a forward."""
    losses: list[float] = []
    for start in range(0, len(examples), batch_size):
        logits, labels = lora_logits(base, loras, scaling, examples[start : start + batch_size])
        losses += completion_loss_per_example(logits, labels).tolist()  # (B,)
    return losses


def sft_loss(
    base: FrozenLM, loras: LoRAWeights, scaling: float, examples: list[TokenizedExample]
) -> torch.Tensor:
    """Completion-only LM loss of the frozen base, example i carrying LoRA i."""
    return completion_loss(*lora_logits(base, loras, scaling, examples))


def cross_task_pairs(task_ids: list[int]) -> list[tuple[int, int]]:
    """(i, i+1) for each batch row whose neighbour (wrapping round) is from another task: a
    fixed, RNG-free pairing, so a resumed run pairs exactly what it would have."""
    neighbours = [(i, (i + 1) % len(task_ids)) for i in range(len(task_ids))]
    return [(i, j) for i, j in neighbours if task_ids[i] != task_ids[j]]


def mismatch_hinge(
    base: FrozenLM,
    lora_source: LoRASource,
    scaling: float,
    examples: list[TokenizedExample],
    embeddings: torch.Tensor,
    task_ids: list[int],
    matched_loss: torch.Tensor,
    margin: float,
) -> torch.Tensor:
    """relu(margin - (loss under another task's description - matched loss)).

    Example i is re-described by its batch neighbour i+1 (`cross_task_pairs`). Plain SFT can learn
    adapters that ignore the description; this asks the description to matter by `margin`."""
    pairs = cross_task_pairs(task_ids)
    if not pairs:
        return matched_loss.new_zeros(())
    wrong = embeddings[[j for _, j in pairs]]  # (R, E)
    mismatched = sft_loss(base, lora_source(wrong), scaling, [examples[i] for i, _ in pairs])
    return torch.relu(margin - (mismatched - matched_loss))


@torch.no_grad()
def validation_losses(
    base: FrozenLM,
    lora_source: LoRASource,
    scaling: float,
    task_sets: dict[str, list[SFTTask]],
    batch_size: int,
) -> dict[str, float]:
    """Mean completion loss over each set's val examples, every task described by its first
    description. Deterministic and RNG-free, so it never perturbs a resumed run."""
    results = {}
    for metric, tasks in task_sets.items():
        total, count = 0.0, 0
        for task in tasks:
            embedding = task.description_embeddings[:1].to(base.device)
            for start in range(0, len(task.val), batch_size):
                chunk = task.val[start : start + batch_size]
                loss = sft_loss(base, lora_source(embedding), scaling, chunk)
                total, count = total + loss.item() * len(chunk), count + len(chunk)
        if count:
            results[metric] = total / count
    return results


def max_relative_difference(losses: dict[str, float], reference: dict[str, float]) -> float:
    """Largest |loss − reference| / |reference| over the reference's metrics: how far a device,
    library version or rounding moved a run's validation losses. A metric missing from `losses`
    is a KeyError, not a silent pass."""
    return max(abs(losses[k] - v) / max(abs(v), 1e-6) for k, v in reference.items())
