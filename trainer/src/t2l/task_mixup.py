"""Task mixup for SFT: an adapter generated from a blend of two tasks' descriptions is trained
to serve both tasks in the blend's proportions.

Plain SFT constrains the hypernetwork only at its training tasks' descriptions. The loss gap on
the training split shows what follows: descriptions matter on the tasks trained on and barely
on tasks never seen, whose descriptions land between the training ones where nothing shaped the
map. Mixup shapes it there: the adapter from blend(e_i, e_j; w) must fit example i with weight w
and example j with weight 1 - w, so moving a description towards a task moves its adapter
towards that task's adapter.
"""

from __future__ import annotations

import torch

from t2l.description_mixup import blend_with_weights
from t2l.sft_batch import TokenizedExample, completion_loss_per_example
from t2l.sft_tasks import FrozenLM, LoRASource, cross_task_pairs, lora_logits


def task_mixup_loss(
    base: FrozenLM,
    lora_source: LoRASource,
    scaling: float,
    examples: list[TokenizedExample],
    embeddings: torch.Tensor,
    task_ids: list[int],
    generator: torch.Generator,
) -> torch.Tensor:
    """Blend-weighted completion loss of each pair (i, i+1) of the batch from two tasks.

    Example i pairs with its neighbour i+1 (`cross_task_pairs`); the blend weights come
    from `generator` (seeded by step, so a resumed run draws the same ones)."""
    pairs = cross_task_pairs(task_ids)
    if not pairs:
        return embeddings.new_zeros(())
    own = embeddings[[i for i, _ in pairs]]  # (R, E)
    partners = embeddings[[j for _, j in pairs]]  # (R, E)
    weight = torch.rand(len(pairs), 1, generator=generator).to(own)  # (R, 1)
    blended = blend_with_weights(own, partners, weight)  # (R, E)
    # Each blend's adapter carries both of its examples: rows 0..R-1 then R..2R-1.
    loras = lora_source(torch.cat([blended, blended]))
    batch = [examples[i] for i, _ in pairs] + [examples[j] for _, j in pairs]
    losses = completion_loss_per_example(*lora_logits(base, loras, scaling, batch))  # (2R,)
    shares = torch.cat([weight[:, 0], 1 - weight[:, 0]])  # (2R,)
    return (shares * losses).sum() / len(pairs)
