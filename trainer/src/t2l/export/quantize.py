"""Opt-in int8 hypernetwork for a bundle (`t2l export-bundle --quantize int8`).

Static quantization (QDQ): every weight MatMul gets int8 weights, one scale per output channel,
and uint8 inputs whose scales were calibrated once, at export, on the embeddings of
CALIBRATION_DESCRIPTIONS. Fixed scales keep every row independent of its batch mates, so the
worker still batches the graph (dynamic quantization would scale each input by its whole batch).
Only the hypernetwork, the larger share of the work: its LayerNorm'd activations quantize to
~0.5% relative error on the LoRA tensors, while the encoder's outlier activations would cost ~2%
embedding cosine. `parity.py` bounds the error (INT8_*), the manifest records it, and the bundle
gets its own version (`+int8`): an adapter's identity is (bundle@version, description), so
other bytes need another id.
"""

from __future__ import annotations

import contextlib
import io
import logging
import tempfile
from pathlib import Path

import numpy as np

QUANTIZATIONS = ("int8",)

# Varied tasks, lengths and languages: what activation ranges are calibrated on.
CALIBRATION_DESCRIPTIONS = tuple(
    f"{task} {subject}"
    for task in (
        "Summarise",
        "Classify the sentiment of",
        "Extract the names and dates from",
        "Translate into French:",
        "Answer multiple-choice questions about",
        "Write a short title for",
        "Find the factual errors in",
        "Rewrite, for a ten-year-old,",
    )
    for subject in (
        "customer support emails.",
        "legal contracts, clause by clause.",
        "grade-school math word problems, showing each step.",
        "Python stack traces",
        "restaurant reviews in Spanish",
        "abstracts of medical papers",
    )
)


def quantize_hypernet(source: Path, target: Path, calibration_embeddings: np.ndarray) -> Path:
    """source float32 hypernet graph -> target int8 graph (source may equal target).

    calibration_embeddings: (N, E) float32 task embeddings, run one row at a time.
    """
    from onnxruntime.quantization import (
        CalibrationDataReader,
        CalibrationMethod,
        QuantFormat,
        QuantType,
        quantize_static,
    )
    from onnxruntime.quantization.shape_inference import quant_pre_process

    from t2l.export.onnx_graphs import HYPERNET_INPUT

    class Rows(CalibrationDataReader):
        def __init__(self) -> None:
            self.rows = iter(calibration_embeddings[:, None])  # (1, E) each

        def get_next(self) -> dict | None:
            row = next(self.rows, None)
            return None if row is None else {HYPERNET_INPUT: row.astype(np.float32)}

    with tempfile.TemporaryDirectory() as scratch, _quiet():
        prepared = Path(scratch) / "prepared.onnx"
        # Folds constant subgraphs (the exporter transposes and slices the head weights in the
        # graph), so every weight MatMul reads an initializer the quantizer can rewrite.
        quant_pre_process(str(source), str(prepared), skip_symbolic_shape=True)
        quantize_static(
            prepared,
            target,
            Rows(),
            quant_format=QuantFormat.QDQ,
            # MatMul only: the input projection (a Gemm) stays float32, so an embedding
            # component beyond the calibrated range is never clipped.
            op_types_to_quantize=["MatMul"],
            per_channel=True,
            # 7-bit weights: without VNNI, x86 int8 GEMMs add u8*s8 pairs in saturating int16;
            # full-range weights overflow there (observed: 16% error instead of 1.3%).
            reduce_range=True,
            weight_type=QuantType.QInt8,
            activation_type=QuantType.QUInt8,
            calibrate_method=CalibrationMethod.MinMax,
            # float32 MatMul outputs: requantizing the LoRA head outputs to 8 bits would add
            # ~1% error for little speed (ORT fuses the rest into MatMulIntegerToFloat).
            extra_options={"OpTypesToExcludeOutputQuantization": ["MatMul"]},
        )
    return target


@contextlib.contextmanager
def _quiet():
    """The quantizer logs advice at WARNING on the root logger and prints progress."""
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.ERROR)
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            yield
    finally:
        root.setLevel(level)
