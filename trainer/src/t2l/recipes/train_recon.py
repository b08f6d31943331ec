"""`t2l train-recon`: train the hypernetwork to reproduce a library of trained LoRAs.

Each step samples library tasks evenly with one random description paraphrase each; the
hypernetwork's LoRA for that description is compared with the task's library LoRA
(`--loss zscore` on the factors, or `--loss delta_w` on ΔW). No language-model forward pass
is needed; the base model only supplies the targets. Validation reports the loss on the
training entries and on `--heldout` entries never trained on.
"""

from __future__ import annotations

from pathlib import Path

import torch
from torch import nn

from t2l.checkpoint import load_hypernet, save_hypernet
from t2l.config_io import run_dir_for
from t2l.embedding_table import DescriptionEncoder, load_task_encoder
from t2l.hypernet import HyperNetwork
from t2l.lora_library import StackedLibrary, load_library
from t2l.optimization import adamw_with_schedule, optimizer_step
from t2l.recipe_cli import add_recipe_command
from t2l.recipe_config import ReconConfig
from t2l.recipes.frozen_base import frozen_base
from t2l.recipes.hypernet_meta import hypernet_meta
from t2l.recon_loss import delta_w_mse, zscore_l1
from t2l.task_sampler import TaskSampler
from t2l.train_state import resume_from_checkpoint, save_train_state, seed_everything


def train_recon(
    config: ReconConfig,
    *,
    model: nn.Module | None = None,
    tokenizer=None,
    encoder: DescriptionEncoder | None = None,
) -> Path:
    """Run (or resume) reconstruction training; returns the final hypernetwork folder."""
    run = run_dir_for(config, "train-recon")
    resume_from = run.start(config.resume)
    seed_everything(config.seed)

    # Base model (for its targets only), encoder and hypernetwork.
    base, _ = frozen_base(
        model, tokenizer, config.base_model, config.target_modules, config.torch_device()
    )
    targets, device = base.targets, base.device
    if encoder is None:
        encoder = load_task_encoder(
            config.encoder, table=config.embedding_table, cache_dir=config.embedding_cache
        )
    hypernet = HyperNetwork(config.hypernet_config(targets, encoder.dim)).to(device)

    # Library: split into training and held-out entries, factors stacked once.
    entries = load_library(config.library, targets)
    heldout_names = [n.strip() for n in (config.heldout or "").split(",") if n.strip()]
    if unknown := sorted(set(heldout_names) - {e.name for e in entries}):
        raise ValueError(f"--heldout {unknown} not in the library")
    train_entries = [e for e in entries if e.name not in heldout_names]
    heldout_entries = [e for e in entries if e.name in heldout_names]
    if not train_entries:
        raise ValueError("--heldout leaves no library entry to train on")
    if config.loss == "zscore" and (ranks := {e.lora.rank for e in entries}) != {config.rank}:
        raise ValueError(
            f"--loss zscore needs library ranks {sorted(ranks)} to equal --rank "
            f"{config.rank}; use --loss delta_w for other ranks"
        )
    library = StackedLibrary(entries, hypernet.scaling, device)
    scales = StackedLibrary(train_entries, hypernet.scaling, device).factor_scales()
    embeddings = [encoder.encode(e.descriptions).to(device) for e in entries]  # each (D, E)
    train_index = [entries.index(e) for e in train_entries]
    heldout_index = [entries.index(e) for e in heldout_entries]
    sampler = TaskSampler(
        [len(embeddings[i]) for i in train_index], [1] * len(train_index), config.seed
    )

    def recon_loss(indices: list[int], task_embeddings: torch.Tensor) -> torch.Tensor:
        predicted, target = hypernet(task_embeddings), library.select(indices)
        if config.loss == "zscore":
            return zscore_l1(predicted, target, scales)
        return delta_w_mse(predicted, target)

    # Optimizer, schedule, and the state to resume from.
    optimizer, scheduler = adamw_with_schedule(
        hypernet.parameters(), config.lr, config.weight_decay, config.warmup_steps, config.max_steps
    )
    step, last_val = 0, {}
    if resume_from is not None:
        hypernet.load_state_dict(load_hypernet(resume_from, expect_targets=targets)[0].state_dict())
        step = resume_from_checkpoint(
            resume_from, optimizer=optimizer, scheduler=scheduler, sampler=sampler, run=run
        )
    else:
        run.log(
            {
                "step": 0,
                "event": "start",
                "hypernet_params": hypernet.num_parameters(),
                "targets": targets.to_dict(),
                "library": [e.name for e in entries],
                "heldout": heldout_names,
            }
        )

    def meta() -> dict:
        names = [e.name for e in train_entries]
        return hypernet_meta(
            base, config.base_model, encoder, f"recon-{config.loss}", names, step, last_val
        )

    @torch.no_grad()
    def validate() -> dict:
        hypernet.eval()
        results = {}
        for metric, indices in (("val_loss", train_index), ("heldout_loss", heldout_index)):
            if indices:
                first = torch.stack([embeddings[i][0] for i in indices])
                results[metric] = recon_loss(indices, first).item()
        return results

    def write_checkpoint(folder: Path) -> None:
        save_hypernet(folder, hypernet, meta())
        save_train_state(folder, step, optimizer, scheduler, sampler)

    while config.running(step):
        step += 1
        hypernet.train()
        picks = sampler.sample(config.batch_size)
        indices = [train_index[p.task] for p in picks]
        task_embeddings = torch.stack(
            [embeddings[i][p.description] for i, p in zip(indices, picks, strict=True)]
        )
        loss = recon_loss(indices, task_embeddings)
        logged = optimizer_step(loss, hypernet.parameters(), optimizer, scheduler, config.grad_clip)
        run.log_train_step(step, logged, config.max_steps)

        if config.eval_due(step):
            last_val = validate()
            run.log({"step": step, "split": "val", **last_val})
        if config.save_due(step):
            run.save_checkpoint(step, write_checkpoint, config.keep_checkpoints)

    stopped_at = run.finish(step, config.max_steps)
    return stopped_at or save_hypernet(run.root / "hypernet", hypernet, meta())


def register(subparsers) -> None:
    add_recipe_command(
        subparsers,
        "train-recon",
        ReconConfig,
        train_recon,
        "train the hypernetwork to reproduce a library of trained LoRAs",
    )
