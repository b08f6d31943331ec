"""Supervised fine-tuning batches: tokenised examples, padding, and completion-only loss."""

from __future__ import annotations

from dataclasses import dataclass

import torch
from transformers import PreTrainedTokenizerBase

from t2l.prompting import completion_token_ids, prompt_token_ids
from t2l.task_data import Example

IGNORE_INDEX = -100


@dataclass(frozen=True)
class TokenizedExample:
    input_ids: tuple[int, ...]
    labels: tuple[int, ...]  # IGNORE_INDEX on prompt tokens: the loss covers the completion only


def tokenize_example(
    tokenizer: PreTrainedTokenizerBase, example: Example, max_length: int
) -> TokenizedExample:
    """Prompt + completion within `max_length`: the completion keeps at least half the budget,
    the prompt is cut from the left (its end, next to the answer, matters most)."""
    prompt = prompt_token_ids(tokenizer, example.prompt)
    completion = completion_token_ids(tokenizer, example.completion)
    completion = completion[: max(max_length - len(prompt), max_length // 2)]
    keep = max_length - len(completion)
    prompt = prompt[-keep:] if keep > 0 else []
    ids = prompt + completion
    return TokenizedExample(tuple(ids), tuple([IGNORE_INDEX] * len(prompt) + completion))


def collate(examples: list[TokenizedExample], pad_token_id: int) -> dict[str, torch.Tensor]:
    """Right-padded batch: input_ids, attention_mask, labels, all (B, T)."""
    width = max(len(e.input_ids) for e in examples)
    input_ids = torch.full((len(examples), width), pad_token_id, dtype=torch.long)
    labels = torch.full((len(examples), width), IGNORE_INDEX, dtype=torch.long)
    attention_mask = torch.zeros((len(examples), width), dtype=torch.long)
    for row, example in enumerate(examples):
        n = len(example.input_ids)
        input_ids[row, :n] = torch.tensor(example.input_ids)
        labels[row, :n] = torch.tensor(example.labels)
        attention_mask[row, :n] = 1
    return {"input_ids": input_ids, "attention_mask": attention_mask, "labels": labels}


def completion_loss(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """Mean next-token cross-entropy over completion tokens. logits (B, T, V), labels (B, T)."""
    shifted_logits = logits[:, :-1].reshape(-1, logits.shape[-1]).float()  # (B*(T-1), V)
    shifted_labels = labels[:, 1:].reshape(-1)  # (B*(T-1),)
    return torch.nn.functional.cross_entropy(
        shifted_logits, shifted_labels, ignore_index=IGNORE_INDEX
    )


def completion_loss_per_example(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """(B,) mean next-token cross-entropy over each example's own completion tokens."""
    shifted_labels = labels[:, 1:]  # (B, T-1)
    token_losses = torch.nn.functional.cross_entropy(
        logits[:, :-1].transpose(1, 2).float(), shifted_labels, ignore_index=IGNORE_INDEX,
        reduction="none",
    )  # (B, T-1)
    counted = (shifted_labels != IGNORE_INDEX).sum(dim=1).clamp(min=1)  # (B,)
    return token_losses.sum(dim=1) / counted
