"""Description guidance: weigh up what a description adds over the null description.

With guidance g, the adapter of description d is

    dW = g * dW(d) + (1 - g) * dW(null),   dW(x) = s * B(x) A(x)

g = 1 is the plain adapter, g = 0 the null one, g > 1 extrapolates away from the null adapter
along the description's own direction. The sum of two rank-r products is exactly one rank-2r
LoRA: A = [A(d); A(null)] and B = [g B(d), (1 - g) B(null)], at the same scaling s, so guided
adapters load anywhere a LoRA does (PEFT, the batched forward) with no approximation.
It means something only for a hypernetwork trained with description dropout
(`t2l.description_dropout`), whose null adapter is the one that serves every task.
"""

from __future__ import annotations

import math

import torch

from t2l.description_dropout import null_embeddings
from t2l.hypernet import HyperNetConfig, HyperNetwork, LoRAWeights


def require_guidance(guidance: float) -> None:
    """The --guidance flag's check, shared by every command that takes it."""
    if guidance < 0:
        raise ValueError(f"--guidance must be >= 0 (0: the null adapter alone), got {guidance}")


def guided_loras(
    hypernet: HyperNetwork, embeddings: torch.Tensor, guidance: float
) -> LoRAWeights:
    """The hypernetwork's adapters (rank r) for `embeddings` (N, E) at guidance 1; otherwise
    the guided adapters, rank 2r, at the hypernetwork's own scaling."""
    described = hypernet(embeddings)
    if guidance == 1.0:
        return described
    null = hypernet(null_embeddings(1, embeddings))
    guided: LoRAWeights = {}
    for name, (a, b) in described.items():  # a (N, L, r, in), b (N, L, out, r)
        a_null, b_null = (t.expand_as(own) for t, own in zip(null[name], (a, b), strict=True))
        guided[name] = (
            torch.cat([a, a_null], dim=2),  # (N, L, 2r, in)
            torch.cat([guidance * b, (1.0 - guidance) * b_null], dim=3),  # (N, L, out, 2r)
        )
    return guided


def guided_rank_and_alpha(config: HyperNetConfig, guidance: float) -> tuple[int, float]:
    """(rank, lora_alpha) of the PEFT adapter that carries guided weights: rank 2r and the alpha
    that keeps PEFT's scaling (alpha / r, or alpha / sqrt(r) with rsLoRA) the hypernetwork's."""
    if guidance == 1.0:
        return config.rank, config.lora_alpha
    widened = math.sqrt(2.0) if config.use_rslora else 2.0
    return 2 * config.rank, config.lora_alpha * widened
