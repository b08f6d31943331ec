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
# int8 hypernetwork (quantize.py), per LoRA tensor ||onnx - torch||_F / ||torch||_F: observed
# ~0.005 on the default bundle (variant M, hidden 512), ~0.02 on the tests' tiny random ones
# (hidden 32); saturating int8 GEMMs (full-range weights without VNNI) gave ~0.16.
INT8_HYPERNET_MAX_RELATIVE_ERROR = 0.03

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


def _hypernet_pairs(
    hypernet: HyperNetwork, session: ort.InferenceSession, embeddings: torch.Tensor
) -> list[tuple[np.ndarray, np.ndarray]]:
    """(onnx, torch) for every LoRA tensor."""
    with torch.no_grad():
        loras = hypernet(embeddings)
    names = hypernet_output_names(hypernet)
    actual = dict(zip(names, session.run(names, {HYPERNET_INPUT: embeddings.numpy()}), strict=True))
    return [
        (actual[f"lora_{part}.{module}"], tensor.numpy())
        for module, pair in loras.items()
        for part, tensor in zip("AB", pair, strict=True)
    ]


def hypernet_max_abs_error(
    hypernet: HyperNetwork, session: ort.InferenceSession, embeddings: torch.Tensor
) -> float:
    pairs = _hypernet_pairs(hypernet, session, embeddings)
    return max(float(np.abs(actual - expected).max()) for actual, expected in pairs)


def hypernet_max_relative_error(
    hypernet: HyperNetwork, session: ort.InferenceSession, embeddings: torch.Tensor
) -> float:
    """Worst ||onnx - torch|| / ||torch|| over LoRA tensors (an all-zero tensor counts 0/0 as 0)."""
    worst = 0.0
    for actual, expected in _hypernet_pairs(hypernet, session, embeddings):
        error = float(np.linalg.norm(actual - expected))
        worst = max(worst, error / max(float(np.linalg.norm(expected)), 1e-30) if error else 0.0)
    return worst


def parity_bounds(quantization: str | None) -> dict[str, float]:
    """What check_parity enforces: float32 graphs by max abs error, an int8 hypernetwork by
    relative error (its encoder stays float32)."""
    if quantization is None:
        return {"encoder": ENCODER_MAX_ABS_ERROR, "hypernet": HYPERNET_MAX_ABS_ERROR}
    if quantization == "int8":
        return {
            "encoder": ENCODER_MAX_ABS_ERROR,
            "hypernet_relative": INT8_HYPERNET_MAX_RELATIVE_ERROR,
        }
    raise ValueError(f"--quantize must be int8 or absent, got {quantization!r}")


def check_parity(
    encoder: TaskEncoder,
    hypernet: HyperNetwork,
    encoder_onnx: Path,
    hypernet_onnx: Path,
    quantization: str | None = None,
) -> dict[str, float]:
    """-> {"encoder", "hypernet" (max abs), "hypernet_relative"}; raises ValueError past the
    bounds of `parity_bounds(quantization)`. The hypernetwork is fed PyTorch's embeddings, so
    its error is its own."""
    with torch.no_grad():
        embeddings = encoder.encode(list(PARITY_TEXTS))
    hypernet_session = cpu_session(hypernet_onnx)
    errors = {
        "encoder": encoder_max_abs_error(encoder, cpu_session(encoder_onnx)),
        "hypernet": hypernet_max_abs_error(hypernet, hypernet_session, embeddings),
        "hypernet_relative": hypernet_max_relative_error(hypernet, hypernet_session, embeddings),
    }
    bounds = parity_bounds(quantization)
    if failed := {k: errors[k] for k, bound in bounds.items() if not errors[k] <= bound}:
        raise ValueError(
            f"exported graphs disagree with PyTorch: error {failed} exceeds {bounds}; "
            "the bundle was not written (check torch/onnx versions or --opset)"
        )
    return errors
