"""Test vectors the exporter writes into every bundle (`test_vectors.json`).

description -> normalised text + sha256 -> token ids -> PyTorch embedding -> checksums and
slices of every LoRA tensor. The gpu-worker tests replay them through its own tokenizer and
ONNX Runtime, so a drift anywhere between PyTorch and the served bytes shows up there.
"""

from __future__ import annotations

import torch

from t2l.encoder import TaskEncoder
from t2l.export.parity import (
    ENCODER_MAX_ABS_ERROR,
    HYPERNET_MAX_ABS_ERROR,
    INT8_HYPERNET_MAX_RELATIVE_ERROR,
)
from t2l.hypernet import HyperNetwork
from t2l.normalize import description_sha256, normalize_description

TEST_VECTORS_SCHEMA = "t2l.test_vectors/v1"
SLICE = 8

DESCRIPTIONS = (
    "Solve grade-school math word problems step by step.",
    "  Translate   English\tsentences\n into French.  ",
    "Résumé naïve café: summarise customer reviews — politely! 😀",
    "写一首关于秋天的诗",
    "x",
    # Longer than any encoder's max_length: checks truncation keeps [CLS] ... [SEP].
    "Classify the sentiment of " + "very " * 300 + "long product reviews.",
)


def _tensor_summary(tensor: torch.Tensor) -> dict:
    flat = tensor.double().flatten()
    return {
        "shape": list(tensor.shape),
        "sum": float(flat.sum()),
        "abs_sum": float(flat.abs().sum()),
        "head": [float(v) for v in flat[:SLICE]],
        "tail": [float(v) for v in flat[-SLICE:]],
    }


@torch.no_grad()
def build_test_vectors(
    encoder: TaskEncoder,
    hypernet: HyperNetwork,
    bundle_id: str,
    quantization: str | None = None,
) -> dict:
    """PyTorch ground truth; an int8 bundle's replay tolerance is its relative bound scaled by
    the largest LoRA entry of the vectors."""
    vectors = []
    largest_entry = 0.0
    for description in DESCRIPTIONS:
        normalized = normalize_description(description)
        ids = encoder.tokenizer(normalized, truncation=True, max_length=encoder.max_length)[
            "input_ids"
        ]
        ids_tensor = torch.tensor([ids])
        embedding = encoder(ids_tensor, torch.ones_like(ids_tensor))  # (1, E)
        loras = hypernet(embedding)
        tensors = [t for pair in loras.values() for t in pair]
        largest_entry = max(largest_entry, *(float(t.abs().max()) for t in tensors))
        vectors.append(
            {
                "description": description,
                "normalized": normalized,
                "description_sha256": description_sha256(description),
                "input_ids": ids,
                "embedding": [float(v) for v in embedding[0]],
                "lora": {
                    name: {
                        "A": _tensor_summary(a[0]),
                        "B": _tensor_summary(b[0]),
                    }  # (L, r, in), (L, out, r)
                    for name, (a, b) in loras.items()
                },
            }
        )
    tolerance = {"embedding": ENCODER_MAX_ABS_ERROR, "lora": HYPERNET_MAX_ABS_ERROR}
    if quantization == "int8":
        tolerance = {
            "embedding": ENCODER_MAX_ABS_ERROR,
            "lora": INT8_HYPERNET_MAX_RELATIVE_ERROR * largest_entry,
        }
    return {
        "schema": TEST_VECTORS_SCHEMA,
        "bundle": bundle_id,
        "max_abs_error": tolerance,
        "vectors": vectors,
    }
