"""What every hypernetwork checkpoint records about how it was made (`hypernet.json` meta)."""

from __future__ import annotations

from t2l.embedding_table import DescriptionEncoder
from t2l.normalize import NORMALIZATION_RULE
from t2l.recipes.frozen_base import base_model_id
from t2l.sft_tasks import FrozenLM


def hypernet_meta(
    base: FrozenLM,
    fallback_base_id: str,
    encoder: DescriptionEncoder,
    mode: str,
    tasks: list[str],
    step: int,
    metrics: dict,
    init_from: dict | None = None,
) -> dict:
    """`init_from`: the warm start's source (`--init-from`), whose steps come before `step`."""
    training = {"mode": mode, "tasks": tasks, "steps": step, "metrics": metrics}
    if init_from:
        training["init_from"] = init_from
    return {
        "base_model": {
            "hf_id": base_model_id(base.model, fallback_base_id),
            "num_layers": base.targets.num_layers,
        },
        "encoder": encoder.settings(),
        "normalization": NORMALIZATION_RULE,
        "training": training,
    }
