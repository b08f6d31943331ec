"""Task encoder: description text -> fixed-size embedding, with an on-disk cache.

Wraps any Hugging Face encoder (sentence-transformers folders included) as one `nn.Module`
whose forward holds tokens -> pooled, optionally L2-normalised embedding, so the same module is
what gets exported to ONNX. Descriptions are normalised (`t2l.normalize`) before encoding, the
same as at serving time.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch
from torch import nn
from transformers import AutoModel, AutoTokenizer, PreTrainedModel, PreTrainedTokenizerBase

from t2l.normalize import normalize_description
from t2l.packaged_models import resolve_encoder_path

DEFAULT_ENCODER = "sentence-transformers/all-MiniLM-L6-v2"
POOLINGS = ("mean", "cls")


def _sentence_transformers_settings(folder: str) -> dict:
    """Pooling / normalisation / max length from a sentence-transformers folder, if it is one."""
    root, settings = Path(folder), {}
    pooling_file = root / "1_Pooling" / "config.json"
    if pooling_file.is_file():
        pooling = json.loads(pooling_file.read_text())
        settings["pooling"] = "cls" if pooling.get("pooling_mode_cls_token") else "mean"
    modules_file = root / "modules.json"
    if modules_file.is_file():
        types = [m.get("type", "") for m in json.loads(modules_file.read_text())]
        settings["normalize"] = any(t.endswith("Normalize") for t in types)
    bert_file = root / "sentence_bert_config.json"
    if bert_file.is_file():
        settings["max_length"] = int(json.loads(bert_file.read_text())["max_seq_length"])
    return settings


class TaskEncoder(nn.Module):
    def __init__(
        self,
        model: PreTrainedModel,
        tokenizer: PreTrainedTokenizerBase,
        *,
        name: str,
        pooling: str = "mean",
        normalize: bool = True,
        max_length: int = 256,
        cache_dir: str | Path | None = None,
    ) -> None:
        super().__init__()
        if pooling not in POOLINGS:
            raise ValueError(f"--encoder-pooling must be one of {POOLINGS}, got {pooling!r}")
        if max_length < 1:
            raise ValueError(f"--encoder-max-length must be >= 1, got {max_length}")
        self.model = model.eval().requires_grad_(False)
        self.tokenizer = tokenizer
        self.name = name
        self.pooling = pooling
        self.normalize = normalize
        self.max_length = max_length
        self.cache_dir = Path(cache_dir).expanduser() if cache_dir is not None else None
        self._fingerprint: str | None = None

    @classmethod
    def from_pretrained(
        cls,
        name_or_path: str = DEFAULT_ENCODER,
        *,
        pooling: str | None = None,
        normalize: bool | None = None,
        max_length: int | None = None,
        cache_dir: str | Path | None = None,
    ) -> TaskEncoder:
        source = resolve_encoder_path(name_or_path)
        settings = _sentence_transformers_settings(source) if Path(source).is_dir() else {}
        model = AutoModel.from_pretrained(source)
        tokenizer = AutoTokenizer.from_pretrained(source)
        return cls(
            model,
            tokenizer,
            name=name_or_path,
            pooling=pooling or settings.get("pooling", "mean"),
            normalize=settings.get("normalize", True) if normalize is None else normalize,
            max_length=max_length or settings.get("max_length", 256),
            cache_dir=cache_dir,
        )

    @property
    def dim(self) -> int:
        return int(self.model.config.hidden_size)

    def settings(self) -> dict:
        """What a checkpoint or bundle records to rebuild this encoder."""
        return {
            "name": self.name,
            "dim": self.dim,
            "max_length": self.max_length,
            "pooling": self.pooling,
            "normalize": self.normalize,
        }

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        hidden = self.model(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        if self.pooling == "cls":
            pooled = hidden[:, 0]  # (B, E)
        else:
            # A batched matmul, not a masked sum: exported, it is one GEMM per row, so a row's
            # embedding does not depend on its batch mates (ONNX Runtime's ReduceSum orders the
            # sum differently for batch 1 and batch > 1), and the worker can batch descriptions.
            mask = attention_mask.to(hidden.dtype).unsqueeze(1)  # (B, 1, T)
            pooled = (mask @ hidden).squeeze(1) / mask.sum(-1).clamp(min=1.0)  # (B, E)
        if self.normalize:
            pooled = nn.functional.normalize(pooled, p=2.0, dim=-1)
        return pooled

    @torch.no_grad()
    def encode(self, texts: Sequence[str], batch_size: int = 32) -> torch.Tensor:
        """Normalise and embed descriptions -> (B, E) float32, reading and filling the cache."""
        normalized = [normalize_description(text) for text in texts]
        keys = [hashlib.sha256(text.encode("utf-8")).hexdigest() for text in normalized]
        cached = self._cache_get(keys)
        todo = list(
            {
                key: text for key, text in zip(keys, normalized, strict=True) if key not in cached
            }.items()
        )
        fresh: dict[str, np.ndarray] = {}
        device = next(self.model.parameters()).device
        for start in range(0, len(todo), batch_size):
            chunk = todo[start : start + batch_size]
            batch = self.tokenizer(
                [text for _, text in chunk],
                padding=True,
                truncation=True,
                max_length=self.max_length,
                return_tensors="pt",
            )
            vectors = self(batch["input_ids"].to(device), batch["attention_mask"].to(device))
            for (key, _), vector in zip(chunk, vectors, strict=True):
                fresh[key] = vector.float().cpu().numpy()
        self._cache_put(fresh)
        rows = [cached.get(key, fresh.get(key)) for key in keys]
        return torch.from_numpy(np.stack(rows)) if rows else torch.empty(0, self.dim)

    def fingerprint(self) -> str:
        """Identity of this encoder for the cache: settings plus the bytes of every weight."""
        if self._fingerprint is None:
            digest = hashlib.sha256(
                json.dumps([self.name, self.pooling, self.normalize, self.max_length]).encode()
            )
            for name, tensor in self.model.state_dict().items():
                digest.update(name.encode())
                digest.update(tensor.detach().float().cpu().numpy().tobytes())
            self._fingerprint = digest.hexdigest()
        return self._fingerprint

    def _connect(self) -> sqlite3.Connection | None:
        if self.cache_dir is None:
            return None
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.cache_dir / "embeddings.sqlite", timeout=30)
        db.execute(
            "CREATE TABLE IF NOT EXISTS embedding (encoder TEXT, text_sha256 TEXT, vector BLOB, "
            "PRIMARY KEY (encoder, text_sha256))"
        )
        return db

    def _cache_get(self, keys: list[str]) -> dict[str, np.ndarray]:
        db = self._connect()
        if db is None or not keys:
            return {}
        with db:
            found = {}
            for key in set(keys):
                row = db.execute(
                    "SELECT vector FROM embedding WHERE encoder = ? AND text_sha256 = ?",
                    (self.fingerprint(), key),
                ).fetchone()
                if row is not None:
                    found[key] = np.frombuffer(row[0], dtype=np.float32).copy()
        db.close()
        return found

    def _cache_put(self, vectors: dict[str, np.ndarray]) -> None:
        db = self._connect()
        if db is None or not vectors:
            return
        with db:
            rows = [
                (self.fingerprint(), key, vector.astype(np.float32).tobytes())
                for key, vector in vectors.items()
            ]
            db.executemany("INSERT OR REPLACE INTO embedding VALUES (?, ?, ?)", rows)
        db.close()
