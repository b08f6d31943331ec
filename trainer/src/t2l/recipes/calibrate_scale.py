"""`t2l calibrate-scale`: choose a hypernetwork's output scale on the development tasks and
write the hypernetwork again with it as its LoRA alpha (`t2l.output_scale`).

config -> hypernetwork and its encoder -> frozen base -> dev tasks and descriptions -> loss at
each scale -> choose -> calibrated hypernetwork (same weights) + results JSON.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from torch import nn

from t2l.config_io import config_to_dict
from t2l.embedding_table import DescriptionEncoder
from t2l.publish.weights import VERSION_PATTERN
from t2l.recipe_cli import add_recipe_command
from t2l.recipe_config import DEFAULT_EMBEDDING_CACHE, is_device_name, resolve_device
from t2l.task_data import TaskData

OWN_FILES = frozenset({"hypernet.json", "hypernet.safetensors"})


@dataclass(frozen=True)
class CalibrateScaleConfig:
    hypernet: str = field(default="", metadata={"help": "hypernetwork folder to calibrate "
                                                         "(checkpoint or bundle)"})
    out: str = field(default="", metadata={"help": "folder for the calibrated hypernetwork; "
                                                    "may be --hypernet itself"})
    version: str | None = field(default=None, metadata={
        "help": "new version for a published bundle: its adapters change with the scale"})
    scales: str = field(default="1,0.9,0.8,0.7,0.6,0.5,0.4,0.3",
                        metadata={"help": "candidate scales of the trained LoRA alpha"})
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
        from t2l.output_scale import parse_scales  # torch only when the command runs

        if not self.hypernet or not Path(self.hypernet).is_dir():
            raise ValueError(f"--hypernet {self.hypernet!r}: not a folder; give the hypernetwork "
                             "checkpoint or bundle to calibrate")
        if not self.out:
            raise ValueError("--out is required: where the calibrated hypernetwork goes "
                             "(--hypernet itself to calibrate in place)")
        out = Path(self.out)
        if out.is_dir() and (extra := sorted(p.name for p in out.iterdir()
                                             if p.name not in OWN_FILES)):
            raise ValueError(f"--out {self.out} holds {extra}, which a calibrated hypernetwork "
                             "would replace; write to a folder of its own and export it again")
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


def calibrate_scale(
    config: CalibrateScaleConfig,
    *,
    model: nn.Module | None = None,
    tokenizer: Any = None,
    encoder: DescriptionEncoder | None = None,
    dev_tasks: list[TaskData] | None = None,
) -> dict:
    """Calibrate and write; -> the results document. Components may be passed in (tests)."""
    from t2l.checkpoint import load_hypernet, read_hypernet_json, save_with_new_document
    from t2l.embedding_table import load_task_encoder
    from t2l.eval.methods import held_out_descriptions
    from t2l.eval.results import write_json_atomically
    from t2l.output_scale import (
        META_KEY,
        choose_scale,
        dev_losses,
        parse_scales,
        trained_lora_alpha,
    )
    from t2l.recipes.frozen_base import frozen_base
    from t2l.report.output_scale_table import OUTPUT_SCALE_SCHEMA
    from t2l.sft_batch import tokenize_example
    from t2l.task_data import load_tasks

    # Hypernetwork, its trained strength, and its own encoder.
    scales = parse_scales(config.scales)
    document = read_hypernet_json(config.hypernet)
    hypernet, meta = load_hypernet(config.hypernet)
    identity = _published_identity(meta, config)
    trained_alpha = trained_lora_alpha(hypernet.config, meta)
    trained_scaling = hypernet.scaling * trained_alpha / hypernet.config.lora_alpha
    if encoder is None:
        settings = meta.get("encoder") or {}
        encoder = load_task_encoder(
            settings["name"], pooling=settings.get("pooling"),
            normalize=settings.get("normalize"), max_length=settings.get("max_length"),
            cache_dir=config.embedding_cache)

    # Frozen base model, the one the hypernetwork was trained for.
    base_model_id = meta.get("base_model", {}).get("hf_id", "")
    base, tokenizer = frozen_base(model, tokenizer, base_model_id,
                                  ",".join(hypernet.config.targets.names),
                                  resolve_device(config.device))
    if base.targets != hypernet.config.targets:
        raise ValueError(f"--hypernet {config.hypernet}: trained for other LoRA targets than "
                         f"its base model {base_model_id!r} has")
    hypernet = hypernet.to(base.device)

    # Development tasks: their validation examples under a few of their descriptions.
    if dev_tasks is None:
        dev_tasks = load_tasks(config.dev_tasks, config.dev_task_args, "--dev-tasks")
    examples = {t.name: [tokenize_example(tokenizer, e, config.max_length) for e in t.val]
                for t in dev_tasks}
    descriptions = {t.name: held_out_descriptions(t.descriptions, config.descriptions_per_task,
                                                  config.seed, t.name) for t in dev_tasks}

    # Loss at every scale; the least task-averaged loss wins.
    per_task = dev_losses(base, hypernet, trained_scaling, encoder, examples, descriptions,
                          scales, config.batch_size)
    scale, mean_loss = choose_scale(per_task)
    for s in scales:
        logging.info("scale %.2f: dev loss %.4f%s", s, mean_loss[s], "  <-" * (s == scale))

    # The calibrated hypernetwork: same weights, alpha = trained alpha x scale.
    calibration = {"scale": scale, "trained_lora_alpha": trained_alpha,
                   "lora_alpha": trained_alpha * scale, "chosen_by": "dev_loss",
                   "dev_tasks": sorted(per_task), "scales": list(scales),
                   "dev_loss": [mean_loss[s] for s in scales]}
    new_config = replace(hypernet.config, lora_alpha=trained_alpha * scale).to_dict()
    save_with_new_document(config.hypernet, config.out, {
        **document, "config": new_config, "meta": {**meta, **identity, META_KEY: calibration}})
    results = {
        "schema": OUTPUT_SCALE_SCHEMA,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "hypernet": config.hypernet,
        "out": config.out,
        "base_model": base_model_id,
        "training": meta.get("training"),
        **calibration,
        "per_task": {name: [losses[s] for s in scales] for name, losses in per_task.items()},
        "descriptions": descriptions,
        "config": config_to_dict(config),
    }
    if config.output:
        write_json_atomically(Path(config.output), results)
    return results


def _published_identity(meta: dict, config: CalibrateScaleConfig) -> dict:
    """A published bundle's adapters are named by name@version (Contract 2), and a new scale
    changes every one of them: the calibrated bundle needs a version of its own."""
    published = meta.get("version")
    if published is None:
        if config.version is not None:
            raise ValueError(f"--version: {config.hypernet} is not a published bundle (no name "
                             "or version); publish it with `t2l publish-weights` instead")
        return {}
    if config.version is None or config.version == published:
        raise ValueError(f"--version: {config.hypernet} is published as "
                         f"{meta.get('name')}@{published}, and a new scale changes its adapters; "
                         "give the calibrated bundle a new --version")
    return {"version": config.version, "calibrated_from": f"{meta.get('name')}@{published}"}


def _run(config: CalibrateScaleConfig) -> dict:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    results = calibrate_scale(config)
    print(f"scale {results['scale']:g}: lora_alpha {results['trained_lora_alpha']:g} -> "
          f"{results['lora_alpha']:g}; wrote {config.out}")
    return results


def register(subparsers: Any) -> None:
    add_recipe_command(subparsers, "calibrate-scale", CalibrateScaleConfig, _run,
                       "choose the adapters' output scale on the dev tasks (LoRA alpha)")
