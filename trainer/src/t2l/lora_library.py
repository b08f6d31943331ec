"""A library of trained LoRAs with their task descriptions: what `train-recon` regresses.

Layout: any folder tree; every folder holding a PEFT adapter plus `task.json`
(`{"name", "descriptions"}`, as `t2l train-lora --task` writes) is one entry.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import torch

from t2l.hypernet import LoRAWeights
from t2l.peft_io import ADAPTER_CONFIG, PeftLoRA, load_peft_adapter
from t2l.targets import TargetSpec

TASK_FILE = "task.json"


@dataclass(frozen=True)
class LibraryEntry:
    name: str
    descriptions: list[str]
    lora: PeftLoRA


def load_library(folder: str | Path, targets: TargetSpec) -> list[LibraryEntry]:
    root = Path(folder)
    if not root.is_dir():
        raise ValueError(f"--library {root} is not a folder")
    entries = []
    for task_file in sorted(root.rglob(TASK_FILE)):
        if not (task_file.parent / ADAPTER_CONFIG).is_file():
            continue
        record = json.loads(task_file.read_text())
        if not record.get("name") or not record.get("descriptions"):
            raise ValueError(f"{task_file}: needs a name and a non-empty descriptions list")
        lora = load_peft_adapter(task_file.parent, targets)
        entries.append(LibraryEntry(record["name"], list(record["descriptions"]), lora))
    if not entries:
        raise ValueError(
            f"--library {root} holds no entries (folders with {ADAPTER_CONFIG} and "
            f"{TASK_FILE}; `t2l train-lora --task NAME` writes them)"
        )
    names = [e.name for e in entries]
    if duplicates := sorted({n for n in names if names.count(n) > 1}):
        raise ValueError(f"--library {root} has duplicate task names {duplicates}")
    return entries


class StackedLibrary:
    """All entries' factors as tensors (N, L, r, in) / (N, L, out, r), B rescaled to `scaling`
    so that scaling * B A equals each entry's own ΔW."""

    def __init__(self, entries: list[LibraryEntry], scaling: float, device: torch.device) -> None:
        self.scaling = scaling
        self.factors: LoRAWeights = {}
        for name in entries[0].lora.targets.names:
            a = torch.stack([e.lora.weights[name][0] for e in entries])
            b = torch.stack([e.lora.weights[name][1] * (e.lora.scaling / scaling) for e in entries])
            self.factors[name] = (a.to(device), b.to(device))

    def select(self, indices: list[int]) -> LoRAWeights:
        index = torch.tensor(indices, device=next(iter(self.factors.values()))[0].device)
        return {name: (a[index], b[index]) for name, (a, b) in self.factors.items()}

    def factor_scales(self) -> dict[str, tuple[torch.Tensor, torch.Tensor]]:
        """Std of A and of B per (module, layer) over the library: (1, L, 1, 1) each."""

        def spread(t: torch.Tensor) -> torch.Tensor:
            return t.std(dim=(0, 2, 3), keepdim=True).clamp(min=1e-8)

        return {name: (spread(a), spread(b)) for name, (a, b) in self.factors.items()}
