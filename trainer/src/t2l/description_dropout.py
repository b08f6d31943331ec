"""Description dropout: some training samples get the null description instead of their own.

Plain SFT lets the hypernetwork put everything the training tasks share into every adapter, so
the part a description adds is small and, on unseen descriptions, no better than another task's
(the description gaps in docs/RESULTS.md). Dropping descriptions gives that shared part an input
of its own, the null description, which must serve every task at once; what a real description
adds over it is then the task-specific part, which guidance (`t2l.description_guidance`) can
weigh up at generation time, as classifier-free guidance does for diffusion models.

The null description is the zero vector: the encoder's outputs are unit vectors, so no text maps
there, and a bundle needs no extra weights (or export changes) to carry it.
"""

from __future__ import annotations

import torch


def null_embeddings(count: int, like: torch.Tensor) -> torch.Tensor:
    """`count` null descriptions, shaped like the rows of `like` (N, E) -> (count, E)."""
    return like.new_zeros(count, like.shape[-1])


def drop_descriptions(
    embeddings: torch.Tensor, rate: float, generator: torch.Generator
) -> torch.Tensor:
    """Each row (N, E) replaced by the null description with probability `rate`; the draw comes
    from `generator` (seeded by step, so a resumed run drops the same rows)."""
    if not 0.0 <= rate < 1.0:
        raise ValueError(f"--description-dropout must be in [0, 1), got {rate}")
    dropped = torch.rand(len(embeddings), generator=generator) < rate  # (N,)
    return torch.where(dropped[:, None].to(embeddings.device), 0.0, embeddings)  # (N, E)
