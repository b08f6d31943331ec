"""`t2l distill`: train a smaller hypernetwork to generate the adapters a trained one does.

The student sees the training tasks' description embeddings (sampled evenly across tasks) and,
for `--mixup` of each batch, blends of two descriptions; the loss is the relative ΔW error of
its adapters against the teacher's for the same input. No language-model forward pass is
needed to train. Validation reports that error on the training tasks' and on held-out tasks'
descriptions (never trained on) and, given `--heldout-tasks`, the held-out LM loss of the
student's adapters next to the teacher's, the number that says whether anything was lost.
"""

from __future__ import annotations

from pathlib import Path

import torch
from torch import nn

from t2l.checkpoint import load_hypernet, save_hypernet
from t2l.config_io import run_dir_for
from t2l.description_mixup import blend_embeddings, step_generator
from t2l.embedding_table import DescriptionEncoder, load_task_encoder
from t2l.hypernet import HyperNetwork
from t2l.hypernet_ensemble import load_hypernets
from t2l.optimization import adamw_with_schedule, optimizer_step
from t2l.recipe_cli import add_recipe_command
from t2l.recipe_config import DistillConfig
from t2l.recipes.frozen_base import frozen_base
from t2l.recon_loss import delta_w_mse
from t2l.sft_tasks import prepare_tasks, validation_losses
from t2l.task_data import TaskData, load_tasks
from t2l.task_sampler import TaskSampler
from t2l.train_state import resume_from_checkpoint, save_train_state, seed_everything
from t2l.warm_start import require_same_encoder


def distill(
    config: DistillConfig,
    *,
    model: nn.Module | None = None,
    tokenizer=None,
    encoder: DescriptionEncoder | None = None,
    tasks: list[TaskData] | None = None,
    heldout_tasks: list[TaskData] | None = None,
) -> Path:
    """Run (or resume) distillation; returns the final student folder."""
    run = run_dir_for(config, "distill")
    resume_from = run.start(config.resume)
    seed_everything(config.seed)
    device = config.torch_device()

    # Teacher (frozen), the encoder it was trained with, and the student.
    teacher, teacher_meta = load_hypernets(config.teacher, "--teacher")
    ensemble = teacher_meta.pop("ensemble", None)  # the student is one network, whatever taught it
    teacher = teacher.requires_grad_(False).eval().to(device)
    if encoder is None:
        encoder = load_task_encoder(
            config.encoder, table=config.embedding_table, cache_dir=config.embedding_cache
        )
    require_same_encoder(teacher_meta, encoder, "the teacher")
    student = HyperNetwork(config.student_config(teacher.config)).to(device)

    # Data: description embeddings of the training tasks; held-out tasks for validation.
    if tasks is None:
        tasks = load_tasks(config.tasks, config.task_args)
    if heldout_tasks is None and config.heldout_tasks:
        heldout_tasks = load_tasks(
            config.heldout_tasks, config.heldout_task_args, "--heldout-tasks"
        )
    heldout_tasks = heldout_tasks or []
    train_embeddings = [encoder.encode(t.descriptions).to(device) for t in tasks]  # each (D, E)
    pool = torch.cat(train_embeddings)  # (N, E) blend partners
    sampler = TaskSampler([len(e) for e in train_embeddings], [1] * len(tasks), config.seed)
    # Fidelity: the first description of every training task (and, below, held-out ones).
    fidelity_sets = {"val_delta_w": torch.stack([e[0] for e in train_embeddings])}

    # The base model only for the held-out LM loss, the check that counts.
    base = heldout_set = None
    if heldout_tasks:
        base, tokenizer = frozen_base(
            model,
            tokenizer,
            teacher_meta["base_model"]["hf_id"],
            ",".join(teacher.config.targets.names),
            device,
        )
        if base.targets != teacher.config.targets:
            raise ValueError(
                f"the base model's targets {base.targets.to_dict()} differ from the teacher's "
                f"{teacher.config.targets.to_dict()}; use the teacher's base model"
            )
        heldout_set = prepare_tasks(
            heldout_tasks, tokenizer, encoder, config.max_length, config.max_val_examples,
            with_train=False,
        )
        fidelity_sets["heldout_delta_w"] = torch.cat(
            [t.description_embeddings[: config.heldout_descriptions] for t in heldout_set]
        ).to(device)

    def batch_embeddings(step: int) -> torch.Tensor:
        picks = sampler.sample(config.batch_size)
        rows = torch.stack([train_embeddings[p.task][p.description] for p in picks])  # (B, E)
        blended = round(config.mixup * len(rows))
        if blended:
            generator = step_generator(config.seed, step)
            partners = pool[torch.randint(len(pool), (blended,), generator=generator)]
            rows[-blended:] = blend_embeddings(rows[-blended:], partners, generator)
        return rows

    def distill_loss(embeddings: torch.Tensor) -> torch.Tensor:
        with torch.no_grad():
            target = teacher(embeddings)
        return delta_w_mse(student(embeddings), target)

    # Optimizer, schedule, and the state to resume from.
    optimizer, scheduler = adamw_with_schedule(
        student.parameters(), config.lr, config.weight_decay, config.warmup_steps, config.max_steps
    )
    step, last_val = 0, {}
    if resume_from is not None:
        student.load_state_dict(
            load_hypernet(resume_from, expect_targets=teacher.config.targets)[0].state_dict()
        )
        step = resume_from_checkpoint(
            resume_from, optimizer=optimizer, scheduler=scheduler, sampler=sampler, run=run
        )
    else:
        start = {
            "step": 0,
            "event": "start",
            "hypernet_params": student.num_parameters(),
            "teacher_params": teacher.num_parameters(),
            "targets": teacher.config.targets.to_dict(),
            "train_tasks": len(tasks),
            "heldout_tasks": len(heldout_tasks),
        }
        if base is not None:
            start["teacher_heldout_loss"] = validation_losses(
                base, teacher, teacher.scaling, {"heldout_loss": heldout_set}, config.batch_size
            )["heldout_loss"]
        run.log(start)

    def meta() -> dict:
        training = {
            "mode": "distill",
            "tasks": [t.name for t in tasks],
            "steps": step,
            "metrics": last_val,
            "teacher": {
                "path": str(config.teacher),
                "params": teacher.num_parameters(),
                "training": teacher_meta.get("training", {}),
                **({"ensemble": ensemble} if ensemble else {}),
            },
        }
        return {**teacher_meta, "encoder": encoder.settings(), "training": training}

    @torch.no_grad()
    def validate() -> dict:
        student.eval()
        results = {name: distill_loss(z).item() for name, z in fidelity_sets.items()}
        if base is not None:
            results |= validation_losses(
                base, student, student.scaling, {"heldout_loss": heldout_set}, config.batch_size
            )
        return results

    def write_checkpoint(folder: Path) -> None:
        save_hypernet(folder, student, meta())
        save_train_state(folder, step, optimizer, scheduler, sampler)

    while config.running(step):
        step += 1
        student.train()
        loss = distill_loss(batch_embeddings(step))
        logged = optimizer_step(loss, student.parameters(), optimizer, scheduler, config.grad_clip)
        run.log_train_step(step, logged, config.max_steps)

        if config.eval_due(step):
            last_val = validate()
            run.log({"step": step, "split": "val", **last_val})
        if config.save_due(step):
            run.save_checkpoint(step, write_checkpoint, config.keep_checkpoints)

    stopped_at = run.finish(step, config.max_steps)
    return stopped_at or save_hypernet(run.root / "hypernet", student, meta())


def register(subparsers) -> None:
    add_recipe_command(
        subparsers,
        "distill",
        DistillConfig,
        distill,
        "train a smaller hypernetwork to generate a trained one's adapters",
    )
