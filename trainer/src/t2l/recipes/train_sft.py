"""`t2l train-sft`: train the hypernetwork end to end through the frozen base model.

Each step samples tasks (or datasets, `--balance-by`) evenly, one random description paraphrase
and one training example per sample; the hypernetwork turns each description's embedding into
that sample's LoRA, and the loss is the completion-only LM loss of the base model carrying those
LoRAs (plus, when asked, description dropout, the mismatch hinge and task mixup). Validation
covers the training tasks' val splits, held-out tasks never trained on, and development tasks
(never trained on either) whose loss may pick the kept `best` hypernetwork.
"""

from __future__ import annotations

from pathlib import Path

from torch import nn

from t2l.best_checkpoint import BestCheckpoint
from t2l.checkpoint import load_hypernet, save_hypernet
from t2l.config_io import run_dir_for
from t2l.description_dropout import drop_descriptions
from t2l.description_mixup import step_generator
from t2l.embedding_table import DescriptionEncoder, load_task_encoder
from t2l.hypernet import HyperNetwork
from t2l.optimization import adamw_with_schedule, optimizer_step
from t2l.recipe_cli import add_recipe_command
from t2l.recipe_config import SFTConfig
from t2l.recipes.frozen_base import frozen_base
from t2l.recipes.hypernet_meta import hypernet_meta
from t2l.sft_tasks import (
    mismatch_hinge,
    prepare_tasks,
    require_training_examples,
    sample_batch,
    sft_loss,
    validation_losses,
)
from t2l.task_data import TaskData, load_tasks
from t2l.task_mixup import task_mixup_loss
from t2l.task_sampler import TaskSampler
from t2l.train_state import resume_from_checkpoint, save_train_state, seed_everything
from t2l.warm_start import warm_start

DROPOUT_STREAM = 1  # the description-dropout draws' generator stream (task mixup's is 0)


def train_sft(
    config: SFTConfig,
    *,
    model: nn.Module | None = None,
    tokenizer=None,
    encoder: DescriptionEncoder | None = None,
    tasks: list[TaskData] | None = None,
    heldout_tasks: list[TaskData] | None = None,
    dev_tasks: list[TaskData] | None = None,
) -> Path:
    """Run (or resume) SFT; returns the final hypernetwork folder. Components may be passed in
    (tests, notebooks); otherwise they are loaded as the config says."""
    run = run_dir_for(config, "train-sft")
    resume_from = run.start(config.resume)
    seed_everything(config.seed)

    # Frozen base model and its LoRA targets.
    base, tokenizer = frozen_base(
        model, tokenizer, config.base_model, config.target_modules, config.torch_device()
    )
    targets = base.targets

    # Task encoder (frozen) and hypernetwork.
    if encoder is None:
        encoder = load_task_encoder(
            config.encoder, table=config.embedding_table, cache_dir=config.embedding_cache
        )
    hypernet = HyperNetwork(config.hypernet_config(targets, encoder.dim)).to(base.device)

    # Data: tokenised examples and description embeddings, computed once.
    if tasks is None:
        tasks = load_tasks(config.tasks, config.task_args)
    if heldout_tasks is None and config.heldout_tasks:
        heldout_tasks = load_tasks(
            config.heldout_tasks, config.heldout_task_args, "--heldout-tasks"
        )
    if dev_tasks is None and config.dev_tasks:
        dev_tasks = load_tasks(config.dev_tasks, config.dev_task_args, "--dev-tasks")
    train_set = prepare_tasks(tasks, tokenizer, encoder, config.max_length, config.max_val_examples)
    heldout_set, dev_set = (
        prepare_tasks(extra or [], tokenizer, encoder, config.max_length, config.max_val_examples,
                      with_train=False)
        for extra in (heldout_tasks, dev_tasks)
    )
    require_training_examples(train_set)
    sampler = TaskSampler(
        [len(t.description_embeddings) for t in train_set],
        [len(t.train) for t in train_set],
        config.seed,
        [t.source_dataset for t in tasks] if config.balance_by == "dataset" else None,
    )

    validation_sets = {"val_loss": train_set, "heldout_loss": heldout_set, "dev_loss": dev_set}
    if config.keep_best and not any(t.val for t in validation_sets[config.keep_best]):
        raise ValueError(
            f"--keep-best {config.keep_best}: its tasks have no validation examples, so nothing "
            "would ever be kept; give tasks with a val split (or raise --max-val-examples)"
        )

    def validate() -> dict[str, float]:
        hypernet.eval()
        return validation_losses(
            base, hypernet, hypernet.scaling, validation_sets, config.batch_size
        )

    # Optimizer, schedule, and the state to resume from.
    optimizer, scheduler = adamw_with_schedule(
        hypernet.parameters(), config.lr, config.weight_decay, config.warmup_steps, config.max_steps
    )
    step, last_val = 0, {}
    best = BestCheckpoint(run.root, config.keep_best) if config.keep_best else None
    started_from = None  # a warm start's source, recorded in every checkpoint's meta
    if resume_from is not None:
        resumed, resumed_meta = load_hypernet(resume_from, expect_targets=targets)
        hypernet.load_state_dict(resumed.state_dict())
        started_from = resumed_meta.get("training", {}).get("init_from")
        step = resume_from_checkpoint(
            resume_from, optimizer=optimizer, scheduler=scheduler, sampler=sampler, run=run
        )
        if best is not None:
            best.restore(step)
    else:
        start = {
            "step": 0,
            "event": "start",
            "hypernet_params": hypernet.num_parameters(),
            "targets": targets.to_dict(),
            "train_tasks": len(train_set),
            "heldout_tasks": len(heldout_set),
            "dev_tasks": len(dev_set),
        }
        if config.init_from:
            source_meta = warm_start(hypernet, config.init_from, encoder)
            started_from = {"path": config.init_from, "training": source_meta.get("training")}
            start["init_from"] = started_from
            last_val = validate()
            start.update(last_val)
        run.log(start)

    def meta() -> dict:
        names = [t.name for t in train_set]
        made = hypernet_meta(
            base, config.base_model, encoder, "sft", names, step, last_val, started_from
        )
        if config.description_dropout:  # its null adapter is trained: guidance means something
            made["training"]["description_dropout"] = config.description_dropout
        return made

    def write_checkpoint(folder: Path) -> None:
        save_hypernet(folder, hypernet, meta())
        save_train_state(folder, step, optimizer, scheduler, sampler)

    def offer_best() -> None:
        def write_best(folder: Path, selected_by: dict) -> None:
            best_meta = meta()
            best_meta["training"]["selected_by"] = selected_by
            save_hypernet(folder, hypernet, best_meta)

        if best is not None and best.offer(step, last_val, write_best):
            run.log({"step": step, "event": "best", best.metric: best.value})

    if step == 0 and last_val:  # a warm start's own weights are the first candidate
        offer_best()
    while config.running(step):
        step += 1
        hypernet.train()
        picks = sampler.sample(config.batch_size)
        examples, embeddings = sample_batch(train_set, picks, base.device)
        described = embeddings
        if config.description_dropout > 0:
            described = drop_descriptions(
                embeddings, config.description_dropout,
                step_generator(config.seed, step, DROPOUT_STREAM),
            )
        loss = sft_loss(base, hypernet(described), hypernet.scaling, examples)
        if config.mismatch_weight > 0:
            hinge = mismatch_hinge(
                base, hypernet, hypernet.scaling, examples, embeddings,
                [p.task for p in picks], loss, config.mismatch_margin,
            )
            loss = loss + config.mismatch_weight * hinge
        if config.task_mixup > 0:
            mixup = task_mixup_loss(
                base, hypernet, hypernet.scaling, examples, embeddings,
                [p.task for p in picks], step_generator(config.seed, step),
            )
            loss = loss + config.task_mixup * mixup
        logged = optimizer_step(loss, hypernet.parameters(), optimizer, scheduler, config.grad_clip)
        run.log_train_step(step, logged, config.max_steps)

        if config.eval_due(step):
            last_val = validate()
            run.log({"step": step, "split": "val", **last_val})
            offer_best()
        if config.save_due(step):
            run.save_checkpoint(step, write_checkpoint, config.keep_checkpoints)

    stopped_at = run.finish(step, config.max_steps)
    return stopped_at or save_hypernet(run.root / "hypernet", hypernet, meta())


def register(subparsers) -> None:
    add_recipe_command(
        subparsers,
        "train-sft",
        SFTConfig,
        train_sft,
        "train the hypernetwork by multi-task SFT through the frozen base model",
    )
