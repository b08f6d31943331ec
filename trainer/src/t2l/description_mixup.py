"""Blends of description embeddings: inputs between the descriptions a run has, so a student
learns its teacher's map on the space users' descriptions come from, not only on the points
it was given (`t2l distill`), and an SFT run learns what lies between its tasks
(`t2l.task_mixup`)."""

from __future__ import annotations

import torch


def blend_embeddings(
    embeddings: torch.Tensor, partners: torch.Tensor, generator: torch.Generator
) -> torch.Tensor:
    """Each row mixed with its partner by a uniform weight, then given the mixed norm.

    Straight interpolation between two unit vectors cuts inside the sphere the encoder's
    normalised outputs live on; rescaling to the interpolated norm puts blends back on it
    (and keeps unnormalised encoders' scale)."""
    weight = torch.rand(len(embeddings), 1, generator=generator).to(embeddings)  # (N, 1)
    return blend_with_weights(embeddings, partners, weight)


def blend_with_weights(
    embeddings: torch.Tensor, partners: torch.Tensor, weight: torch.Tensor
) -> torch.Tensor:
    """Each row (N, E) mixed with its partner, `weight` (N, 1) of it its own, on the sphere."""
    mixed = weight * embeddings + (1 - weight) * partners  # (N, E)
    norm = weight * embeddings.norm(dim=-1, keepdim=True) + (1 - weight) * partners.norm(
        dim=-1, keepdim=True
    )  # (N, 1)
    return mixed / mixed.norm(dim=-1, keepdim=True).clamp(min=1e-12) * norm


def step_generator(seed: int, step: int, stream: int = 0) -> torch.Generator:
    """A generator that depends only on (seed, step, stream): a resumed run draws the same
    blends without any random state in its checkpoint. Each use in one step takes its own
    `stream`, so its draws are independent of the others' (stream 0: the blends)."""
    return torch.Generator().manual_seed(seed * 1_000_003 + step + stream * 1_000_000_007)
