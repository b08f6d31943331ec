"""Target discovery: which linear layers of a causal LM receive LoRA, with their shapes.

A *kind* is one module name repeated in every decoder layer (`q_proj`); its path template
(`model.layers.{layer}.self_attn.q_proj`) gives the module for each layer index. Matching follows
PEFT: a name matches a module whose dotted path equals it or ends with `.<name>`, and
`all-linear` means every Linear/Conv1D except the output embedding.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from torch import nn
from transformers.pytorch_utils import Conv1D

ALL_LINEAR = "all-linear"
DEFAULT_TARGET_MODULES = "q_proj,v_proj"
_LAYER_INDEX = re.compile(r"\.(\d+)\.")


@dataclass(frozen=True)
class TargetModule:
    """One module kind, present once in every layer with one shape."""

    name: str
    path: str  # template with `{layer}`, e.g. "model.layers.{layer}.self_attn.q_proj"
    in_features: int
    out_features: int
    fan_in_fan_out: bool = False  # weight stored (in, out), as GPT-2's Conv1D does

    def path_for(self, layer: int) -> str:
        return self.path.format(layer=layer)


@dataclass(frozen=True)
class TargetSpec:
    """All LoRA targets of a base model: `num_layers` instances of each module kind."""

    num_layers: int
    modules: tuple[TargetModule, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(module.name for module in self.modules)

    def module(self, name: str) -> TargetModule:
        for module in self.modules:
            if module.name == name:
                return module
        raise ValueError(f"no target module named {name!r}; targets are {list(self.names)}")

    def entries(self) -> list[tuple[int, str, int, int]]:
        """Every (layer, module path, in_features, out_features), layer-major."""
        return [
            (layer, m.path_for(layer), m.in_features, m.out_features)
            for layer in range(self.num_layers)
            for m in self.modules
        ]

    def to_dict(self) -> dict:
        return {
            "num_layers": self.num_layers,
            "modules": [
                {
                    "name": m.name,
                    "path": m.path,
                    "in_features": m.in_features,
                    "out_features": m.out_features,
                    "fan_in_fan_out": m.fan_in_fan_out,
                }
                for m in self.modules
            ],
        }

    @classmethod
    def from_dict(cls, data: dict) -> TargetSpec:
        return cls(
            num_layers=int(data["num_layers"]),
            modules=tuple(TargetModule(**module) for module in data["modules"]),
        )


def parse_target_modules(target_modules: str | Sequence[str]) -> tuple[str, ...]:
    names = target_modules.split(",") if isinstance(target_modules, str) else list(target_modules)
    names = [name.strip() for name in names if name.strip()]
    if not names:
        raise ValueError("--target-modules is empty; give e.g. 'q_proj,v_proj' or 'all-linear'")
    if ALL_LINEAR in names and len(names) > 1:
        raise ValueError("--target-modules: 'all-linear' cannot be combined with other names")
    return tuple(names)


def linear_shape(module: nn.Module) -> tuple[int, int] | None:
    """(in_features, out_features) of a Linear or GPT-2 Conv1D (weight stored transposed)."""
    if isinstance(module, nn.Linear):
        return module.in_features, module.out_features
    if isinstance(module, Conv1D):
        return module.weight.shape[0], module.weight.shape[1]
    return None


def discover_targets(
    model: nn.Module, target_modules: str | Sequence[str] = DEFAULT_TARGET_MODULES
) -> TargetSpec:
    """Find every (layer, module) LoRA target; raise ValueError naming what exists otherwise."""
    names = parse_target_modules(target_modules)
    linears = {
        path: (*shape, isinstance(mod, Conv1D))
        for path, mod in model.named_modules()
        if (shape := linear_shape(mod)) is not None
    }
    output_paths = _output_embedding_paths(model)

    if names == (ALL_LINEAR,):
        matched = {path: shape for path, shape in linears.items() if path not in output_paths}
    else:
        matched = {
            path: shape
            for path, shape in linears.items()
            if any(path == n or path.endswith("." + n) for n in names)
        }
        found = {n for n in names for path in matched if path == n or path.endswith("." + n)}
        if missing := [n for n in names if n not in found]:
            raise ValueError(
                f"--target-modules {','.join(missing)} matched no Linear/Conv1D module; "
                f"this model has {sorted({p.rsplit('.', 1)[-1] for p in linears})}"
            )
    if not matched:
        raise ValueError("--target-modules matched no Linear/Conv1D module")
    return _group_by_kind(matched)


def _output_embedding_paths(model: nn.Module) -> set[str]:
    get_output = getattr(model, "get_output_embeddings", None)
    output = get_output() if callable(get_output) else None
    return {path for path, mod in model.named_modules() if output is not None and mod is output}


def _group_by_kind(matched: dict[str, tuple[int, int, bool]]) -> TargetSpec:
    kinds: dict[str, dict[int, tuple[int, int, bool]]] = {}
    for path, shape in matched.items():
        indices = _LAYER_INDEX.findall(f".{path}.")
        if len(indices) != 1:
            raise ValueError(
                f"target {path!r} is not inside exactly one numbered layer stack; "
                "choose module names that repeat once per decoder layer"
            )
        template = _LAYER_INDEX.sub(".{layer}.", f".{path}.", count=1)[1:-1]
        kinds.setdefault(template, {})[int(indices[0])] = shape

    layer_sets = {template: sorted(per_layer) for template, per_layer in kinds.items()}
    num_layers = max(max(layers) for layers in layer_sets.values()) + 1
    modules = []
    for template, per_layer in kinds.items():  # insertion order = the model's module order
        if layer_sets[template] != list(range(num_layers)):
            raise ValueError(
                f"target {template!r} exists in layers {layer_sets[template]} but the model has "
                f"{num_layers} layers; every target must appear in every layer"
            )
        shapes = sorted(set(per_layer.values()))
        if len(shapes) != 1:
            found = sorted({shape[:2] for shape in shapes})
            raise ValueError(f"target {template!r} has differing (in, out) shapes {found}")
        modules.append(TargetModule(_short_name(template, list(kinds)), template, *shapes[0]))
    return TargetSpec(num_layers=num_layers, modules=tuple(modules))


def _short_name(template: str, templates: list[str]) -> str:
    """Shortest dotted suffix naming only this kind (`q_proj`; GPT-2: `attn.c_proj`)."""
    parts = template.split(".")
    for n in range(1, len(parts) + 1):
        suffix = ".".join(parts[-n:])
        others = [t for t in templates if t != template]
        if not any(t == suffix or t.endswith("." + suffix) for t in others) or "{layer}" in suffix:
            return suffix
    return template
