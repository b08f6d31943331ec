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
from tqdm import tqdm

from t2l.checkpoint import load_hypernet, save_hypernet
from t2l.config_io import config_to_dict
from t2l.encoder import TaskEncoder
from t2l.hypernet import HyperNetwork
from t2l.lora_library import StackedLibrary, load_library
from t2l.normalize import NORMALIZATION_RULE
from t2l.optimization import optimizer_step, warmup_cosine
from t2l.recipe_cli import add_recipe_command
from t2l.recipe_config import ReconConfig
from t2l.recipes.frozen_base import base_model_id, frozen_base
from t2l.recon_loss import delta_w_mse, zscore_l1
from t2l.run_dir import RunDir
from t2l.task_sampler import TaskSampler
from t2l.train_state import load_train_state, save_train_state, seed_everything


def train_recon(
    config: ReconConfig,
    *,
    model: nn.Module | None = None,
    tokenizer=None,
    encoder: TaskEncoder | None = None,
) -> Path:
    """Run (or resume) reconstruction training; returns the final hypernetwork folder."""
    run = RunDir(config.out_dir, "train-recon", config_to_dict(config))
    resume_from = run.start(config.resume)
    seed_everything(config.seed)

    # Base model (for its targets only), encoder and hypernetwork.
    base, _ = frozen_base(
        model, tokenizer, config.base_model, config.target_modules, config.torch_device()
    )
    targets, device = base.targets, base.device
    if encoder is None:
        encoder = TaskEncoder.from_pretrained(config.encoder, cache_dir=config.embedding_cache)
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
        return delta_w_mse(predicted, target, hypernet.scaling)

    # Optimizer, schedule, and the state to resume from.
    optimizer = torch.optim.AdamW(
        hypernet.parameters(), lr=config.lr, weight_decay=config.weight_decay
    )
    scheduler = warmup_cosine(optimizer, config.warmup_steps, config.max_steps)
    step, last_val = 0, {}
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
                "library": [e.name for e in entries],
                "heldout": heldout_names,
            }
        )

    def meta() -> dict:
        return {
            "base_model": {
                "hf_id": base_model_id(base.model, config.base_model),
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
                "mode": f"recon-{config.loss}",
                "tasks": [e.name for e in train_entries],
                "steps": step,
                "metrics": last_val,
            },
        }

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
        save_train_state(
            folder,
            step=step,
            optimizer=optimizer,
            scheduler=scheduler,
            sampler_state=sampler.state_dict(),
        )

    progress = tqdm(total=config.max_steps, initial=step, desc="train-recon", unit="step")
    while step < config.max_steps and step != config.stop_at_step:
        step += 1
        hypernet.train()
        picks = sampler.sample(config.batch_size)
        indices = [train_index[p.task] for p in picks]
        task_embeddings = torch.stack(
            [embeddings[i][p.description] for i, p in zip(indices, picks, strict=True)]
        )
        loss = recon_loss(indices, task_embeddings)
        logged = optimizer_step(loss, hypernet.parameters(), optimizer, scheduler, config.grad_clip)
        run.log({"step": step, "split": "train", **logged})
        progress.update(1)
        progress.set_postfix(loss=f"{logged['loss']:.4f}")

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
        "train-recon",
        ReconConfig,
        train_recon,
        "train the hypernetwork to reproduce a library of trained LoRAs",
    )
