"""Files replaced whole or not at all: a reader, or a run killed mid-write, never sees half of one.

The text goes to a staging file beside the target (same filesystem, so the final rename is
atomic), created the ordinary way so it gets the permissions the process umask gives new files.
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path


def write_text_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    try:
        with staging.open("x", encoding="utf-8") as out:
            out.write(text)
        os.replace(staging, path)
    finally:
        staging.unlink(missing_ok=True)


def write_json_atomically(path: Path, document: dict) -> None:
    write_text_atomically(path, json.dumps(document, indent=2) + "\n")
