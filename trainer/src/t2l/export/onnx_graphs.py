"""PyTorch -> ONNX for the two bundle graphs (Contract 1), with the names the gpu-worker reads.

- encoder.onnx: `input_ids`, `attention_mask` int64 (B, T) -> `embedding` float32 (B, E); the
  TaskEncoder's pooling and L2 normalisation are part of its forward, so they are in the graph.
- hypernet.onnx: `task_embedding` float32 (B, E) -> `lora_A.<m>` (B, L, r, in) and
  `lora_B.<m>` (B, L, out, r) per target module m.

Both have a dynamic batch axis (and the encoder a dynamic token axis). The hypernetwork goes
through the dynamo exporter. The encoder goes through the TorchScript exporter with eager
attention, because ONNX Runtime's transformer optimizer recognises that graph and fuses it into
its Attention / SkipLayerNormalization / BiasGelu / EmbedLayerNormalization kernels, while the
dynamo graph's attention matches none of its patterns. Measured on all-MiniLM-L6-v2, one
24-token description on 2 CPU threads: 9.3 ms (dynamo) -> 7.2 ms (fused).
"""

from __future__ import annotations

import contextlib
import io
import logging
import warnings
from collections.abc import Iterator
from pathlib import Path

import onnx
import torch
from torch import nn

from t2l.encoder import TaskEncoder
from t2l.hypernet import HyperNetwork

OPSET = 18
# The TorchScript exporter's newest opset; ONNX Runtime's fusions match its graphs.
ENCODER_OPSET = 17
# Hugging Face model types whose graph ONNX Runtime's "bert" optimizer fuses.
FUSABLE_ENCODER_TYPES = frozenset({"bert", "roberta", "xlm-roberta"})
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
    dims = {0: "batch", 1: "tokens"}
    buffer = io.BytesIO()
    with _eager_attention(encoder.model), _quiet():
        torch.onnx.export(
            encoder.eval(),
            (sample["input_ids"], sample["attention_mask"]),
            buffer,
            input_names=list(ENCODER_INPUTS),
            output_names=[ENCODER_OUTPUT],
            dynamic_axes={"input_ids": dims, "attention_mask": dims, ENCODER_OUTPUT: {0: "batch"}},
            opset_version=ENCODER_OPSET,
            dynamo=False,
        )
    model = onnx.load_from_string(buffer.getvalue())
    config = encoder.model.config
    if config.model_type in FUSABLE_ENCODER_TYPES:
        model = _fuse_transformer(model, config.num_attention_heads, config.hidden_size)
    return _save(model, path)


def _fuse_transformer(model: onnx.ModelProto, num_heads: int, hidden_size: int) -> onnx.ModelProto:
    """ONNX Runtime's transformer fusions, applied offline (opt_level 0: fusions only, nothing
    specific to this machine), so every runtime that loads the bundle gets the fused kernels."""
    from onnxruntime.transformers.optimizer import optimize_model

    with _quiet():
        fused = optimize_model(
            model, model_type="bert", num_heads=num_heads, hidden_size=hidden_size, opt_level=0
        )
    model = fused.model
    # The fused kernels live in ONNX Runtime's domain; not every fusion path declares it.
    domains = {node.domain for node in model.graph.node} - {""}
    declared = {entry.domain for entry in model.opset_import}
    model.opset_import.extend(onnx.helper.make_opsetid(d, 1) for d in sorted(domains - declared))
    return model


@contextlib.contextmanager
def _eager_attention(model: nn.Module) -> Iterator[None]:
    """Attention as plain matmul/softmax while tracing (the pattern the fusions recognise)."""
    previous = model.config._attn_implementation
    model.set_attn_implementation("eager")
    try:
        yield
    finally:
        model.set_attn_implementation(previous)


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


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """No progress prints, tracing warnings or optimizer advice from the exporters."""
    with torch.no_grad(), warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")
        for name in ("torch.onnx", "onnxruntime.transformers"):
            logging.getLogger(name).setLevel(logging.ERROR)
        yield


def _quiet_export(module: nn.Module, args: tuple, **kwargs):
    """torch.onnx.export(dynamo=True), quietly."""
    with _quiet():
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
