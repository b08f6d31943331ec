"""The LoRA adapters under evaluation, always as PEFT folders (Contract 2).

Trained LoRAs are read from their folders; T2L adapters are generated from a description,
written with `t2l.peft_io` and loaded back, so every adapter is scored exactly as a user
would load it with `PeftModel`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import torch
from peft import PeftModel, set_peft_model_state_dict
from safetensors.torch import load_file
from torch import nn

from t2l.checkpoint import load_hypernet
from t2l.description_guidance import guided_loras, guided_rank_and_alpha
from t2l.embedding_table import hypernet_encoder
from t2l.normalize import description_sha256
from t2l.peft_io import ADAPTER_CONFIG, ADAPTER_WEIGHTS, PeftLoRA, save_peft_adapter
from t2l.targets import discover_targets


def require_peft_folder(folder: Path, flag: str) -> Path:
    if not (folder / ADAPTER_CONFIG).is_file() or not (folder / ADAPTER_WEIGHTS).is_file():
        raise ValueError(
            f"{flag} {folder}: not a PEFT LoRA folder (needs {ADAPTER_CONFIG} and "
            f"{ADAPTER_WEIGHTS}); train one with the train-lora recipe"
        )
    return folder


class AdapterHost:
    """One base model with named PEFT adapters; `active(name)` selects one (None: the base)."""

    def __init__(self, model: nn.Module) -> None:
        self.base = model
        self.peft: PeftModel | None = None
        self.loaded: set[str] = set()

    def load(self, name: str, folder: Path) -> None:
        if name in self.loaded:
            # Same adapter slot, new weights: configs of one source (e.g. one hypernet) match.
            state = load_file(str(folder / ADAPTER_WEIGHTS))
            set_peft_model_state_dict(self.peft, state, adapter_name=name)
            return
        if self.peft is None:
            self.peft = PeftModel.from_pretrained(self.base, folder, adapter_name=name)
        else:
            self.peft.load_adapter(folder, adapter_name=name)
        self.peft.eval()
        self.loaded.add(name)

    @contextmanager
    def active(self, name: str | None) -> Iterator[nn.Module]:
        if name is None:
            if self.peft is None:
                yield self.base
            else:
                with self.peft.disable_adapter():
                    yield self.peft
            return
        if self.peft is None or name not in self.loaded:
            raise KeyError(f"adapter {name!r} is not loaded")
        self.peft.set_adapter(name)
        yield self.peft


class T2LAdapterWriter:
    """Description -> hypernetwork -> PEFT folder, with the checkpoint's own task encoder."""

    def __init__(
        self, hypernet_dir: Path, base_model: nn.Module, base_model_id: str,
        encoder_cache: Path | None, embedding_table: str | None = None, guidance: float = 1.0,
    ) -> None:
        self.hypernet, self.meta = load_hypernet(hypernet_dir)
        self.hypernet.eval()
        targets = self.hypernet.config.targets
        if discover_targets(base_model, targets.names) != targets:
            raise ValueError(
                f"--hypernet {hypernet_dir} was trained for other LoRA targets than the base "
                f"model's ({targets.to_dict()}); use a checkpoint trained for --base-model"
            )
        self.encoder = hypernet_encoder(self.meta, table=embedding_table, cache_dir=encoder_cache)
        if self.encoder.dim != self.hypernet.config.embed_dim:
            raise ValueError(
                f"--hypernet {hypernet_dir}: expects {self.hypernet.config.embed_dim}-dim task "
                f"embeddings but encoder {self.encoder.name} gives {self.encoder.dim}"
            )
        self.base_model_id = base_model_id
        self.guidance = guidance

    @torch.no_grad()
    def write(self, description: str, folder: Path) -> Path:
        embedding = self.encoder.encode([description])  # (1, E)
        # name -> (A (1, L, r, in), B (1, L, out, r)); r doubled when guided
        loras = guided_loras(self.hypernet, embedding, self.guidance)
        config = self.hypernet.config
        rank, alpha = guided_rank_and_alpha(config, self.guidance)
        lora = PeftLoRA(
            targets=config.targets,
            weights={name: (a[0], b[0]) for name, (a, b) in loras.items()},
            rank=rank, lora_alpha=alpha, use_rslora=config.use_rslora,
            base_model_name_or_path=self.base_model_id,
            metadata={"description_sha256": description_sha256(description)},
        )
        return save_peft_adapter(folder, lora)
