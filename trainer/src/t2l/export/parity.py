"""PyTorch vs ONNX Runtime: the max abs error of each exported graph on real inputs.

Export refuses a bundle whose graphs drift past these bounds; tests assert the same bounds.
Inputs are padded batches of varied lengths, so masking is exercised, not only full rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import onnxruntime as ort
import torch

from t2l.encoder import TaskEncoder
from t2l.export.onnx_graphs import HYPERNET_INPUT, hypernet_output_names
from t2l.hypernet import HyperNetwork
from t2l.normalize import normalize_description

ENCODER_MAX_ABS_ERROR = 1e-4  # unit-norm embeddings: float32 reassociation stays near 1e-6
HYPERNET_MAX_ABS_ERROR = 1e-4  # LoRA entries are O(1e-2); observed error is near 1e-7

PARITY_TEXTS = (
    "Solve grade-school math word problems step by step.",
    "Translate English sentences into French.",
    "x",
    "Summarise customer reviews of kitchen appliances in one neutral sentence, listing the "
    "main complaint and the main praise, and never invent details that are not in the review.",
)


def cpu_session(path: Path) -> ort.InferenceSession:
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def encoder_max_abs_error(
    encoder: TaskEncoder, session: ort.InferenceSession, texts: Sequence[str] = PARITY_TEXTS
) -> float:
    batch = encoder.tokenizer(
        [normalize_description(t) for t in texts],
        padding=True,
        truncation=True,
        max_length=encoder.max_length,
        return_tensors="pt",
    )
    with torch.no_grad():
        expected = encoder(batch["input_ids"], batch["attention_mask"]).numpy()  # (B, E)
    (actual,) = session.run(
        None, {k: batch[k].numpy().astype(np.int64) for k in ("input_ids", "attention_mask")}
    )
    return float(np.abs(actual - expected).max())


def hypernet_max_abs_error(
    hypernet: HyperNetwork, session: ort.InferenceSession, embeddings: torch.Tensor
) -> float:
    with torch.no_grad():
        loras = hypernet(embeddings)
    names = hypernet_output_names(hypernet)
    actual = dict(zip(names, session.run(names, {HYPERNET_INPUT: embeddings.numpy()}), strict=True))
    worst = 0.0
    for module, (a, b) in loras.items():
        worst = max(worst, float(np.abs(actual[f"lora_A.{module}"] - a.numpy()).max()))
        worst = max(worst, float(np.abs(actual[f"lora_B.{module}"] - b.numpy()).max()))
    return worst


def check_parity(
    encoder: TaskEncoder, hypernet: HyperNetwork, encoder_onnx: Path, hypernet_onnx: Path
) -> dict[str, float]:
    """-> {"encoder": err, "hypernet": err}; raises ValueError past the bounds."""
    with torch.no_grad():
        embeddings = encoder.encode(list(PARITY_TEXTS))
    errors = {
        "encoder": encoder_max_abs_error(encoder, cpu_session(encoder_onnx)),
        "hypernet": hypernet_max_abs_error(hypernet, cpu_session(hypernet_onnx), embeddings),
    }
    bounds = {"encoder": ENCODER_MAX_ABS_ERROR, "hypernet": HYPERNET_MAX_ABS_ERROR}
    if failed := {k: v for k, v in errors.items() if not v <= bounds[k]}:
        raise ValueError(
            f"exported graphs disagree with PyTorch: max abs error {failed} exceeds {bounds}; "
            "the bundle was not written (check torch/onnx versions or --opset)"
        )
    return errors
