"""Tasks made ready for SFT: tokenised examples plus the embedding of every description,
and the two things the SFT loops do with them (a training loss and a validation pass)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import nn
from transformers import PreTrainedTokenizerBase

from t2l.batched_lora import apply_lora
from t2l.encoder import TaskEncoder
from t2l.hypernet import LoRAWeights
from t2l.sft_batch import TokenizedExample, collate, completion_loss, tokenize_example
from t2l.targets import TargetSpec
from t2l.task_data import TaskData

LoRASource = Callable[[torch.Tensor], LoRAWeights]  # task embeddings (B, E) -> LoRAs


@dataclass(frozen=True)
class SFTTask:
    name: str
    description_embeddings: torch.Tensor  # (D, E)
    train: list[TokenizedExample]
    val: list[TokenizedExample]


def prepare_tasks(
    tasks: list[TaskData],
    tokenizer: PreTrainedTokenizerBase,
    encoder: TaskEncoder | None,
    max_length: int,
    max_val_examples: int,
) -> list[SFTTask]:
    """Tokenise and embed (encoder None: no embeddings, for plain LoRA training)."""
    prepared = []
    for task in tasks:
        embeddings = encoder.encode(task.descriptions) if encoder is not None else torch.empty(0)
        prepared.append(
            SFTTask(
                name=task.name,
                description_embeddings=embeddings,
                train=[tokenize_example(tokenizer, e, max_length) for e in task.train],
                val=[
                    tokenize_example(tokenizer, e, max_length) for e in task.val[:max_val_examples]
                ],
            )
        )
    return prepared


def sft_loss(
    model: nn.Module,
    targets: TargetSpec,
    loras: LoRAWeights,
    scaling: float,
    batch: dict[str, torch.Tensor],
) -> torch.Tensor:
    """Completion-only LM loss of the frozen base with per-example LoRAs."""
    with apply_lora(model, targets, loras, scaling):
        logits = model(
            input_ids=batch["input_ids"], attention_mask=batch["attention_mask"], use_cache=False
        ).logits  # (B, T, V)
    return completion_loss(logits, batch["labels"])


@torch.no_grad()
def validation_loss(
    model: nn.Module,
    targets: TargetSpec,
    lora_source: LoRASource,
    scaling: float,
    tasks: list[SFTTask],
    batch_size: int,
    pad_token_id: int,
) -> float | None:
    """Mean completion loss over the tasks' val examples, each task described by its first
    description. Deterministic and RNG-free, so it never perturbs a resumed run."""
    total, count = 0.0, 0
    for task in tasks:
        for start in range(0, len(task.val), batch_size):
            chunk = task.val[start : start + batch_size]
            embedding = (
                task.description_embeddings[:1] if task.description_embeddings.numel() else None
            )
            loras = lora_source(embedding)
            loss = sft_loss(model, targets, loras, scaling, collate(chunk, pad_token_id))
            total, count = total + loss.item() * len(chunk), count + len(chunk)
    return total / count if count else None
