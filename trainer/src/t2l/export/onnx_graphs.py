"""PyTorch -> ONNX for the two bundle graphs (Contract 1), with the names the gpu-worker reads.

- encoder.onnx: `input_ids`, `attention_mask` int64 (B, T) -> `embedding` float32 (B, E); the
  TaskEncoder's pooling and L2 normalisation are part of its forward, so they are in the graph.
- hypernet.onnx: `task_embedding` float32 (B, E) -> `lora_A.<m>` (B, L, r, in) and
  `lora_B.<m>` (B, L, out, r) per target module m.

Both use the dynamo exporter with a dynamic batch axis (and a dynamic token axis for the encoder).
"""

from __future__ import annotations

import contextlib
import io
import logging
import warnings
from pathlib import Path

import onnx
import torch
from torch import nn

from t2l.encoder import TaskEncoder
from t2l.hypernet import HyperNetwork

OPSET = 18
ENCODER_INPUTS = ("input_ids", "attention_mask")
ENCODER_OUTPUT = "embedding"
HYPERNET_INPUT = "task_embedding"


def hypernet_output_names(hypernet: HyperNetwork) -> list[str]:
    return [f"lora_{ab}.{name}" for name in hypernet.config.targets.names for ab in ("A", "B")]


class _FlatHyperNetwork(nn.Module):
    """The hypernetwork with a flat tuple output, in `hypernet_output_names` order."""

    def __init__(self, hypernet: HyperNetwork) -> None:
        super().__init__()
        self.hypernet = hypernet

    def forward(self, task_embedding: torch.Tensor) -> tuple[torch.Tensor, ...]:
        loras = self.hypernet(task_embedding)
        return tuple(t for name in self.hypernet.config.targets.names for t in loras[name])


def export_encoder(encoder: TaskEncoder, path: Path) -> Path:
    """Trace with a padded batch so the attention-mask path is what gets exported."""
    sample = encoder.tokenizer(
        ["a padded sample for tracing the attention mask", "short"],
        padding=True,
        truncation=True,
        max_length=encoder.max_length,
        return_tensors="pt",
    )
    batch = torch.export.Dim("batch")
    tokens = torch.export.Dim("tokens", max=encoder.max_length)
    dims = {0: batch, 1: tokens}
    # The exporter names values after modules; BERT has one called `embedding`, so the graph
    # output gets a neutral name first and takes the contract name after export.
    program = _quiet_export(
        encoder.eval(),
        (sample["input_ids"], sample["attention_mask"]),
        input_names=list(ENCODER_INPUTS),
        output_names=["pooled_output"],
        dynamic_shapes={"input_ids": dims, "attention_mask": dims},
    )
    model = program.model_proto
    _rename_value(model, ENCODER_OUTPUT, f"{ENCODER_OUTPUT}_internal")
    _rename_value(model, "pooled_output", ENCODER_OUTPUT)
    return _save(model, path)


def export_hypernet(hypernet: HyperNetwork, path: Path) -> Path:
    sample = torch.zeros(2, hypernet.config.embed_dim)
    names = hypernet_output_names(hypernet)
    program = _quiet_export(
        _FlatHyperNetwork(hypernet.eval()),
        (sample,),
        input_names=[HYPERNET_INPUT],
        output_names=[f"out_{i}" for i in range(len(names))],
        dynamic_shapes={HYPERNET_INPUT: {0: torch.export.Dim("batch")}},
    )
    model = program.model_proto
    for i, name in enumerate(names):
        _rename_value(model, name, f"{name}_internal")
        _rename_value(model, f"out_{i}", name)
    return _save(model, path)


def _quiet_export(module: nn.Module, args: tuple, **kwargs):
    """torch.onnx.export(dynamo=True) without its progress prints and tracing warnings."""
    with torch.no_grad(), warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")
        logging.getLogger("torch.onnx").setLevel(logging.ERROR)
        program = torch.onnx.export(
            module,
            args,
            None,
            opset_version=OPSET,
            dynamo=True,
            external_data=False,
            verbose=False,
            **kwargs,
        )
    if program is None:
        raise RuntimeError("torch.onnx.export returned no program")
    return program


def _rename_value(model: onnx.ModelProto, old: str, new: str) -> None:
    """Rename a value everywhere it appears in the main graph (nodes, outputs, value infos)."""
    graph = model.graph
    for node in graph.node:
        node.input[:] = [new if name == old else name for name in node.input]
        node.output[:] = [new if name == old else name for name in node.output]
    for info in [*graph.input, *graph.output, *graph.value_info]:
        if info.name == old:
            info.name = new
    for init in graph.initializer:
        if init.name == old:
            init.name = new


def _save(model: onnx.ModelProto, path: Path) -> Path:
    onnx.checker.check_model(model)
    path.write_bytes(model.SerializeToString())
    return path
