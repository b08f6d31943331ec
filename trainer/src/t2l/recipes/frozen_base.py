"""The frozen base model every recipe starts from, and how artifacts name it."""

from __future__ import annotations

from typing import Any

import torch
from torch import nn


def load_frozen_base(name_or_path: str, device: torch.device) -> tuple[nn.Module, Any]:
    from t2l.base_model import load_base_model  # the heavy loader only when no model is given

    model, tokenizer = load_base_model(name_or_path)
    return freeze(model).to(device), tokenizer


def freeze(model: nn.Module) -> nn.Module:
    return model.requires_grad_(False).eval()


def base_model_id(model: nn.Module, fallback: str) -> str:
    """The hub id adapters name as their base (Contract 2), whatever file the model came from."""
    source = getattr(model.config, "t2l_base_model", None)
    if isinstance(source, dict) and source.get("hub_id"):
        return str(source["hub_id"])
    return getattr(model.config, "_name_or_path", "") or fallback
