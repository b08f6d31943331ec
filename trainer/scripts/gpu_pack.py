"""Pack what `gpu_pipeline.py` needs on a GPU machine that has PyTorch but no network.

    .venv/bin/python trainer/scripts/gpu_pack.py [--out .gpu-pack] [--part-mib 38.8]

Writes, under --out:
  data.tar.xz              the data-pack files the task library reads (same relative layout)
  embeddings.safetensors   every library description embedded (`t2l embed-table`), so the
                           encoder's weights need not travel
  wheels/                  pinned pure-Python packages the machine may lack or have older
  pinned/                  this machine's transformers, for a GPU check with the serving version
  parity_reference.json    this CPU's losses from trainer/scripts/device_parity.py, which the
                           GPU must reproduce before it trains
  gguf/part-NN             the base model's GGUF in pieces of --part-mib (transfer limits),
                           with gguf/SHA256 to check the reassembled file
"""

from __future__ import annotations

import argparse
import hashlib
import subprocess
import sys
import tarfile
from pathlib import Path

WHEELS = ("gguf==0.19.0", "peft==0.21.2")


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


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--out", type=Path, default=Path(".gpu-pack"))
    parser.add_argument("--part-mib", type=float, default=38.8,
                        help="GGUF piece size: with the repository, one transfer of at most 64 MiB")
    args = parser.parse_args()
    if args.part_mib < 1:
        raise SystemExit("--part-mib must be >= 1")
    from t2l.tasks.paths import resolve_data_dir

    args.out.mkdir(parents=True, exist_ok=True)
    write_data(resolve_data_dir(None), args.out / "data.tar.xz")
    write_table(args.out / "embeddings.safetensors")
    split_gguf(args.out / "gguf", int(args.part_mib * 2**20))
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
            print(f"{path.stat().st_size / 2**20:8.2f} MiB  {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
