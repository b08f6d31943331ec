"""`publish_weights`: turn a training checkpoint into a bundle's committed source weights.

A bundle folder commits only the project's own artifact — `hypernet.safetensors` (float16) and
`hypernet.json` with the bundle's name, version and training record; `t2l export-bundle` later
adds the ONNX graphs, tokenizer and manifest next to them.
"""

from __future__ import annotations

import re
from pathlib import Path

import torch

from t2l.checkpoint import load_hypernet, save_hypernet

NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{0,99}$")
VERSION_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$")
DTYPES = {"float16": torch.float16, "bfloat16": torch.bfloat16, "float32": torch.float32}


def publish_weights(
    checkpoint: str | Path, output: str | Path, name: str, version: str, dtype: str = "float16"
) -> dict:
    """Write `output/hypernet.{safetensors,json}` from `checkpoint`; -> the recorded meta."""
    if not NAME_PATTERN.match(name):
        raise ValueError(
            f"--name {name!r} must match {NAME_PATTERN.pattern} (lowercase, digits, . _ -)"
        )
    if not VERSION_PATTERN.match(version):
        raise ValueError(f"--version {version!r} must match {VERSION_PATTERN.pattern}")
    if dtype not in DTYPES:
        raise ValueError(f"--dtype must be one of {sorted(DTYPES)}, got {dtype!r}")
    hypernet, meta = load_hypernet(checkpoint)
    meta = {**meta, "name": name, "version": version, "published_from": str(checkpoint)}
    save_hypernet(output, hypernet, meta, dtype=DTYPES[dtype])
    return meta
