"""`t2l train-lora`: the baselines, a plain LoRA per task or one LoRA for all tasks.

Same data path, loss, schedule and checkpointing as `train-sft`, with the hypernetwork replaced
by one set of LoRA weights. The result is a PEFT folder (Contract 2); a per-task run also
writes `task.json` (name, descriptions), which makes it an entry of a `train-recon` library.
"""

from __future__ import annotations

import json
from pathlib import Path

from torch import nn

from t2l.config_io import run_dir_for
from t2l.lora_parameters import LoRAParameters
from t2l.optimization import adamw_with_schedule, optimizer_step
from t2l.peft_io import LoRAFactors, PeftLoRA, load_peft_adapter, save_peft_adapter
from t2l.recipe_cli import add_recipe_command
from t2l.recipe_config import LoRATrainConfig
from t2l.recipes.frozen_base import base_model_id, frozen_base
from t2l.sft_tasks import (
    prepare_tasks,
    require_training_examples,
    sample_batch,
    sft_loss,
    validation_losses,
)
from t2l.targets import TargetSpec
from t2l.task_data import TaskData, load_tasks
from t2l.task_sampler import TaskSampler
from t2l.train_state import resume_from_checkpoint, save_train_state, seed_everything

TASK_FILE = "task.json"


def train_lora(
    config: LoRATrainConfig,
    *,
    model: nn.Module | None = None,
    tokenizer=None,
    tasks: list[TaskData] | None = None,
    heldout_tasks: list[TaskData] | None = None,
) -> Path:
    """Run (or resume) LoRA training; returns the final PEFT adapter folder."""
    run = run_dir_for(config, "train-lora")
    resume_from = run.start(config.resume)
    seed_everything(config.seed)

    # Frozen base model, its targets, and the LoRA being trained.
    base, tokenizer = frozen_base(
        model, tokenizer, config.base_model, config.target_modules, config.torch_device()
    )
    lora = LoRAParameters(base.targets, config.rank).to(base.device)
    scaling = config.lora_alpha / (config.rank**0.5 if config.use_rslora else config.rank)

    # Data: one task (per-task LoRA) or all of them (multi-task LoRA).
    if tasks is None:
        tasks = load_tasks(config.tasks, config.task_args)
    if config.task is not None:
        tasks = [t for t in tasks if t.name == config.task] or _unknown_task(config.task, tasks)
    if heldout_tasks is None and config.heldout_tasks:
        heldout_tasks = load_tasks(
            config.heldout_tasks, config.heldout_task_args, "--heldout-tasks"
        )
    train_set = prepare_tasks(tasks, tokenizer, None, config.max_length, config.max_val_examples)
    heldout_set = prepare_tasks(
        heldout_tasks or [], tokenizer, None, config.max_length, config.max_val_examples,
        with_train=False,
    )
    require_training_examples(train_set)
    sampler = TaskSampler([1] * len(train_set), [len(t.train) for t in train_set], config.seed)

    # Optimizer, schedule, and the state to resume from.
    optimizer, scheduler = adamw_with_schedule(
        lora.parameters(), config.lr, config.weight_decay, config.warmup_steps, config.max_steps
    )
    step = 0
    if resume_from is not None:
        lora.load_factors(load_peft_adapter(resume_from, base.targets).weights)
        step = resume_from_checkpoint(
            resume_from, optimizer=optimizer, scheduler=scheduler, sampler=sampler, run=run
        )
    else:
        start = {
            "step": 0,
            "event": "start",
            "train_tasks": len(train_set),
            "lora_params": sum(p.numel() for p in lora.parameters()),
            "targets": base.targets.to_dict(),
        }
        if config.init_from:
            lora.load_factors(_warm_start_weights(config, base.targets))
            start["init_from"] = config.init_from
        run.log(start)

    def write_adapter(folder: Path) -> Path:
        factors = {k: (a.detach(), b.detach()) for k, (a, b) in lora.factors().items()}
        adapter = PeftLoRA(
            base.targets,
            factors,
            config.rank,
            config.lora_alpha,
            config.use_rslora,
            base_model_id(base.model, config.base_model),
        )
        return save_peft_adapter(folder, adapter)

    def write_checkpoint(folder: Path) -> None:
        write_adapter(folder)
        save_train_state(folder, step, optimizer, scheduler, sampler)

    while config.running(step):
        step += 1
        examples, _ = sample_batch(train_set, sampler.sample(config.batch_size), base.device)
        loss = sft_loss(base, lora(), scaling, examples)
        logged = optimizer_step(loss, lora.parameters(), optimizer, scheduler, config.grad_clip)
        run.log_train_step(step, logged, config.max_steps)

        if config.eval_due(step):
            val = validation_losses(
                base,
                lambda _: lora(),
                scaling,
                {"val_loss": train_set, "heldout_loss": heldout_set},
                config.batch_size,
            )
            run.log({"step": step, "split": "val", **val})
        if config.save_due(step):
            run.save_checkpoint(step, write_checkpoint, config.keep_checkpoints)

    stopped_at = run.finish(step, config.max_steps)
    if stopped_at is not None:
        return stopped_at
    final = write_adapter(run.root / "adapter")
    if config.task is not None:
        record = {"name": tasks[0].name, "descriptions": list(tasks[0].descriptions)}
        (final / TASK_FILE).write_text(json.dumps(record, indent=2) + "\n")
    return final


def _warm_start_weights(config: LoRATrainConfig, targets: TargetSpec) -> LoRAFactors:
    """The --init-from adapter's factors, refused unless its product is what this run trains.

    The step-0 adapter must act exactly as the source does, so rank, alpha and rsLoRA must all
    agree: a different scaling would start the fine-tune from another function. A calibrated
    adapter (`t2l calibrate-scale`) carries its serving alpha; give that as --lora-alpha, or
    start from the uncalibrated adapter it was made from."""
    source = load_peft_adapter(config.init_from, targets)
    theirs = {"rank": source.rank, "lora_alpha": source.lora_alpha, "use_rslora": source.use_rslora}
    ours = {"rank": config.rank, "lora_alpha": config.lora_alpha, "use_rslora": config.use_rslora}
    differing = {k: (theirs[k], ours[k]) for k in ours if float(theirs[k]) != float(ours[k])}
    if differing:
        raise ValueError(
            f"--init-from {config.init_from} is a different LoRA (theirs vs this run's: "
            f"{differing}); set --rank/--lora-alpha/--use-rslora to match it"
        )
    return source.weights


def _unknown_task(name: str, tasks: list[TaskData]) -> list[TaskData]:
    raise ValueError(f"--task {name!r} is not among the tasks {[t.name for t in tasks]}")


def register(subparsers) -> None:
    add_recipe_command(
        subparsers,
        "train-lora",
        LoRATrainConfig,
        train_lora,
        "train a plain LoRA on one task (--task) or on all tasks (baselines)",
    )
