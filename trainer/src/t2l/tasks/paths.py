"""Where the task library and the offline data pack live."""

from __future__ import annotations

import os
from pathlib import Path

DATA_DIR_ENV = "T2L_DATA_DIR"


def repo_root() -> Path:
    """The repository holding this package (an editable install); else the working directory."""
    for parent in Path(__file__).resolve().parents:
        if (parent / "trainer" / "pyproject.toml").is_file():
            return parent
    return Path.cwd()


def default_tasks_dir() -> Path:
    return repo_root() / "trainer" / "tasks"


def resolve_data_dir(flag: str | os.PathLike[str] | None = None) -> Path:
    """`--data-dir`, else `$T2L_DATA_DIR`, else `../shared/data` next to the repository.

    The data pack is read-only: nothing here (or anywhere in `t2l`) writes into it.
    """
    chosen = flag or os.environ.get(DATA_DIR_ENV) or repo_root().parent / "shared" / "data"
    path = Path(chosen).resolve()
    if not path.is_dir():
        raise ValueError(
            f"data dir {path} does not exist; pass --data-dir or set {DATA_DIR_ENV} to the "
            "offline data pack (see shared/data/README.md)"
        )
    return path
