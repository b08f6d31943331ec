"""`--append` for result documents whose rows are keyed by label: new rows join those already
written, so rows whose sources are gone stay in the record."""

from __future__ import annotations

import json
from pathlib import Path


def existing_document(path: Path, schema: str) -> dict:
    """The document at `path` (the command's --output), refused unless it is a `schema` one."""
    if not path.is_file():
        raise ValueError(f"--append: --output {path} does not exist yet; run without --append")
    existing = json.loads(path.read_text(encoding="utf-8"))
    if existing.get("schema") != schema:
        raise ValueError(f"--append: {path} is not a {schema} document")
    return existing


def with_rows_of(existing: dict, document: dict, key: str) -> dict:
    """`document` with the rows of `existing[key]` it does not replace (by label), theirs first."""
    rows = {label: row for label, row in existing[key].items() if label not in document[key]}
    return {**document, key: {**rows, **document[key]}}
