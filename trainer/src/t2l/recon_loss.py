"""Reconstruction losses: how far generated LoRAs are from the library's LoRAs.

- `zscore`: L1 between factors z-scored per (module, layer, A|B) with the library's statistics.
  The shared mean cancels in the difference, so this is an L1 weighted by 1/std, which puts
  every layer and factor on the same footing. Factors only match up to LoRA's rotation
  symmetry; that is the paper's recipe and works when the library comes from one init.
- `delta_w`: MSE between ΔW = scaling * B A, divided by the target's mean square
  (scale-free), blind to how ΔW is factored.
"""

from __future__ import annotations

import torch

from t2l.hypernet import LoRAWeights


def zscore_l1(
    predicted: LoRAWeights,
    target: LoRAWeights,
    scales: dict[str, tuple[torch.Tensor, torch.Tensor]],
) -> torch.Tensor:
    losses = []
    for name, (a_target, b_target) in target.items():
        a_pred, b_pred = predicted[name]
        a_scale, b_scale = scales[name]  # (1, L, 1, 1)
        losses.append(((a_pred - a_target).abs() / a_scale).mean())
        losses.append(((b_pred - b_target).abs() / b_scale).mean())
    return torch.stack(losses).mean()


def delta_w_mse(predicted: LoRAWeights, target: LoRAWeights, scaling: float) -> torch.Tensor:
    losses = []
    for name, (a_target, b_target) in target.items():
        a_pred, b_pred = predicted[name]
        delta_pred = scaling * (b_pred @ a_pred)  # (B, L, out, in)
        delta_target = scaling * (b_target @ a_target)  # (B, L, out, in)
        reference = delta_target.square().mean().clamp(min=1e-12)
        losses.append((delta_pred - delta_target).square().mean() / reference)
    return torch.stack(losses).mean()
