"""Files split across transfers of limited size, for a machine reached only through calls that
each copy the working tree plus a few named paths (the device tool: 64 MiB a call, 8 paths).

The working tree travels with every call, so it shrinks every call's room; `carry_plan` packs
the named paths into as few calls as it can (first fit, largest first).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

MiB = 2**20
TRANSFER_BYTES = 64 * MiB
PATHS_PER_CALL = 8
# The tool counts a little more than these files: a 24.2 MiB tree with 39.7 MiB carried was
# refused (2026-11-30); and the tree grows between packing and the calls (a note, a fix).
MARGIN_BYTES = MiB


def tree_bytes(repo: Path) -> int:
    """Bytes of what every call copies: tracked files, and untracked ones git does not ignore."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=repo, capture_output=True, check=True,
    ).stdout.decode().split("\0")
    return sum((repo / name).stat().st_size for name in listed if name and (repo / name).is_file())


def room_per_call(tree: int, limit: int = TRANSFER_BYTES, margin: int = MARGIN_BYTES) -> int:
    """Bytes a call can carry beside the working tree."""
    room = limit - tree - margin
    if room < MiB:
        raise ValueError(f"the working tree is {tree / MiB:.1f} MiB, leaving {room / MiB:.1f} MiB "
                         f"of a {limit / MiB:.0f} MiB transfer; move large untracked files out "
                         "of the repository or ignore them")
    return room


def carry_plan(sizes: dict[str, int], room: int,
               paths_per_call: int = PATHS_PER_CALL) -> list[list[str]]:
    """`sizes` (path -> bytes) spread over calls of at most `room` bytes and `paths_per_call`
    paths, each path whole: first fit, largest first."""
    if too_big := sorted(p for p, size in sizes.items() if size > room):
        raise ValueError(f"{too_big} exceed a call's room of {room / MiB:.1f} MiB; pack the GGUF "
                         f"in smaller pieces (gpu_pack.py --part-mib {room / MiB:.1f})")
    calls: list[list[str]] = []
    free: list[int] = []
    for path, size in sorted(sizes.items(), key=lambda item: (-item[1], item[0])):
        fits = [i for i in range(len(calls)) if free[i] >= size and len(calls[i]) < paths_per_call]
        if fits:
            calls[fits[0]].append(path)
            free[fits[0]] -= size
        else:
            calls.append([path])
            free.append(room - size)
    return calls


def path_sizes(root: Path, paths: list[Path]) -> dict[str, int]:
    """Each path's bytes (a folder: everything under it), keyed relative to `root`."""
    def size(path: Path) -> int:
        if path.is_dir():
            return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
        return path.stat().st_size

    return {str(path.relative_to(root)): size(path) for path in paths}
