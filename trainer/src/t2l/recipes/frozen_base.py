"""The frozen base model every recipe starts from, and how artifacts name it."""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from t2l.sft_tasks import FrozenLM
from t2l.targets import discover_targets


def frozen_base(
    model: nn.Module | None,
    tokenizer: Any,
    name_or_path: str,
    target_modules: str,
    device: torch.device,
) -> tuple[FrozenLM, Any]:
    """Load the base (unless given), freeze it, find its targets -> (FrozenLM, tokenizer)."""
    if model is None:
        from t2l.base_model import load_base_model  # the heavy loader only when needed

        model, tokenizer = load_base_model(name_or_path)
    model = model.requires_grad_(False).eval().to(device)
    pad_id = (
        tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
    )
    return FrozenLM(model, discover_targets(model, target_modules), pad_id, device), tokenizer


def base_model_id(model: nn.Module, fallback: str) -> str:
    """The hub id adapters name as their base (Contract 2), whatever file the model came from."""
    source = getattr(model.config, "t2l_base_model", None)
    if isinstance(source, dict) and source.get("hub_id"):
        return str(source["hub_id"])
    return getattr(model.config, "_name_or_path", "") or fallback
