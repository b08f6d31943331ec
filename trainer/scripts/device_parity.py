"""Does the base model carrying the default bundle's adapters compute the same losses on another
device as on this CPU? Run it before training anywhere else.

    python trainer/scripts/device_parity.py [--devices cpu,cuda,cuda-tf32] [--out FILE]

Why: the H200 run of 2026-11-28 logged a held-out loss of 1.00 for its SFT checkpoint, and the
same weights score 2.47 on this CPU (tokeniser, dequantised weights and data proved identical
across the two machines' transformers versions); its multi-task LoRA did not transfer either.
Artifacts trained where the forward pass differs are not the platform's: it serves on CPU.

Per device: the completion loss of a few fixed validation examples of training and held-out
tasks, under the base model alone and carrying the bundle's adapters (first description).
`cuda-tf32` is CUDA with TF32 matmuls, as the recipes set on CUDA. `cpu-float64` is the
numerical reference. Exit 1 when a device differs from `cpu` by more than --tolerance.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path

import torch

from t2l.base_model import DEFAULT_BASE_MODEL
from t2l.checkpoint import load_hypernet
from t2l.embedding_table import load_task_encoder
from t2l.recipes.frozen_base import frozen_base
from t2l.recipes.generate import DEFAULT_CHECKPOINT
from t2l.recipes.library_tasks import split_tasks
from t2l.sft_tasks import prepare_tasks, validation_losses
from t2l.targets import DEFAULT_TARGET_MODULES

TASKS = {"train": ["ag_news", "amazon_polarity"], "heldout": ["piqa", "bbh_navigate"]}


def device_losses(name: str, bundle: Path, table: str | None, examples: int) -> dict:
    device = torch.device("cuda" if name.startswith("cuda") else "cpu")
    dtype = torch.float64 if name.endswith("float64") else torch.float32
    torch.backends.cuda.matmul.allow_tf32 = name.endswith("tf32")
    base, tokenizer = frozen_base(None, None, DEFAULT_BASE_MODEL, DEFAULT_TARGET_MODULES, device)
    base.model.to(dtype)
    hypernet = load_hypernet(bundle, expect_targets=base.targets)[0].to(device, dtype).eval()
    encoder = load_task_encoder(table=table)  # the default encoder, or its table
    tasks = [
        t
        for split, names in TASKS.items()
        for t in split_tasks(split=split, names=names, train_limit=1, val_limit=examples)
    ]
    prepared = [  # the embeddings take the model's dtype
        replace(t, description_embeddings=t.description_embeddings.to(dtype))
        for t in prepare_tasks(tasks, tokenizer, encoder, 256, examples)
    ]

    def without_adapters(z: torch.Tensor) -> dict:
        return {n: (a, b * 0) for n, (a, b) in hypernet(z).items()}

    losses = {}
    for task in prepared:
        for label, source in (("base", without_adapters), ("t2l", hypernet)):
            sets = {task.name: [task]}
            losses[f"{label}/{task.name}"] = validation_losses(
                base, source, hypernet.scaling, sets, examples
            )[task.name]
    return losses


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--devices", default="cpu,cuda,cuda-tf32")
    parser.add_argument("--bundle", type=Path, default=Path(DEFAULT_CHECKPOINT))
    parser.add_argument("--table", default=None, help="embedding table instead of the encoder")
    parser.add_argument("--examples", type=int, default=4, help="val examples per task")
    parser.add_argument("--tolerance", type=float, default=0.02, help="relative loss difference")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    devices = [d.strip() for d in args.devices.split(",") if d.strip()]
    if "cpu" not in devices:
        raise SystemExit("--devices must include cpu, the reference")
    if any(d.startswith("cuda") for d in devices) and not torch.cuda.is_available():
        raise SystemExit("--devices names cuda but torch sees no CUDA device")
    results = {d: device_losses(d, args.bundle, args.table, args.examples) for d in devices}
    reference = results["cpu"]
    worst = {
        d: max(abs(v - reference[k]) / max(abs(reference[k]), 1e-6) for k, v in losses.items())
        for d, losses in results.items()
    }
    report = {"losses": results, "max_relative_difference": worst, "tolerance": args.tolerance}
    text = json.dumps(report, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text + "\n")
    return 0 if all(w <= args.tolerance for w in worst.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
