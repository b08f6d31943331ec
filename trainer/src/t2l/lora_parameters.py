"""A plain trainable LoRA for every target (the baselines), initialised as PEFT does."""

from __future__ import annotations

import math

import torch
from torch import nn

from t2l.hypernet import LoRAWeights
from t2l.peft_io import LoRAFactors
from t2l.targets import TargetSpec


class LoRAParameters(nn.Module):
    """A (L, r, in) kaiming-uniform(a=sqrt(5)), B (L, out, r) zeros, per module kind."""

    def __init__(self, targets: TargetSpec, rank: int) -> None:
        super().__init__()
        self.targets = targets
        self.lora_a = nn.ParameterList()
        self.lora_b = nn.ParameterList()
        for m in targets.modules:
            a = torch.empty(targets.num_layers, rank, m.in_features)
            for layer in range(targets.num_layers):
                nn.init.kaiming_uniform_(a[layer], a=math.sqrt(5))
            self.lora_a.append(nn.Parameter(a))
            self.lora_b.append(nn.Parameter(torch.zeros(targets.num_layers, m.out_features, rank)))

    def factors(self) -> LoRAFactors:
        return {
            m.name: (a, b)
            for m, a, b in zip(self.targets.modules, self.lora_a, self.lora_b, strict=True)
        }

    @torch.no_grad()
    def load_factors(self, factors: LoRAFactors) -> None:
        for m, a, b in zip(self.targets.modules, self.lora_a, self.lora_b, strict=True):
            a.copy_(factors[m.name][0])
            b.copy_(factors[m.name][1])

    def forward(self, task_embedding: torch.Tensor | None = None) -> LoRAWeights:
        """The same LoRA for every example: a LoRA batch of one (the embedding is ignored)."""
        return {name: (a[None], b[None]) for name, (a, b) in self.factors().items()}
