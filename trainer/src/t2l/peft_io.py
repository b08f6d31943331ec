"""PEFT LoRA folders (Contract 2): write a generated LoRA, read LoRA folders back.

Only files are exchanged with PEFT (its documented `adapter_config.json` +
`adapter_model.safetensors` layout); the parity tests load the written folders with
`PeftModel.from_pretrained` to prove they mean what the in-memory LoRA means.
"""

from __future__ import annotations

import json
import math
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import torch
from safetensors import safe_open
from safetensors.torch import save_file

from t2l.checkpoint import staged_directory
from t2l.targets import TargetSpec

ADAPTER_CONFIG = "adapter_config.json"
ADAPTER_WEIGHTS = "adapter_model.safetensors"
# A calibrated adapter's output-scale record (`t2l.output_scale`); PEFT ignores the file, while
# an unknown key in adapter_config.json could trip its config validation.
SCALE_RECORD = "output_scale.json"
KEY_PREFIX = "base_model.model."
LoRAFactors = dict[str, tuple[torch.Tensor, torch.Tensor]]  # name -> (A (L,r,in), B (L,out,r))


@dataclass(frozen=True)
class PeftLoRA:
    """One LoRA adapter, stacked over layers: name -> (A (L, r, in), B (L, out, r))."""

    targets: TargetSpec
    weights: LoRAFactors
    rank: int
    lora_alpha: float
    use_rslora: bool = False
    base_model_name_or_path: str | None = None
    metadata: dict[str, str] = field(default_factory=dict)

    @property
    def scaling(self) -> float:
        return self.lora_alpha / (math.sqrt(self.rank) if self.use_rslora else self.rank)

    def batched(self) -> dict[str, tuple[torch.Tensor, torch.Tensor]]:
        """As a LoRA batch of one: A (1, L, r, in), B (1, L, out, r)."""
        return {name: (a[None], b[None]) for name, (a, b) in self.weights.items()}

    def delta_weights(self) -> dict[str, torch.Tensor]:
        """ΔW = scaling * B A per module: (L, out, in)."""
        return {name: self.scaling * (b @ a) for name, (a, b) in self.weights.items()}


def adapter_config(lora: PeftLoRA) -> dict:
    return {
        "peft_type": "LORA",
        "task_type": "CAUSAL_LM",
        "base_model_name_or_path": lora.base_model_name_or_path,
        "r": lora.rank,
        "lora_alpha": lora.lora_alpha,
        "use_rslora": lora.use_rslora,
        "target_modules": sorted(lora.targets.names),
        "lora_dropout": 0.0,
        "bias": "none",
        "fan_in_fan_out": any(m.fan_in_fan_out for m in lora.targets.modules),
        "use_dora": False,
        "inference_mode": True,
        "modules_to_save": None,
    }


def save_peft_adapter(
    directory: str | Path, lora: PeftLoRA, dtype: torch.dtype = torch.float32
) -> Path:
    """Write `adapter_config.json` + `adapter_model.safetensors` atomically."""
    tensors = {}
    for m in lora.targets.modules:
        a, b = lora.weights[m.name]
        expected = (
            (lora.targets.num_layers, lora.rank, m.in_features),
            (lora.targets.num_layers, m.out_features, lora.rank),
        )
        if (tuple(a.shape), tuple(b.shape)) != expected:
            raise ValueError(
                f"{m.name}: A {tuple(a.shape)} / B {tuple(b.shape)}, expected {expected}"
            )
        for layer in range(lora.targets.num_layers):
            key = KEY_PREFIX + m.path_for(layer)
            tensors[f"{key}.lora_A.weight"] = a[layer].detach().to("cpu", dtype).contiguous()
            tensors[f"{key}.lora_B.weight"] = b[layer].detach().to("cpu", dtype).contiguous()
    with staged_directory(Path(directory), ADAPTER_CONFIG) as staging:
        save_file(tensors, staging / ADAPTER_WEIGHTS, metadata={**lora.metadata, "format": "pt"})
        (staging / ADAPTER_CONFIG).write_text(json.dumps(adapter_config(lora), indent=2) + "\n")
    return Path(directory)


def write_rescaled_adapter(
    source: str | Path, directory: str | Path, lora_alpha: float, record: dict
) -> Path:
    """`source`'s weights, byte for byte, with `lora_alpha` in its config and `record` beside
    it, in `directory` (which may be `source`); atomic like `save_peft_adapter`."""
    source, directory = Path(source), Path(directory)
    config = {**json.loads((source / ADAPTER_CONFIG).read_text()), "lora_alpha": lora_alpha}
    with staged_directory(directory, ADAPTER_CONFIG) as staging:
        shutil.copyfile(source / ADAPTER_WEIGHTS, staging / ADAPTER_WEIGHTS)
        (staging / ADAPTER_CONFIG).write_text(json.dumps(config, indent=2) + "\n")
        (staging / SCALE_RECORD).write_text(json.dumps(record, indent=2) + "\n")
    return directory


def load_peft_adapter(directory: str | Path, targets: TargetSpec) -> PeftLoRA:
    """Read a PEFT LoRA folder whose modules are exactly `targets`; clear errors otherwise."""
    directory = Path(directory)
    config_path, weights_path = directory / ADAPTER_CONFIG, directory / ADAPTER_WEIGHTS
    if not config_path.is_file():
        raise ValueError(f"{config_path} not found: not a PEFT adapter folder")
    if not weights_path.is_file():
        raise ValueError(f"{weights_path} not found (only safetensors adapters are read)")
    config = json.loads(config_path.read_text())
    if config.get("peft_type") != "LORA":
        raise ValueError(f"{config_path}: peft_type {config.get('peft_type')!r}, expected 'LORA'")
    unsupported = {
        k: config[k]
        for k in ("rank_pattern", "alpha_pattern", "use_dora", "modules_to_save")
        if config.get(k)
    }
    if unsupported or config.get("bias", "none") != "none":
        raise ValueError(
            f"{config_path}: unsupported LoRA options {unsupported or config['bias']}; "
            "only plain LoRA with bias 'none' is read"
        )

    rank = int(config["r"])
    slots = {
        KEY_PREFIX + m.path_for(layer): (m.name, layer)
        for m in targets.modules
        for layer in range(targets.num_layers)
    }
    found: dict[tuple[str, int, str], torch.Tensor] = {}
    with safe_open(weights_path, framework="pt") as handle:
        metadata = handle.metadata() or {}
        for key in handle.keys():  # noqa: SIM118 (safe_open is not a dict)
            module_key, _, part = key.rpartition(".lora_")
            if module_key not in slots or part not in ("A.weight", "B.weight"):
                raise ValueError(
                    f"{weights_path}: tensor {key!r} is not a LoRA factor of the "
                    f"targets {list(targets.names)}"
                )
            found[(*slots[module_key], part[0])] = handle.get_tensor(key).float()

    weights: LoRAFactors = {}
    for m in targets.modules:
        factors = []
        for part, shape in (("A", (rank, m.in_features)), ("B", (m.out_features, rank))):
            layers = [found.get((m.name, layer, part)) for layer in range(targets.num_layers)]
            if missing := [i for i, t in enumerate(layers) if t is None]:
                raise ValueError(
                    f"{weights_path}: {m.name} lora_{part} missing for layers {missing}"
                )
            if bad := [tuple(t.shape) for t in layers if tuple(t.shape) != shape]:
                raise ValueError(
                    f"{weights_path}: {m.name} lora_{part} has shape {bad[0]}, "
                    f"expected {shape} (r={rank})"
                )
            factors.append(torch.stack(layers))
        weights[m.name] = (factors[0], factors[1])
    return PeftLoRA(
        targets=targets,
        weights=weights,
        rank=rank,
        lora_alpha=float(config["lora_alpha"]),
        use_rslora=bool(config.get("use_rslora", False)),
        base_model_name_or_path=config.get("base_model_name_or_path"),
        metadata=metadata,
    )
