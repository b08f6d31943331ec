"""`t2l calibrate-scale`: choose the output scale of a hypernetwork's adapters, or of a trained
LoRA, on the development tasks, and write it again with that scale in its LoRA alpha
(`t2l.output_scale`).

config -> source (hypernetwork or LoRA) -> frozen base -> dev tasks -> adapters -> loss at each
scale -> choose -> calibrated copy (same weights) + results JSON.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from torch import nn

from t2l.atomic_file import write_json_atomically
from t2l.checkpoint import CONFIG_FILE, WEIGHTS_FILE
from t2l.config_io import config_to_dict
from t2l.description_guidance import require_guidance
from t2l.embedding_table import DescriptionEncoder
from t2l.eval.methods import held_out_descriptions
from t2l.hypernet_ensemble import member_folders
from t2l.output_scale import choose_scale, losses_by_scale, parse_scales
from t2l.peft_io import ADAPTER_CONFIG, ADAPTER_WEIGHTS, SCALE_RECORD
from t2l.publish.weights import VERSION_PATTERN
from t2l.recipe_cli import add_recipe_command
from t2l.recipe_config import DEFAULT_EMBEDDING_CACHE, is_device_name, resolve_device
from t2l.recipes.frozen_base import frozen_base
from t2l.recipes.scale_sources import hypernet_source, lora_source
from t2l.report.output_scale_table import OUTPUT_SCALE_SCHEMA
from t2l.sft_batch import tokenize_example
from t2l.task_data import TaskData, load_tasks

# What a calibrated hypernetwork or LoRA folder holds: nothing else there may be replaced.
OWN_FILES = frozenset({CONFIG_FILE, WEIGHTS_FILE, ADAPTER_CONFIG, ADAPTER_WEIGHTS, SCALE_RECORD})


@dataclass(frozen=True)
class CalibrateScaleConfig:
    hypernet: str = field(default="", metadata={
        "help": "hypernetwork folder to calibrate (checkpoint or bundle), or comma-separated "
                "folders: their seed ensemble is measured (--output), not written"})
    lora: str = field(default="", metadata={"help": "or a trained PEFT LoRA folder to "
                                                     "calibrate (e.g. the multi-task baseline)"})
    out: str = field(default="", metadata={"help": "folder for the calibrated copy; may be "
                                                    "the source itself"})
    version: str | None = field(default=None, metadata={
        "help": "new version for a published bundle: its adapters change with the scale"})
    scales: str = field(default="1,0.9,0.8,0.7,0.6,0.5,0.4,0.3",
                        metadata={"help": "candidate scales of the trained LoRA alpha"})
    guidance: float = field(default=1.0, metadata={
        "help": "score a hypernetwork's guided adapters (t2l.description_guidance; for "
                "description-dropout runs): the dev loss of each guidance picks it"})
    dev_tasks: str = "t2l.recipes.library_tasks:split_tasks"
    dev_task_args: dict = field(default_factory=lambda: {"split": "dev", "val_limit": 16})
    descriptions_per_task: int = 3
    max_length: int = 160
    batch_size: int = 8
    seed: int = field(default=0, metadata={"help": "draws each task's descriptions"})
    device: str = "auto"
    embedding_cache: str | None = DEFAULT_EMBEDDING_CACHE
    output: str | None = field(default=None, metadata={"help": "results JSON (losses at every "
                                                               "scale), e.g. docs/results/..."})

    def __post_init__(self) -> None:
        if bool(self.hypernet) == bool(self.lora):
            raise ValueError("give one of --hypernet (a hypernetwork folder) or --lora (a PEFT "
                             "LoRA folder) to calibrate")
        flag, source = ("--hypernet", self.hypernet) if self.hypernet else ("--lora", self.lora)
        for folder in member_folders(source) if self.hypernet else [source]:
            if not Path(folder).is_dir():
                raise ValueError(f"{flag} {folder!r}: not a folder")
        if self.is_ensemble:
            if self.out or self.version is not None or not self.output:
                raise ValueError("--hypernet lists an ensemble, which is no bundle: give "
                                 "--output for its dev losses and no --out or --version (to "
                                 "serve it, `t2l distill --teacher` it into one hypernetwork)")
        elif not self.out:
            raise ValueError(f"--out is required: where the calibrated copy goes ({flag} itself "
                             "to calibrate in place)")
        require_guidance(self.guidance)
        if self.lora and self.guidance != 1.0:
            raise ValueError("--guidance weighs a hypernetwork's description against its null "
                             "adapter; a --lora has neither")
        if self.lora and self.version is not None:
            raise ValueError("--version names a calibrated bundle; a --lora has none")
        out = Path(self.out)
        if self.out and out.is_dir() and (extra := sorted(p.name for p in out.iterdir()
                                             if p.name not in OWN_FILES)):
            raise ValueError(f"--out {self.out} holds {extra}, which the calibrated copy would "
                             "replace; write to a folder of its own (and export it again)")
        parse_scales(self.scales)
        if self.version is not None and not VERSION_PATTERN.match(self.version):
            raise ValueError(f"--version {self.version!r} must match {VERSION_PATTERN.pattern}")
        for flag, value in (("--descriptions-per-task", self.descriptions_per_task),
                            ("--batch-size", self.batch_size)):
            if value < 1:
                raise ValueError(f"{flag} must be >= 1, got {value}")
        if self.max_length < 8:
            raise ValueError(f"--max-length must be >= 8, got {self.max_length}")
        if not is_device_name(self.device):
            raise ValueError("--device must be auto, cpu or cuda[:N]")

    @property
    def is_ensemble(self) -> bool:
        return len(member_folders(self.hypernet)) > 1


def calibrate_scale(
    config: CalibrateScaleConfig,
    *,
    model: nn.Module | None = None,
    tokenizer: Any = None,
    encoder: DescriptionEncoder | None = None,
    dev_tasks: list[TaskData] | None = None,
) -> dict:
    """Calibrate and write; -> the results document. Components may be passed in (tests)."""
    # What is calibrated, the base model it was trained for, and its adapters.
    scales = parse_scales(config.scales)
    source = (hypernet_source(config.hypernet, config.version, encoder, config.embedding_cache,
                              config.guidance)
              if config.hypernet else lora_source(config.lora))
    base, tokenizer = frozen_base(model, tokenizer, source.base_model_id,
                                  ",".join(source.target_names), resolve_device(config.device))
    source.attach(base)

    # Development tasks: their validation examples, under a few of their descriptions.
    if dev_tasks is None:
        dev_tasks = load_tasks(config.dev_tasks, config.dev_task_args, "--dev-tasks")
    examples = {t.name: [tokenize_example(tokenizer, e, config.max_length) for e in t.val]
                for t in dev_tasks if t.val}
    descriptions = {t.name: held_out_descriptions(t.descriptions, config.descriptions_per_task,
                                                  config.seed, t.name) for t in dev_tasks}

    # Loss at every scale; the least task-averaged loss wins.
    per_task = {}
    for done, (name, task_examples) in enumerate(examples.items(), start=1):
        # Minutes a task on CPU, silent otherwise: say how far it is.
        per_task[name] = losses_by_scale(base, source.adapters(descriptions[name]),
                                         source.trained_scaling, task_examples, scales,
                                         config.batch_size)
        logging.info("dev task %d/%d %s: least loss %.4f at scale %.2f", done, len(examples),
                     name, *min((loss, s) for s, loss in per_task[name].items()))
    scale, mean_loss = choose_scale(per_task)
    for s in scales:
        logging.info("scale %.2f: dev loss %.4f%s", s, mean_loss[s], "  <-" * (s == scale))

    # The calibrated copy: same weights, alpha = trained alpha x scale.
    calibration = {"scale": scale, "trained_lora_alpha": source.trained_alpha,
                   "lora_alpha": source.trained_alpha * scale, "chosen_by": "dev_loss",
                   "dev_tasks": sorted(per_task), "scales": list(scales),
                   "dev_loss": [mean_loss[s] for s in scales]}
    if config.guidance != 1.0:  # the scale suits adapters made at this guidance
        calibration["guidance"] = config.guidance
    if config.out:  # an ensemble is only measured
        source.write(config.out, calibration)
    results = {
        "schema": OUTPUT_SCALE_SCHEMA,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "kind": source.kind,
        "source": config.hypernet or config.lora,
        "out": config.out,
        "base_model": source.base_model_id,
        "training": source.training,
        **calibration,
        "per_task": {name: [losses[s] for s in scales] for name, losses in per_task.items()},
        "descriptions": descriptions if source.kind == "hypernet" else None,
        "config": config_to_dict(config),
    }
    if config.output:
        write_json_atomically(Path(config.output), results)
    return results


def _run(config: CalibrateScaleConfig) -> dict:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    results = calibrate_scale(config)
    print(f"scale {results['scale']:g}: lora_alpha {results['trained_lora_alpha']:g} -> "
          f"{results['lora_alpha']:g}; wrote {config.out}")
    return results


def register(subparsers: Any) -> None:
    add_recipe_command(subparsers, "calibrate-scale", CalibrateScaleConfig, _run,
                       "choose the adapters' output scale on the dev tasks (LoRA alpha)")
