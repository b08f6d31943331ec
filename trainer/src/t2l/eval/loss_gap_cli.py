"""`t2l loss-gap`: matched vs mismatched descriptions by held-out loss, for several
hypernetworks side by side -> docs/results/description_loss_gap.json (`t2l.eval.loss_gap`)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from t2l.config_io import config_to_dict
from t2l.description_guidance import require_guidance
from t2l.recipe_cli import add_recipe_command
from t2l.recipe_config import DEFAULT_EMBEDDING_CACHE, is_device_name, resolve_device
from t2l.report.append_rows import existing_document, with_rows_of
from t2l.report.loss_gap_table import LOSS_GAP_SCHEMA
from t2l.tasks.paths import repo_root


@dataclass(frozen=True)
class LossGapConfig:
    hypernets: str = field(
        default="",
        metadata={"help": "comma-separated LABEL=FOLDER pairs (checkpoints or bundles)"},
    )
    heldout_tasks: str = "t2l.recipes.library_tasks:split_tasks"
    heldout_task_args: dict = field(default_factory=lambda: {"split": "heldout", "val_limit": 16})
    max_length: int = 160
    batch_size: int = 8
    seed: int = field(default=0, metadata={"help": "the eval's seed: same descriptions drawn"})
    guidance: float = field(
        default=1.0,
        metadata={"help": "description guidance of every adapter: g * dW(description) + "
                          "(1 - g) * dW(null) (1: plain; for description-dropout runs)"},
    )
    device: str = "auto"
    embedding_cache: str | None = DEFAULT_EMBEDDING_CACHE
    output: str = field(
        default_factory=lambda: str(repo_root() / "docs" / "results" / "description_loss_gap.json")
    )
    append: bool = field(
        default=False,
        metadata={"help": "add these rows to --output's (same tasks, texts, length and seed), "
                          "replacing rows of the same label"},
    )

    def __post_init__(self) -> None:
        pairs = self.labelled_hypernets()
        if not pairs:
            raise ValueError("--hypernets is required: LABEL=FOLDER[,LABEL=FOLDER...]")
        for label, folder in pairs.items():
            if not Path(folder).is_dir():
                raise ValueError(f"--hypernets {label}={folder}: not a folder")
        if self.max_length < 8:
            raise ValueError("--max-length must be >= 8")
        if self.batch_size < 1:
            raise ValueError("--batch-size must be >= 1")
        require_guidance(self.guidance)
        if not is_device_name(self.device):
            raise ValueError("--device must be auto, cpu or cuda[:N]")

    def labelled_hypernets(self) -> dict[str, str]:
        pairs: dict[str, str] = {}
        for item in filter(None, (p.strip() for p in self.hypernets.split(","))):
            label, sep, folder = item.partition("=")
            if not sep or not label.strip() or not folder.strip():
                raise ValueError(f"--hypernets {item!r}: write LABEL=FOLDER")
            if label.strip() in pairs:
                raise ValueError(f"--hypernets: label {label.strip()!r} given twice")
            pairs[label.strip()] = folder.strip()
        return pairs


# What two documents must share for their rows to be comparable side by side.
COMPARABLE_CONFIG = ("heldout_tasks", "heldout_task_args", "max_length", "seed")


def appended(document: dict, path: Path) -> dict:
    """`document` with the rows of the one at `path` it does not replace, theirs first; refused
    unless both scored the same examples under the same descriptions."""
    existing = existing_document(path, LOSS_GAP_SCHEMA)
    differs = [key for key in COMPARABLE_CONFIG
               if existing["config"].get(key) != document["config"][key]]
    differs += [key for key in ("base_model", "descriptions") if existing[key] != document[key]]
    if differs:
        raise ValueError(f"--append: {path} was scored with other {differs}; rerun every "
                         "hypernetwork without --append, or write to another --output")
    return with_rows_of(existing, document, "hypernets")


def run_loss_gap(config: LossGapConfig) -> dict:
    from t2l.atomic_file import write_json_atomically
    from t2l.checkpoint import load_hypernet  # torch/transformers only when the command runs
    from t2l.embedding_table import hypernet_encoder
    from t2l.eval.loss_gap import condition_texts, loss_gap
    from t2l.recipes.frozen_base import frozen_base
    from t2l.sft_tasks import prepare_tasks
    from t2l.task_data import load_tasks

    tasks = load_tasks(config.heldout_tasks, config.heldout_task_args, "--heldout-tasks")
    texts = condition_texts(tasks, config.seed)
    folders = config.labelled_hypernets()
    loaded = {label: load_hypernet(folder) for label, folder in folders.items()}
    base_ids = {label: meta.get("base_model", {}).get("hf_id") for label, (_, meta)
                in loaded.items()}
    if len(set(base_ids.values())) > 1:
        raise ValueError(f"--hypernets were trained for different base models {base_ids}; "
                         "compare one base model's hypernetworks at a time")
    first = next(iter(loaded.values()))[0]
    base, tokenizer = frozen_base(None, None, next(iter(base_ids.values())),
                                  ",".join(first.config.targets.names),
                                  resolve_device(config.device))
    most = max(len(t.val) for t in tasks)  # the --heldout-task-args limit already applied
    prepared = prepare_tasks(tasks, tokenizer, None, config.max_length, most, with_train=False)
    val = {t.name: t.val for t in prepared}
    results = {}
    for label, (hypernet, meta) in loaded.items():
        if hypernet.config.targets != base.targets:
            raise ValueError(f"--hypernets {label}: its LoRA targets differ from the others'")
        logging.info("%s (%s)", label, folders[label])
        encoder = hypernet_encoder(meta, cache_dir=config.embedding_cache)
        gap = loss_gap(base, hypernet.to(base.device), encoder, val, texts, config.batch_size,
                       config.guidance)
        results[label] = {"hypernet": folders[label],
                          "training": meta.get("training"), **gap}
    document = {
        "schema": LOSS_GAP_SCHEMA,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "base_model": next(iter(base_ids.values())),
        "descriptions": texts,
        "hypernets": results,
        "config": config_to_dict(config),
    }
    if config.append:
        document = appended(document, Path(config.output))
    write_json_atomically(Path(config.output), document)
    return document


def _run(config: LossGapConfig) -> dict:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    document = run_loss_gap(config)
    for label, row in document["hypernets"].items():
        gaps = row["gap_over_matched"]
        print(f"{label:24s} matched {row['mean_loss']['matched']:.4f}  "
              f"other {gaps['other']['excess_loss']:+.4f}  "
              f"random {gaps['random']['excess_loss']:+.4f}")
    print(f"wrote {config.output}")
    return document


def register(subparsers: Any) -> None:
    add_recipe_command(subparsers, "loss-gap", LossGapConfig, _run,
                       "held-out loss under matched, other tasks' and random descriptions")
