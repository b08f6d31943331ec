"""How strongly adapters act: an output scale chosen on development tasks.

A hypernetwork trained on a few dozen tasks writes adapters sized for those tasks. On a task it
never saw, the same update shrunk by a factor s < 1 can fit better: the base model keeps more of
its own behaviour where the adapter has nothing to teach (on the held-out tasks, full-strength
adapters turned open-ended answers into one-liners). The scale lives in the LoRA alpha, so it
costs no weights and every consumer (PEFT, vLLM, the gpu-worker's `adapter_config.json`) applies
it as is. It is chosen by completion loss on the development tasks, never the held-out ones. A
trained LoRA (the multi-task baseline) is calibrated the same way, so comparisons stay fair.
"""

from __future__ import annotations

import math
from statistics import fmean

import torch

from t2l.hypernet import LoRAWeights
from t2l.sft_batch import TokenizedExample
from t2l.sft_tasks import FrozenLM, example_losses

# What was chosen, from which trained alpha: a key of a hypernetwork's meta (a PEFT adapter
# keeps the same record in a file beside it, `t2l.peft_io.SCALE_RECORD`).
META_KEY = "output_scale"


def parse_scales(text: str) -> tuple[float, ...]:
    """`--scales` "1,0.75,0.5" -> (1.0, 0.75, 0.5): distinct positive numbers, 1 included so the
    trained strength is always a candidate (a calibration never does worse on the dev tasks)."""
    try:
        scales = tuple(float(part) for part in text.split(",") if part.strip())
    except ValueError as err:
        raise ValueError(f"--scales {text!r}: write comma-separated numbers, e.g. 1,0.75,0.5"
                         ) from err
    if not scales or any(not math.isfinite(s) or s <= 0 for s in scales):
        raise ValueError(f"--scales {text!r}: every scale must be a finite number > 0")
    if len(set(scales)) != len(scales):
        raise ValueError(f"--scales {text!r}: a scale is listed twice")
    if 1.0 not in scales:
        raise ValueError(f"--scales {text!r}: include 1 (the trained strength)")
    return scales


def trained_lora_alpha(lora_alpha: float, record: dict | None) -> float:
    """The alpha an adapter source was trained with: a calibrated one records it (`META_KEY`),
    so calibrating again starts from the trained strength rather than compounding scales."""
    return float((record or {}).get("trained_lora_alpha", lora_alpha))


@torch.no_grad()
def losses_by_scale(
    base: FrozenLM,
    adapters: list[LoRAWeights],
    trained_scaling: float,
    examples: list[TokenizedExample],
    scales: tuple[float, ...],
    batch_size: int,
) -> dict[float, float]:
    """Mean per-example completion loss at each scale, averaged over `adapters` (each a LoRA
    batch of one, A (1, L, r, in) / B (1, L, out, r)): one task's adapters, e.g. one a
    description."""
    totals = {s: 0.0 for s in scales}
    for loras in adapters:
        for scale in scales:
            losses = example_losses(base, loras, trained_scaling * scale, examples, batch_size)
            totals[scale] += fmean(losses)
    return {s: total / len(adapters) for s, total in totals.items()}


def choose_scale(per_task: dict[str, dict[float, float]]) -> tuple[float, dict[float, float]]:
    """-> (the scale of least task-averaged loss, that average at every scale). Every task
    counts alike, however many examples it has; a tie goes to the scale nearest 1."""
    if not per_task:
        raise ValueError("--dev-tasks: no task has validation examples to calibrate on")
    scales = next(iter(per_task.values())).keys()
    mean = {s: fmean(losses[s] for losses in per_task.values()) for s in scales}
    best = min(scales, key=lambda s: (mean[s], abs(math.log(s))))
    return best, mean
