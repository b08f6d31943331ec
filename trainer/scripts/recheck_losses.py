"""Recompute, on this CPU, the validation losses a run logged elsewhere (a GPU) at a checkpoint.

    .venv/bin/python trainer/scripts/recheck_losses.py RUN_DIR STEP [--weights FOLDER]
        [--out FILE]

The artifact is the platform's only if it scores here what it scored where it trained: the
H200 run of 2026-11-28 logged a held-out loss of 1.00 for weights that score 2.47 on this CPU
(trainer/scripts/device_parity.py found why). RUN_DIR is a `t2l train-sft` or `t2l train-lora`
folder; its resolved config.json says which tasks, lengths and batch size the logged losses used,
and metrics.jsonl holds them. --weights overrides where the step's weights are (a published
fp16 copy, say: the difference then includes fp16 rounding). Prints and writes both sets of
losses and their largest relative difference.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import torch

from t2l.checkpoint import CONFIG_FILE, load_hypernet
from t2l.embedding_table import load_task_encoder
from t2l.peft_io import load_peft_adapter
from t2l.recipes.frozen_base import frozen_base
from t2l.run_dir import validation_losses_at
from t2l.sft_tasks import max_relative_difference, prepare_tasks, validation_losses
from t2l.task_data import load_tasks

SETS = {"val_loss": ("tasks", "task_args"), "heldout_loss": ("heldout_tasks", "heldout_task_args"),
        "dev_loss": ("dev_tasks", "dev_task_args")}


def logged_losses(run_dir: Path, step: int) -> dict[str, float]:
    losses = validation_losses_at(run_dir, step)
    if losses is None:
        raise ValueError(f"{run_dir}/metrics.jsonl has no validation row at step {step}; pass a "
                         "step the run validated at (its --eval-every)")
    return losses


def recomputed_losses(config: dict, weights: Path, names: list[str], table: str | None) -> dict:
    base, tokenizer = frozen_base(None, None, config["base_model"], config["target_modules"],
                                  torch.device("cpu"))
    is_hypernet = (weights / CONFIG_FILE).is_file()
    if is_hypernet:
        hypernet = load_hypernet(weights, expect_targets=base.targets)[0].eval()
        source, scaling, encoder = hypernet, hypernet.scaling, load_task_encoder(table=table)
    else:  # a PEFT adapter: the same LoRA whatever the task
        adapter = load_peft_adapter(weights, base.targets)
        factors = {k: (a[None], b[None]) for k, (a, b) in adapter.weights.items()}
        source, scaling, encoder = (lambda _: factors), adapter.scaling, None
    sets = {}
    for metric in names:
        tasks_key, args_key = SETS[metric]
        tasks = load_tasks(config[tasks_key], config.get(args_key) or {}, f"--{tasks_key}")
        sets[metric] = prepare_tasks(tasks, tokenizer, encoder, config["max_length"],
                                     config["max_val_examples"], with_train=False)
    with torch.no_grad():
        return validation_losses(base, source, scaling, sets, config["batch_size"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("run_dir", type=Path)
    parser.add_argument("step", type=int)
    parser.add_argument("--weights", type=Path, default=None,
                        help="default: RUN_DIR/checkpoints/step-NNNNNNNN")
    parser.add_argument("--table", default=None, help="embedding table instead of the encoder")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    weights = args.weights or args.run_dir / "checkpoints" / f"step-{args.step:08d}"
    if not weights.is_dir():
        raise SystemExit(f"--weights {weights} is not a folder")
    config = json.loads((args.run_dir / "config.json").read_text())["config"]  # resolved
    logged = logged_losses(args.run_dir, args.step)
    here = recomputed_losses(config, weights, sorted(logged), args.table)
    worst = max_relative_difference(here, logged)
    report = {"run_dir": str(args.run_dir), "step": args.step, "weights": str(weights),
              "logged": logged, "this_cpu": here, "max_relative_difference": worst}
    text = json.dumps(report, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
