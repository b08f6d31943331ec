"""Run folders packed to travel back from a machine that only returns a few files."""

from __future__ import annotations

import tarfile
from collections.abc import Callable, Iterable
from pathlib import Path


def archive_folder(folder: Path, target: Path,
                   skip: Callable[[tuple[str, ...]], bool] | None = None) -> Path:
    """`folder` (paths as given, so it unpacks where it was) into `target`: xz-compressed for a
    `.tar.xz` name, plain otherwise (fp16 weights barely compress); `skip(parts)` leaves a path
    out, and with it everything below it."""
    return archive_folders([folder], target, skip)


def archive_folders(folders: Iterable[Path], target: Path,
                    skip: Callable[[tuple[str, ...]], bool] | None = None) -> Path:
    """Several folders into one archive, as `archive_folder` packs one."""
    def keep(info: tarfile.TarInfo) -> tarfile.TarInfo | None:
        return None if skip is not None and skip(Path(info.name).parts) else info

    mode = "w:xz" if target.name.endswith(".tar.xz") else "w"
    with tarfile.open(target, mode, format=tarfile.PAX_FORMAT) as archive:
        for folder in folders:
            archive.add(folder, filter=keep)
    return target
