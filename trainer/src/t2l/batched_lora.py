"""Per-example LoRA on a frozen base model, through forward hooks.

Inside `apply_lora(...)`, every target module's output gains `scaling * x A^T B^T`, where
example i of the batch uses LoRA i (or one shared LoRA when the LoRA batch is 1). The base
weights are never touched, so gradients flow to whatever produced A and B (the hypernetwork
or plain LoRA parameters) and never to the base model. Scaling follows PEFT.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import torch
from torch import nn

from t2l.hypernet import LoRAWeights
from t2l.targets import TargetSpec


def lora_delta(x: torch.Tensor, a: torch.Tensor, b: torch.Tensor, scaling: float) -> torch.Tensor:
    """x (B, T, in), a (B|1, r, in), b (B|1, out, r) -> (B, T, out)."""
    return (x @ a.transpose(-1, -2)) @ b.transpose(-1, -2) * scaling


def check_lora_shapes(spec: TargetSpec, loras: LoRAWeights) -> int:
    """Validate names and shapes against the targets; returns the LoRA batch size."""
    if sorted(loras) != sorted(spec.names):
        raise ValueError(
            f"LoRA modules {sorted(loras)} do not match the targets {list(spec.names)}"
        )
    for m in spec.modules:
        a, b = loras[m.name]
        layered = a.dim() == b.dim() == 4 and a.shape[1] == spec.num_layers
        if not layered or b.shape[:2] != a.shape[:2]:
            raise ValueError(
                f"{m.name}: expected A (B, L, r, in) and B (B, L, out, r) with "
                f"L={spec.num_layers}, got {tuple(a.shape)} and {tuple(b.shape)}"
            )
        if a.shape[3] != m.in_features or b.shape[2] != m.out_features or a.shape[2] != b.shape[3]:
            raise ValueError(
                f"{m.name}: A {tuple(a.shape)} / B {tuple(b.shape)} do not fit "
                f"in={m.in_features}, out={m.out_features}"
            )
    batch = {a.shape[0] for a, _ in loras.values()}
    if len(batch) != 1:
        raise ValueError(f"LoRA batch sizes differ across modules: {sorted(batch)}")
    return batch.pop()


@contextmanager
def apply_lora(
    model: nn.Module, spec: TargetSpec, loras: LoRAWeights, scaling: float
) -> Iterator[None]:
    """Add the LoRAs (A (B, L, r, in), B (B, L, out, r)) to `model` for the `with` block."""
    lora_batch = check_lora_shapes(spec, loras)
    handles = []
    try:
        for m in spec.modules:
            # unbind, not a[:, layer]: its backward stacks the L per-layer gradients once,
            # where L slices would each scatter into a zero-filled full-size gradient.
            a_layers, b_layers = loras[m.name][0].unbind(1), loras[m.name][1].unbind(1)
            for layer in range(spec.num_layers):
                module = model.get_submodule(m.path_for(layer))
                hook = _LoRAHook(a_layers[layer], b_layers[layer], scaling, lora_batch)
                handles.append(module.register_forward_hook(hook))
        yield
    finally:
        for handle in handles:
            handle.remove()


class _LoRAHook:
    def __init__(self, a: torch.Tensor, b: torch.Tensor, scaling: float, lora_batch: int) -> None:
        self.a, self.b, self.scaling, self.lora_batch = a, b, scaling, lora_batch

    def __call__(self, module: nn.Module, inputs: tuple, output: torch.Tensor) -> torch.Tensor:
        x = inputs[0]  # (B, T, in)
        if self.lora_batch not in (1, x.shape[0]):
            raise ValueError(
                f"input batch {x.shape[0]} does not match the LoRA batch "
                f"{self.lora_batch}; give one LoRA per example or one for all"
            )
        delta = lora_delta(x.to(self.a.dtype), self.a, self.b, self.scaling)
        return output + delta.to(output.dtype)
