"""Reconstruction losses: how far generated LoRAs are from the library's LoRAs.

- `zscore`: L1 between factors z-scored per (module, layer, A|B) with the library's statistics.
  The shared mean cancels in the difference, so this is an L1 weighted by 1/std, which puts
  every layer and factor on the same footing. Factors only match up to LoRA's rotation
  symmetry; that is the paper's recipe and works when the library comes from one init.
- `delta_w`: MSE between ΔW = B A, divided by the target's mean square (scale-free, so the
  shared LoRA scaling cancels), blind to how ΔW is factored. Computed from (r_p + r_t)-square
  Gram matrices, never forming the (out, in) ΔW: a batch of 32 adapters for SmolLM2 would
  otherwise hold 32 × 30 × 576 × 576 floats per module.
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


def delta_w_mse(predicted: LoRAWeights, target: LoRAWeights) -> torch.Tensor:
    """Mean over modules of ||B_p A_p - B_t A_t||² / ||B_t A_t||², summed over batch and layers."""
    losses = []
    for name, (a_target, b_target) in target.items():
        error, reference = delta_w_squared_norms(*predicted[name], a_target, b_target)
        losses.append(error.sum() / reference.sum().clamp(min=1e-12))
    return torch.stack(losses).mean()


def delta_w_squared_norms(
    a_pred: torch.Tensor, b_pred: torch.Tensor, a_target: torch.Tensor, b_target: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """(||B_p A_p - B_t A_t||², ||B_t A_t||²) per leading index, each (...,).

    B_p A_p - B_t A_t = [B_p, -B_t] [A_p; A_t], and ||B A||² = tr(BᵀB · A Aᵀ) with both Gram
    matrices symmetric, so the trace is their elementwise product summed. float32 resolves
    relative errors down to about 1e-3 (the difference of nearly equal squared norms)."""
    rank_pred = a_pred.shape[-2]
    a = torch.cat([a_pred, a_target], dim=-2)  # (..., r_p + r_t, in)
    b = torch.cat([b_pred, -b_target], dim=-1)  # (..., out, r_p + r_t)
    gram_a = a @ a.transpose(-1, -2)  # (..., r_p + r_t, r_p + r_t)
    gram_b = b.transpose(-1, -2) @ b  # (..., r_p + r_t, r_p + r_t)
    error = (gram_a * gram_b).sum((-1, -2)).clamp(min=0)
    target_part = (slice(rank_pred, None), slice(rank_pred, None))
    reference = (gram_a[(..., *target_part)] * gram_b[(..., *target_part)]).sum((-1, -2))
    return error, reference
