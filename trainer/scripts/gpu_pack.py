"""Pack what `gpu_pipeline.py` needs on a GPU machine that has PyTorch but no network.

    .venv/bin/python trainer/scripts/gpu_pack.py [--out .gpu-pack] [--part-mib MIB] [--plan]

Writes, under --out:
  data.tar.xz              the data-pack files the task library reads (same relative layout)
  embeddings.safetensors   every library description embedded (`t2l embed-table`), so the
                           encoder's weights need not travel
  wheels/                  pinned pure-Python packages the machine may lack or have older
  pinned/                  this machine's transformers, for a GPU check with the serving version
  parity_reference.json    this CPU's losses from trainer/scripts/device_parity.py, which the
                           GPU must reproduce before it trains
  gguf/part-NN             the base model's GGUF in pieces of --part-mib (by default what a
                           call carries beside the working tree), with gguf/SHA256 to check
                           the reassembled file

and prints the carry plan: which of these each device call carries (`--plan`: only that, for
the pack and working tree as they are now; the tree travels with every call, so a tree grown
since packing can need another call, or a repack).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import tarfile
from pathlib import Path

from t2l.transfer_plan import MiB, carry_plan, path_sizes, room_per_call, tree_bytes

WHEELS = ("gguf==0.19.0", "peft==0.21.2")
REPO = Path(__file__).resolve().parents[2]


def data_files(data_dir: Path) -> list[str]:
    """Relative paths of every data file the library's loaders open (train, eval, descriptions)."""
    import t2l.tasks.records as records
    from t2l.tasks import build_task_data, eval_examples, load_task_library, task_descriptions
    from t2l.tasks.paths import default_tasks_dir

    opened: set[str] = set()
    original = records._data_file

    def recording(root: Path, relative: str) -> Path:
        opened.add(relative)
        return original(root, relative)

    records._data_file = recording
    try:
        for spec in load_task_library(default_tasks_dir()).values():
            task_descriptions(spec, data_dir)
            eval_examples(spec, data_dir)
            if spec.trainable:
                build_task_data(spec, data_dir)
    finally:
        records._data_file = original
    return sorted(opened)


def write_data(data_dir: Path, target: Path) -> None:
    with tarfile.open(target, "w:xz", preset=6) as archive:
        for relative in data_files(data_dir):
            archive.add(data_dir / relative, arcname=relative)


def write_table(target: Path) -> None:
    from t2l.embed_table_cli import library_texts
    from t2l.embedding_table import EmbeddingTable
    from t2l.encoder import TaskEncoder
    from t2l.tasks.paths import default_tasks_dir

    texts = library_texts(default_tasks_dir(), None, seed=0, descriptions_per_task=3)
    EmbeddingTable.from_encoder(TaskEncoder.from_pretrained(), texts).save(target)


def split_gguf(target: Path, part_bytes: int) -> None:
    from t2l.packaged_models import smollm2_gguf

    source = smollm2_gguf()
    target.mkdir(parents=True, exist_ok=True)
    for old in target.glob("part-*"):
        old.unlink()
    digest = hashlib.sha256()
    with source.open("rb") as handle:
        index = 0
        while chunk := handle.read(part_bytes):
            digest.update(chunk)
            (target / f"part-{index:02d}").write_bytes(chunk)
            index += 1
    (target / "SHA256").write_text(f"{digest.hexdigest()}  {source.name}\n")


def print_plan(pack: Path, room: int) -> None:
    """The carry list of each device call; every call copies the pack aside, the last runs."""
    parts = ["gguf/SHA256", "data.tar.xz", "embeddings.safetensors", "wheels", "pinned",
             "parity_reference.json",
             *(f"gguf/{piece.name}" for piece in sorted((pack / "gguf").glob("part-*")))]
    missing = [p for p in parts if not (pack / p).exists()]
    if missing:
        raise SystemExit(f"{pack} lacks {missing}: run gpu_pack.py without --plan first")
    sizes = path_sizes(REPO, [(pack / p).resolve() for p in parts])
    try:
        calls = carry_plan(sizes, room)
    except ValueError as error:
        raise SystemExit(str(error)) from error
    print(f"{len(calls)} calls, {room / MiB:.1f} MiB each beside the working tree; each runs "
          f"`mkdir -p /tmp/pack && cp -r {pack.name}/. /tmp/pack/` first, the last then "
          "`bash trainer/scripts/gpu_run.sh /tmp/pack \"$OUT\" BUDGET PROGRAM`:")
    for number, carried in enumerate(calls, 1):
        print(f"  call {number}: carry {json.dumps(carried)}")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--out", type=Path, default=REPO / ".gpu-pack")
    parser.add_argument("--part-mib", type=float, default=None,
                        help="GGUF piece size (default: what one call carries beside the "
                             "working tree)")
    parser.add_argument("--plan", action="store_true",
                        help="only print the carry plan of the pack in --out")
    args = parser.parse_args()
    if args.part_mib is not None and args.part_mib < 1:
        raise SystemExit("--part-mib must be >= 1")
    try:
        room = room_per_call(tree_bytes(REPO))
    except ValueError as error:
        raise SystemExit(str(error)) from error
    if args.plan:
        print_plan(args.out, room)
        return 0
    from t2l.tasks.paths import resolve_data_dir

    args.out.mkdir(parents=True, exist_ok=True)
    write_data(resolve_data_dir(None), args.out / "data.tar.xz")
    write_table(args.out / "embeddings.safetensors")
    split_gguf(args.out / "gguf", int(args.part_mib * MiB) if args.part_mib else room)
    pip = [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--only-binary=:all:"]
    subprocess.run([*pip, "-d", str(args.out / "wheels"), *WHEELS], check=True)
    import transformers

    pinned = f"transformers=={transformers.__version__}"
    subprocess.run([*pip, "-d", str(args.out / "pinned"), pinned], check=True)
    table = str(args.out / "embeddings.safetensors")
    subprocess.run([sys.executable, str(Path(__file__).with_name("device_parity.py")),
                    "--devices", "cpu", "--table", table,
                    "--out", str(args.out / "parity_reference.json")], check=True)
    for path in sorted(args.out.rglob("*")):
        if path.is_file():
            print(f"{path.stat().st_size / MiB:8.2f} MiB  {path}")
    print_plan(args.out, room)
    return 0


if __name__ == "__main__":
    sys.exit(main())
