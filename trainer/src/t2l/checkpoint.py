"""Hypernetwork checkpoints: `hypernet.safetensors` + `hypernet.json` (schema `t2l.hypernet/v1`).

The JSON holds the full `HyperNetConfig` (targets included) and free-form `meta` (base model,
encoder, training record). Loading refuses another schema, and, given the base model's targets,
refuses a checkpoint trained for a different shape.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file

from t2l.hypernet import HyperNetConfig, HyperNetwork
from t2l.targets import TargetSpec

HYPERNET_SCHEMA = "t2l.hypernet/v1"
WEIGHTS_FILE = "hypernet.safetensors"
CONFIG_FILE = "hypernet.json"


def save_hypernet(
    directory: str | Path,
    hypernet: HyperNetwork,
    meta: dict | None = None,
    dtype: torch.dtype = torch.float32,
) -> Path:
    """Write weights + config atomically (a crash never leaves a half-written checkpoint)."""
    with staged_directory(Path(directory), CONFIG_FILE) as staging:
        state = hypernet.state_dict()
        tensors = {k: v.detach().to("cpu", dtype).contiguous() for k, v in state.items()}
        metadata = {"format": "pt", "schema": HYPERNET_SCHEMA}
        save_file(tensors, staging / WEIGHTS_FILE, metadata=metadata)
        document = {
            "schema": HYPERNET_SCHEMA,
            "config": hypernet.config.to_dict(),
            "params": hypernet.num_parameters(),
            "dtype": str(dtype).removeprefix("torch."),
            "meta": meta or {},
        }
        (staging / CONFIG_FILE).write_text(json.dumps(document, indent=2) + "\n")
    return Path(directory)


def save_with_new_document(source: str | Path, directory: str | Path, document: dict) -> Path:
    """`source`'s weights, byte for byte, beside a new `hypernet.json` (same weights, another
    config or meta) in `directory`, which may be `source` itself; atomic like `save_hypernet`."""
    if document.get("schema") != HYPERNET_SCHEMA:
        raise ValueError(f"the new {CONFIG_FILE} must carry schema {HYPERNET_SCHEMA!r}")
    with staged_directory(Path(directory), CONFIG_FILE) as staging:
        shutil.copyfile(Path(source) / WEIGHTS_FILE, staging / WEIGHTS_FILE)
        (staging / CONFIG_FILE).write_text(json.dumps(document, indent=2) + "\n")
    return Path(directory)


@contextmanager
def staged_directory(directory: Path, marker: str) -> Iterator[Path]:
    """A private folder beside `directory` to write into; it replaces `directory` (empty, or
    an artifact holding `marker`) when the block finishes, and is removed, leaving `directory`
    as it was, when the block raises."""
    refuse_to_replace(directory, marker)
    directory.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{directory.name}.", dir=directory.parent))
    try:
        yield staging
        replace_directory(staging, directory)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def read_hypernet_json(directory: str | Path) -> dict:
    path = Path(directory) / CONFIG_FILE
    if not path.is_file():
        raise ValueError(f"{path} not found: not a hypernet checkpoint directory")
    document = json.loads(path.read_text())
    if document.get("schema") != HYPERNET_SCHEMA:
        raise ValueError(
            f"{path} has schema {document.get('schema')!r}; this t2l reads {HYPERNET_SCHEMA!r} "
            "(re-export the checkpoint with a matching t2l version)"
        )
    return document


def load_hypernet(
    directory: str | Path, expect_targets: TargetSpec | None = None
) -> tuple[HyperNetwork, dict]:
    """-> (hypernetwork in float32, meta). `expect_targets`: the base model it must fit."""
    document = read_hypernet_json(directory)
    config = HyperNetConfig.from_dict(document["config"])
    if expect_targets is not None and config.targets != expect_targets:
        raise ValueError(
            f"checkpoint {directory} was trained for targets {config.targets.to_dict()} but the "
            f"base model has {expect_targets.to_dict()}; use a checkpoint for this base model"
        )
    hypernet = HyperNetwork(config)
    state = load_file(Path(directory) / WEIGHTS_FILE)
    hypernet.load_state_dict({k: v.float() for k, v in state.items()}, strict=True)
    return hypernet, document["meta"]


def refuse_to_replace(directory: Path, marker: str) -> None:
    """Only an empty folder or one holding `marker` (a previous artifact) may be replaced."""
    if directory.exists() and (
        not directory.is_dir() or (any(directory.iterdir()) and not (directory / marker).is_file())
    ):
        raise ValueError(f"{directory} exists and is not a {marker} folder; choose another path")


def replace_directory(staging: Path, target: Path) -> None:
    """Move a fully written `staging` folder to `target`, replacing any previous version.

    Staging folders come from `mkdtemp` (private, 0700); the published artifact gets the
    ordinary permissions the process umask gives new files and folders."""
    umask = os.umask(0)
    os.umask(umask)
    staging.chmod(0o777 & ~umask)
    for path in staging.rglob("*"):
        path.chmod((0o777 if path.is_dir() else 0o666) & ~umask)
    if target.exists():
        old = target.with_name(f".{target.name}.old.{os.getpid()}")
        target.rename(old)
        staging.rename(target)
        shutil.rmtree(old)
    else:
        staging.rename(target)
