"""Random (non-zero) PEFT LoRAs for tests that need adapters which visibly change a model."""

from __future__ import annotations

import torch

from t2l.peft_io import PeftLoRA
from t2l.targets import TargetSpec


def random_lora(targets: TargetSpec, seed: int, rank: int = 2) -> PeftLoRA:
    generator = torch.Generator().manual_seed(seed)
    weights = {
        m.name: (torch.randn(targets.num_layers, rank, m.in_features, generator=generator),
                 torch.randn(targets.num_layers, m.out_features, rank, generator=generator))
        for m in targets.modules
    }
    return PeftLoRA(targets=targets, weights=weights, rank=rank, lora_alpha=2.0 * rank)
