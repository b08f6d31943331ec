"""`t2l train-sft`: train the hypernetwork end to end through the frozen base model.

Each step samples tasks evenly, one random description paraphrase and one training example per
sample; the hypernetwork turns each description's embedding into that sample's LoRA, and the
loss is the completion-only LM loss of the base model carrying those LoRAs. Validation covers
the training tasks' val splits and held-out tasks never trained on.
"""

from __future__ import annotations

from pathlib import Path

import torch
from torch import nn
from tqdm import tqdm

from t2l.checkpoint import load_hypernet, save_hypernet
from t2l.config_io import config_to_dict
from t2l.encoder import TaskEncoder
from t2l.hypernet import HyperNetwork
from t2l.normalize import NORMALIZATION_RULE
from t2l.recipe_cli import add_recipe_command
from t2l.recipe_config import SFTConfig
from t2l.recipes.frozen_base import base_model_id, freeze, load_frozen_base
from t2l.run_dir import RunDir
from t2l.sft_batch import collate
from t2l.sft_tasks import prepare_tasks, sft_loss, validation_loss
from t2l.targets import discover_targets
from t2l.task_data import TaskData, load_tasks
from t2l.task_sampler import TaskSampler
from t2l.train_state import load_train_state, save_train_state, seed_everything, warmup_cosine


def train_sft(
    config: SFTConfig,
    *,
    model: nn.Module | None = None,
    tokenizer=None,
    encoder: TaskEncoder | None = None,
    tasks: list[TaskData] | None = None,
    heldout_tasks: list[TaskData] | None = None,
) -> Path:
    """Run (or resume) SFT; returns the folder of the final hypernetwork. Components may be
    passed in (tests, notebooks); otherwise they are loaded as the config says."""
    run = RunDir(config.out_dir, "train-sft", config_to_dict(config))
    resume_from = run.start(config.resume)
    seed_everything(config.seed)
    device = config.torch_device()

    # Frozen base model and its LoRA targets.
    if model is None:
        model, tokenizer = load_frozen_base(config.base_model, device)
    model = freeze(model).to(device)
    targets = discover_targets(model, config.target_modules)

    # Task encoder (frozen) and hypernetwork.
    if encoder is None:
        encoder = TaskEncoder.from_pretrained(config.encoder, cache_dir=config.embedding_cache)
    hypernet = HyperNetwork(config.hypernet_config(targets, encoder.dim)).to(device)

    # Data: tokenised examples and description embeddings, computed once.
    if tasks is None:
        tasks = load_tasks(config.tasks, config.task_args)
    if heldout_tasks is None and config.heldout_tasks:
        heldout_tasks = load_tasks(
            config.heldout_tasks, config.heldout_task_args, "--heldout-tasks"
        )
    train_set = prepare_tasks(tasks, tokenizer, encoder, config.max_length, config.max_val_examples)
    heldout_set = prepare_tasks(
        heldout_tasks or [], tokenizer, encoder, config.max_length, config.max_val_examples
    )
    sampler = TaskSampler(
        [len(t.description_embeddings) for t in train_set],
        [len(t.train) for t in train_set],
        config.seed,
    )
    pad_id = (
        tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
    )

    optimizer = torch.optim.AdamW(
        hypernet.parameters(), lr=config.lr, weight_decay=config.weight_decay
    )
    scheduler = warmup_cosine(optimizer, config.warmup_steps, config.max_steps)
    step = 0
    if resume_from is not None:
        hypernet.load_state_dict(load_hypernet(resume_from, expect_targets=targets)[0].state_dict())
        state = load_train_state(resume_from, optimizer=optimizer, scheduler=scheduler)
        sampler.load_state_dict(state["sampler"])
        step = state["step"]
        run.rewind_metrics(step)
    else:
        run.log(
            {
                "step": 0,
                "event": "start",
                "hypernet_params": hypernet.num_parameters(),
                "targets": targets.to_dict(),
                "train_tasks": len(train_set),
                "heldout_tasks": len(heldout_set),
            }
        )

    def meta() -> dict:
        return {
            "base_model": {
                "hf_id": base_model_id(model, config.base_model),
                "num_layers": targets.num_layers,
            },
            "encoder": {
                "name": encoder.name,
                "dim": encoder.dim,
                "max_length": encoder.max_length,
                "pooling": encoder.pooling,
                "normalize": encoder.normalize,
            },
            "normalization": NORMALIZATION_RULE,
            "training": {
                "mode": "sft",
                "tasks": [t.name for t in train_set],
                "steps": step,
                "metrics": last_val,
            },
        }

    def validate() -> dict:
        hypernet.eval()
        args = (model, targets, hypernet, hypernet.scaling)
        results = {
            "val_loss": validation_loss(*args, train_set, config.batch_size, pad_id),
            "heldout_loss": validation_loss(*args, heldout_set, config.batch_size, pad_id),
        }
        return {k: v for k, v in results.items() if v is not None}

    def write_checkpoint(folder: Path) -> None:
        save_hypernet(folder, hypernet, meta())
        save_train_state(
            folder,
            step=step,
            optimizer=optimizer,
            scheduler=scheduler,
            sampler_state=sampler.state_dict(),
        )

    last_val: dict = {}
    progress = tqdm(total=config.max_steps, initial=step, desc="train-sft", unit="step")
    while step < config.max_steps and step != config.stop_at_step:
        step += 1
        hypernet.train()
        picks = sampler.sample(config.batch_size)
        batch = collate([train_set[p.task].train[p.example] for p in picks], pad_id)
        batch = {k: v.to(device) for k, v in batch.items()}
        embeddings = torch.stack(
            [train_set[p.task].description_embeddings[p.description] for p in picks]
        ).to(device)
        loss = sft_loss(model, targets, hypernet(embeddings), hypernet.scaling, batch)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        grad_norm = torch.nn.utils.clip_grad_norm_(hypernet.parameters(), config.grad_clip)
        optimizer.step()
        scheduler.step()

        run.log(
            {
                "step": step,
                "split": "train",
                "loss": loss.item(),
                "grad_norm": grad_norm.item(),
                "lr": scheduler.get_last_lr()[0],
            }
        )
        progress.update(1)
        progress.set_postfix(loss=f"{loss.item():.4f}")
        if step % config.eval_every == 0 or step == config.max_steps:
            last_val = validate()
            run.log({"step": step, "split": "val", **last_val})
        if step % config.save_every == 0 or step in (config.max_steps, config.stop_at_step):
            run.save_checkpoint(step, write_checkpoint, config.keep_checkpoints)
    progress.close()

    if step < config.max_steps:  # stopped early: the checkpoint is the result so far
        return run.latest_checkpoint()
    return save_hypernet(run.root / "hypernet", hypernet, meta())


def register(subparsers) -> None:
    add_recipe_command(
        subparsers,
        "train-sft",
        SFTConfig,
        train_sft,
        "train the hypernetwork by multi-task SFT through the frozen base model",
    )
