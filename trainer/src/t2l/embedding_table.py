"""Precomputed description embeddings: a task encoder's outputs for a fixed set of texts.

Training and evaluation only ever need the encoder's *outputs*, so a machine without the
encoder's weights (an offline GPU box, say) can work from a table written where the encoder
runs (`t2l embed-table`). Rows are keyed by the normalised description's sha256, the same key
the encoder's own cache uses, so a lookup returns exactly what `TaskEncoder.encode` would; a
description missing from the table is an error naming it, never a silent zero vector.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import numpy as np
import torch
from safetensors import safe_open
from safetensors.numpy import load_file, save_file

from t2l.encoder import DEFAULT_ENCODER, TaskEncoder
from t2l.normalize import description_sha256

TABLE_SCHEMA = "t2l.embedding_table/v1"
TABLE_TENSOR = "embeddings"


class DescriptionEncoder(Protocol):
    """What recipes need from a task encoder: a name, a width, settings to record, vectors."""

    name: str

    @property
    def dim(self) -> int: ...

    def settings(self) -> dict: ...

    def encode(self, texts: Sequence[str], batch_size: int = 32) -> torch.Tensor: ...


class EmbeddingTable:
    def __init__(self, keys: list[str], vectors: np.ndarray, encoder_settings: dict) -> None:
        if vectors.ndim != 2 or vectors.shape[0] != len(keys):
            raise ValueError(f"embedding table: {len(keys)} keys but vectors {vectors.shape}")
        self._rows = {key: i for i, key in enumerate(keys)}
        self._vectors = vectors.astype(np.float32, copy=False)  # (N, E)
        self._settings = dict(encoder_settings)
        self.name = str(self._settings["name"])

    @classmethod
    def from_encoder(cls, encoder: TaskEncoder, texts: Sequence[str]) -> EmbeddingTable:
        unique = list(dict.fromkeys(texts))
        vectors = encoder.encode(unique).numpy() if unique else np.zeros((0, encoder.dim))
        settings = {**encoder.settings(), "fingerprint": encoder.fingerprint()}
        return cls([description_sha256(t) for t in unique], vectors, settings)

    @classmethod
    def load(cls, path: str | Path) -> EmbeddingTable:
        path = Path(path)
        if not path.is_file():
            raise ValueError(f"--embedding-table {path} does not exist; write it with "
                             "`t2l embed-table -o PATH` where the encoder is available")
        with safe_open(str(path), framework="numpy") as handle:
            meta = handle.metadata() or {}
        if meta.get("schema") != TABLE_SCHEMA:
            raise ValueError(f"--embedding-table {path}: schema {meta.get('schema')!r}, "
                             f"expected {TABLE_SCHEMA!r}; rewrite it with `t2l embed-table`")
        vectors = load_file(str(path))[TABLE_TENSOR]
        return cls(json.loads(meta["keys"]), vectors, json.loads(meta["encoder"]))

    def save(self, path: str | Path) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        keys = sorted(self._rows, key=self._rows.__getitem__)
        metadata = {"schema": TABLE_SCHEMA, "encoder": json.dumps(self._settings),
                    "keys": json.dumps(keys)}
        tmp = path.with_name(f".{path.name}.tmp")
        save_file({TABLE_TENSOR: np.ascontiguousarray(self._vectors)}, str(tmp), metadata=metadata)
        tmp.replace(path)
        return path

    def __len__(self) -> int:
        return len(self._rows)

    @property
    def dim(self) -> int:
        return int(self._vectors.shape[1])

    def settings(self) -> dict:
        """The producing encoder's settings, as a checkpoint trained with it would record them."""
        return {k: v for k, v in self._settings.items() if k != "fingerprint"}

    def require_settings(self, name: str, **expected: object) -> None:
        """Refuse a table made by another encoder than the one asked for."""
        wanted = {"name": name, **{k: v for k, v in expected.items() if v is not None}}
        if diff := {k: (self._settings.get(k), v) for k, v in wanted.items()
                    if self._settings.get(k) != v}:
            raise ValueError(f"--embedding-table was written by another encoder than requested "
                             f"(table vs wanted: {diff}); rewrite it with `t2l embed-table "
                             f"--encoder {name}`")

    def encode(self, texts: Sequence[str], batch_size: int = 32) -> torch.Tensor:
        """(B, E) float32 rows for `texts`; every text must be in the table."""
        del batch_size  # lookups need no batching; kept for the encoder's signature
        keys = [description_sha256(t) for t in texts]
        if missing := [t for t, k in zip(texts, keys, strict=True) if k not in self._rows]:
            raise ValueError(f"--embedding-table has no row for {len(missing)} description(s), "
                             f"e.g. {missing[0]!r}; add them with `t2l embed-table --texts FILE`")
        if not keys:
            return torch.empty(0, self.dim)
        return torch.from_numpy(self._vectors[[self._rows[k] for k in keys]].copy())


def load_task_encoder(
    name: str = DEFAULT_ENCODER,
    *,
    table: str | None = None,
    cache_dir: str | Path | None = None,
    pooling: str | None = None,
    normalize: bool | None = None,
    max_length: int | None = None,
) -> DescriptionEncoder:
    """The encoder itself, or (with `table`) its precomputed outputs, checked to be its own."""
    if table:
        loaded = EmbeddingTable.load(table)
        loaded.require_settings(name, pooling=pooling, normalize=normalize, max_length=max_length)
        return loaded
    return TaskEncoder.from_pretrained(name, pooling=pooling, normalize=normalize,
                                       max_length=max_length, cache_dir=cache_dir)


def hypernet_encoder(
    meta: dict, *, table: str | None = None, cache_dir: str | Path | None = None
) -> DescriptionEncoder:
    """The task encoder a hypernetwork's meta names, with the settings it was trained with."""
    settings = meta.get("encoder") or {}
    return load_task_encoder(
        settings.get("name", DEFAULT_ENCODER), table=table, pooling=settings.get("pooling"),
        normalize=settings.get("normalize"), max_length=settings.get("max_length"),
        cache_dir=cache_dir)
