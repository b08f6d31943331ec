"""Read raw records and descriptions of a task from the offline data pack (read-only)."""

from __future__ import annotations

import gzip
import json
from itertools import zip_longest
from pathlib import Path
from typing import Any

import yaml

from t2l.tasks.spec import MIN_DESCRIPTIONS, SourceSpec, TaskSpec

Record = dict[str, Any]


def _data_file(data_dir: Path, relative: str) -> Path:
    path = data_dir / relative
    if not path.is_file():
        raise ValueError(
            f"data file {path} is missing; check --data-dir/T2L_DATA_DIR ({data_dir}) "
            "against shared/data/README.md"
        )
    return path


def _read_file(path: Path, records_key: str | None) -> list[Record]:
    name = path.name
    if name.endswith(".jsonl.gz"):
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            return [json.loads(line) for line in handle if line.strip()]
    if name.endswith(".jsonl"):
        with path.open(encoding="utf-8") as handle:
            return [json.loads(line) for line in handle if line.strip()]
    if name.endswith(".json"):
        payload = json.loads(path.read_text(encoding="utf-8"))
        if records_key is not None:
            payload = payload[records_key]
        if not isinstance(payload, list):
            raise ValueError(f"{path}: expected a list of records (set source.records_key)")
        return payload
    raise ValueError(f"{path}: unsupported record file (use .jsonl, .jsonl.gz or .json)")


def read_sourced_records(
    data_dir: Path, source: SourceSpec, files: tuple[str, ...]
) -> list[tuple[str, Record]]:
    """(file, record) pairs in a stable order: concatenated, or round-robin with `interleave`.

    The file travels with each record so a pooled multi-template task can be split back into
    its templates with exactly the pooled split's records (`t2l.tasks.build`)."""
    per_file = [_read_file(_data_file(data_dir, f), source.records_key) for f in files]
    if source.labels_file is not None:
        if len(per_file) != 1:
            raise ValueError("source.labels_file needs exactly one record file")
        labels_path = _data_file(data_dir, source.labels_file)
        labels = [line.strip() for line in labels_path.read_text().splitlines() if line.strip()]
        if len(labels) != len(per_file[0]):
            raise ValueError(f"{labels_path}: {len(labels)} labels for {len(per_file[0])} records")
        labelled = zip(per_file[0], labels, strict=True)
        per_file = [[{**r, source.label_field: int(label)} for r, label in labelled]]
    sourced = [[(name, r) for r in chunk] for name, chunk in zip(files, per_file, strict=True)]
    if source.interleave:
        records = [pair for group in zip_longest(*sourced) for pair in group if pair is not None]
    else:
        records = [pair for chunk in sourced for pair in chunk]
    if source.explode is not None:
        records = [
            (name, {**{k: v for k, v in r.items() if k != source.explode}, **item})
            for name, r in records
            for item in r[source.explode]
        ]
    return records


def task_descriptions(spec: TaskSpec, data_dir: Path) -> list[str]:
    """Inline descriptions, then those of `descriptions_from`, de-duplicated in order."""
    texts = list(spec.descriptions)
    if spec.descriptions_from is not None:
        path = _data_file(data_dir, f"{spec.descriptions_from}/metadata.yaml")
        loaded = yaml.safe_load(path.read_text(encoding="utf-8")).get("descriptions") or []
        texts.extend(str(t) for t in loaded)
    unique = list(dict.fromkeys(" ".join(t.split()) for t in texts if t.strip()))
    if len(unique) < MIN_DESCRIPTIONS:
        raise ValueError(
            f"{spec.path}: task {spec.name} has {len(unique)} distinct descriptions; "
            f"at least {MIN_DESCRIPTIONS} are required"
        )
    return unique
