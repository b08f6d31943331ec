"""Does the base model carrying the default bundle's adapters compute the same losses on another
device as on this CPU? Run it before training anywhere else.

    python trainer/scripts/device_parity.py [--devices cpu,cuda,cuda-tf32] [--out FILE]
        [--reference OTHER_MACHINES_REPORT.json]

Why: the H200 run of 2026-11-28 logged a held-out loss of 1.00 for its SFT checkpoint, and the
same weights score 2.47 on this CPU; its multi-task LoRA did not transfer either. This check,
run there on 2026-11-30, found the cause: that machine's transformers (5.17) reads SmolLM2's
GGUF tokenizer with another end-of-sequence token, so every loss differs, on its CPU as on its
GPU. Artifacts trained where the losses differ are not the platform's: it serves on CPU.

Per device: the completion loss of a few fixed validation examples of training and held-out
tasks, under the base model alone and carrying the bundle's adapters (first description).
`cuda-tf32` is CUDA with TF32 matmuls, as the recipes set on CUDA. `cpu-float64` is the
numerical reference. A `-eager` suffix (`cuda-eager`) swaps the attention kernels for plain
matmul-softmax ones, to tell a kernel's fault from the model's. Exit 1 when a device differs from
`cpu` by more than --tolerance, or, given --reference (this script's report from the machine
that serves), from that machine's `cpu` losses: a library version that builds the model
differently shows there and nowhere else. The report names the versions and model settings.
"""

from __future__ import annotations

import argparse
import json
import re
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
from t2l.sft_tasks import max_relative_difference, prepare_tasks, validation_losses
from t2l.targets import DEFAULT_TARGET_MODULES

DEVICE_NAME = re.compile(r"(cpu|cuda)(-float64|-tf32|-eager)*")
TASKS = {"train": ["ag_news", "amazon_polarity"], "heldout": ["piqa", "bbh_navigate"]}


def device_losses(name: str, bundle: Path, table: str | None, examples: int) -> dict:
    kind, *options = name.split("-")
    device = torch.device(kind)
    dtype = torch.float64 if "float64" in options else torch.float32
    torch.backends.cuda.matmul.allow_tf32 = "tf32" in options
    base, tokenizer = frozen_base(None, None, DEFAULT_BASE_MODEL, DEFAULT_TARGET_MODULES, device)
    base.model.to(dtype)
    if "eager" in options:
        base.model.set_attn_implementation("eager")
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


def environment() -> dict:
    """What builds the model here: library versions and the settings read from the weights."""
    import peft
    import transformers

    from t2l.base_model import load_base_model

    config = load_base_model(DEFAULT_BASE_MODEL)[0].config.to_dict()
    keys = ("rope_parameters", "rope_theta", "rms_norm_eps", "tie_word_embeddings",
            "num_key_value_heads", "_attn_implementation", "transformers_version")
    return {
        "torch": torch.__version__,
        "transformers": transformers.__version__,
        "peft": peft.__version__,
        "cuda": torch.cuda.get_device_name() if torch.cuda.is_available() else None,
        "model_config": {k: config[k] for k in keys if k in config},
    }


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
    parser.add_argument("--reference", type=Path, default=None,
                        help="this script's report from the machine that serves (its cpu losses)")
    args = parser.parse_args()
    devices = [d.strip() for d in args.devices.split(",") if d.strip()]
    if "cpu" not in devices:
        raise SystemExit("--devices must include cpu, the reference")
    unknown = [d for d in devices if not DEVICE_NAME.fullmatch(d)]
    if unknown:
        raise SystemExit(f"--devices: unknown {unknown}; use cpu or cuda, each optionally with "
                         "-float64, -tf32 and -eager")
    if any(d.startswith("cuda") for d in devices) and not torch.cuda.is_available():
        raise SystemExit("--devices names cuda but torch sees no CUDA device")
    elsewhere = json.loads(args.reference.read_text())["losses"]["cpu"] if args.reference else None
    results, errors = {}, {}
    for name in devices:  # one device's failure (a missing kernel, say) is a finding, not a stop
        try:
            results[name] = device_losses(name, args.bundle, args.table, args.examples)
        except Exception as error:  # noqa: BLE001 - reported, and the exit code says it failed
            errors[name] = f"{type(error).__name__}: {error}"
    if "cpu" not in results:
        raise SystemExit(f"the cpu reference failed: {errors['cpu']}")
    worst = {d: max_relative_difference(losses, results["cpu"]) for d, losses in results.items()}
    report = {"environment": environment(), "losses": results, "errors": errors,
              "max_relative_difference": worst, "tolerance": args.tolerance}
    differences = list(worst.values())
    if elsewhere is not None:
        report["max_relative_difference_to_reference"] = {
            d: max_relative_difference(losses, elsewhere) for d, losses in results.items()}
        differences += report["max_relative_difference_to_reference"].values()
    text = json.dumps(report, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text + "\n")
    return 0 if not errors and all(w <= args.tolerance for w in differences) else 1


if __name__ == "__main__":
    sys.exit(main())
