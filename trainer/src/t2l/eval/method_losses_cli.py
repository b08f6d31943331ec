"""`t2l eval-loss`: every method of `t2l eval` scored by held-out loss
-> docs/results/heldout_method_loss.json (`t2l.eval.method_losses`)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from t2l.config_io import config_to_dict
from t2l.eval.method_losses import LOSS_METHODS, REFERENCE
from t2l.recipe_cli import add_recipe_command
from t2l.recipe_config import DEFAULT_EMBEDDING_CACHE, is_device_name, resolve_device
from t2l.report.method_loss_table import METHOD_LOSS_SCHEMA
from t2l.tasks.paths import repo_root


@dataclass(frozen=True)
class MethodLossConfig:
    hypernet: str = field(default="", metadata={"help": "T2L checkpoint or bundle folder"})
    multitask_lora: str | None = field(
        default=None, metadata={"help": "PEFT folder of the multi-task LoRA baseline"})
    methods: tuple[str, ...] = LOSS_METHODS
    heldout_tasks: str = "t2l.recipes.library_tasks:split_tasks"
    heldout_task_args: dict = field(default_factory=lambda: {"split": "heldout", "val_limit": 64})
    descriptions_per_task: int = 1
    max_length: int = 256
    batch_size: int = 8
    seed: int = field(default=0, metadata={"help": "the eval's seed: same descriptions drawn"})
    device: str = "auto"
    embedding_cache: str | None = DEFAULT_EMBEDDING_CACHE
    output: str = field(
        default_factory=lambda: str(repo_root() / "docs" / "results" / "heldout_method_loss.json")
    )
    label: str | None = field(default=None, metadata={"help": "what this run is, for the report"})

    def __post_init__(self) -> None:
        unknown = [m for m in self.methods if m not in LOSS_METHODS]
        if unknown or len(set(self.methods)) != len(self.methods):
            raise ValueError(f"--methods {','.join(self.methods)}: choose each at most once "
                             f"from {','.join(LOSS_METHODS)}")
        if REFERENCE not in self.methods or len(self.methods) < 2:
            raise ValueError(f"--methods must include {REFERENCE} and at least one method to "
                             "compare it with")
        if not self.hypernet or not Path(self.hypernet).is_dir():
            raise ValueError(f"--hypernet {self.hypernet or '(missing)'}: pass the T2L "
                             "checkpoint or bundle folder")
        if "multitask_lora" in self.methods and not (
                self.multitask_lora and Path(self.multitask_lora).is_dir()):
            raise ValueError(f"--multitask-lora {self.multitask_lora or '(missing)'}: method "
                             "multitask_lora needs its PEFT folder; pass it or drop the method")
        for flag, value, least in (("--descriptions-per-task", self.descriptions_per_task, 1),
                                   ("--batch-size", self.batch_size, 1),
                                   ("--max-length", self.max_length, 8)):
            if value < least:
                raise ValueError(f"{flag} must be >= {least}, got {value}")
        if not is_device_name(self.device):
            raise ValueError(f"--device must be auto, cpu or cuda[:N], got {self.device!r}")


def run_method_losses(config: MethodLossConfig) -> dict:
    from t2l.atomic_file import write_json_atomically
    from t2l.checkpoint import load_hypernet  # torch/transformers only when the command runs
    from t2l.embedding_table import hypernet_encoder
    from t2l.eval.method_losses import (
        AdapterSources,
        condition_losses,
        method_losses,
        summarize,
    )
    from t2l.peft_io import load_peft_adapter
    from t2l.recipes.frozen_base import frozen_base
    from t2l.task_data import load_tasks

    tasks = load_tasks(config.heldout_tasks, config.heldout_task_args, "--heldout-tasks")
    hypernet, meta = load_hypernet(config.hypernet)
    base_id = meta.get("base_model", {}).get("hf_id")
    base, tokenizer = frozen_base(None, None, base_id, ",".join(hypernet.config.targets.names),
                                  resolve_device(config.device))
    multitask = None
    if "multitask_lora" in config.methods:
        multitask = load_peft_adapter(config.multitask_lora, base.targets)
    sources = AdapterSources(multitask=multitask, hypernet=hypernet.to(base.device),
                             encoder=hypernet_encoder(meta, cache_dir=config.embedding_cache))

    def score(examples, condition):
        return condition_losses(base, tokenizer, examples, condition, sources,
                                config.max_length, config.batch_size)

    per_task = method_losses(config.methods, tasks, config.descriptions_per_task, config.seed,
                             score)
    document = {
        "schema": METHOD_LOSS_SCHEMA,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "base_model": base_id,
        "hypernet_training": meta.get("training"),
        "per_task": per_task,
        **summarize(per_task),
        "config": config_to_dict(config),
    }
    write_json_atomically(Path(config.output), document)
    return document


def _run(config: MethodLossConfig) -> dict:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    document = run_method_losses(config)
    for method, loss in document["mean_loss"].items():
        excess = document["excess_over_t2l"].get(method)
        versus = f"  {excess['excess_loss']:+.4f} over t2l" if excess else ""
        print(f"{method:26s} {loss:.4f}{versus}")
    print(f"wrote {config.output}")
    return document


def register(subparsers: Any) -> None:
    add_recipe_command(subparsers, "eval-loss", MethodLossConfig, _run,
                       "held-out loss of every eval method's adapters, paired per example")
