"""How much a hypernetwork's adapters depend on their description, in held-out loss.

The accuracy gap of `t2l eval` (matched descriptions against other tasks' and random strings)
rests on ~20 right-or-wrong items per task, so only large effects clear its noise. This scores
the same three conditions by teacher-forced completion loss on the held-out tasks' validation
examples: continuous, paired per example, and cheap (forward passes only). The descriptions are
the eval's own: each task's first drawn description, the next held-out task's (the eval's
derangement) and a random string of the same length.
"""

from __future__ import annotations

import logging
from statistics import fmean

import torch

from t2l.description_guidance import guided_loras
from t2l.embedding_table import DescriptionEncoder
from t2l.eval.loss_gap_summary import CONDITIONS, METHOD_OF, summarize
from t2l.eval.methods import held_out_descriptions, plan_conditions
from t2l.hypernet import HyperNetwork
from t2l.sft_batch import TokenizedExample
from t2l.sft_tasks import FrozenLM, example_losses
from t2l.task_data import TaskData

log = logging.getLogger(__name__)


def condition_texts(tasks: list[TaskData], seed: int) -> dict[str, dict[str, str]]:
    """Per task, the description text of each condition: the eval's first condition of each
    method (`plan_conditions`), so both measures score the very same strings."""
    if len(tasks) < 2:
        raise ValueError("--heldout-tasks: the other-description condition needs >= 2 tasks")
    names = [t.name for t in tasks]
    drawn = {t.name: held_out_descriptions(t.descriptions, 1, seed, t.name) for t in tasks}
    return {
        name: {
            condition: plan_conditions(method, name, names, drawn, seed)[0].t2l_description
            for condition, method in METHOD_OF.items()
        }
        for name in names
    }


def loss_gap(
    base: FrozenLM,
    hypernet: HyperNetwork,
    encoder: DescriptionEncoder,
    val_examples: dict[str, list[TokenizedExample]],
    texts: dict[str, dict[str, str]],
    batch_size: int,
    guidance: float = 1.0,
) -> dict:
    """Per-example losses of every (task, condition), their task-averaged means, and each
    mismatched condition's excess over matched with a 95% paired-bootstrap interval (nats).
    Every condition's adapter is generated at `guidance` (`t2l.description_guidance`)."""
    hypernet = hypernet.eval()
    per_task = {}
    for name, examples in val_examples.items():
        embeddings = encoder.encode([texts[name][c] for c in CONDITIONS])  # (3, E)
        with torch.no_grad():
            loras = [guided_loras(hypernet, row[None].to(base.device), guidance)
                     for row in embeddings]  # one adapter each, from (1, E)
        per_task[name] = {
            c: example_losses(base, loras[i], hypernet.scaling, examples, batch_size)
            for i, c in enumerate(CONDITIONS)
        }
        log.info("%s: %s", name, "  ".join(
            f"{c} {fmean(per_task[name][c]):.4f}" for c in CONDITIONS if per_task[name][c]))
    return {"guidance": guidance, "per_task": per_task, **summarize(per_task)}
