"""The bundles the gpu-worker benchmark runs against; prints a bundles directory holding one.

`--bundle NAME` (default: the bundle the edge asks for, `DEFAULT_BUNDLE` in wrangler.toml)
names a folder under `--bundles-dir` (default `bundles/`). An exported one (it has a
manifest.json) is linked alone into CACHE_DIR/only/NAME, so the worker the bench spawns loads
that bundle only and its peak RSS is that bundle's own. The default bundle, while it has not
been exported, is replaced by a same-shape stand-in: the packaged all-MiniLM-L6-v2 encoder and
a freshly initialised hypernetwork (default HyperNetConfig) for SmolLM2-135M's q_proj/v_proj
targets, with randomised output heads so B is not all zeros. Reused while its inputs are
unchanged.

With --int8, prints the directory of that bundle's int8 export (`--quantize int8`) instead,
made under CACHE_DIR/int8/NAME from the same hypernetwork weights.

With --list, prints {"default": NAME, "exported": [...], "not_exported": [...]} as JSON: the
default bundle's name and the other bundle folders, by whether they have a manifest.json.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import sys
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: pytest's dependency, in the dev extras
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
STAND_IN_NAME = "smollm2-135m-instruct-t2l-shape"
SOURCES = ("export/*.py", "hypernet.py", "encoder.py", "checkpoint.py", "targets.py")

# SmolLM2-135M: 30 layers, hidden 576, 9 query heads and 3 key/value heads of width 64.
SMOLLM2_TARGETS = {
    "num_layers": 30,
    "modules": [
        {
            "name": "q_proj",
            "path": "model.layers.{layer}.self_attn.q_proj",
            "in_features": 576,
            "out_features": 576,
        },
        {
            "name": "v_proj",
            "path": "model.layers.{layer}.self_attn.v_proj",
            "in_features": 576,
            "out_features": 192,
        },
    ],
}


def default_bundle() -> str:
    """The bundle the edge asks the worker for when a request names none."""
    with (ROOT / "wrangler.toml").open("rb") as file:
        return tomllib.load(file)["vars"]["DEFAULT_BUNDLE"]


def is_exported(folder: Path) -> bool:
    return (folder / "manifest.json").is_file()


def bundle_folders(bundles_dir: Path) -> list[Path]:
    """Folders (or links to folders) under `bundles_dir`, as the worker reads them."""
    return sorted(p for p in bundles_dir.iterdir() if not p.name.startswith(".") and p.is_dir())


def stamp() -> str:
    digest = hashlib.sha256(Path(__file__).read_bytes())
    src = ROOT / "trainer" / "src" / "t2l"
    for path in sorted(p for pattern in SOURCES for p in src.glob(pattern)):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def build_stand_in(cache: Path) -> Path:
    import torch
    from t2l.checkpoint import save_hypernet
    from t2l.export.bundle import ExportOptions, export_bundle
    from t2l.hypernet import HyperNetConfig, HyperNetwork
    from t2l.targets import TargetSpec

    torch.set_num_threads(1)
    torch.manual_seed(0)
    config = HyperNetConfig(targets=TargetSpec.from_dict(SMOLLM2_TARGETS), embed_dim=384)
    hypernet = HyperNetwork(config).eval()
    with torch.no_grad():
        for head in hypernet.heads:
            head.weight.normal_(std=0.01)
        hypernet.ab_gain.fill_(1.0)
    checkpoint = cache / "checkpoint"
    save_hypernet(
        checkpoint,
        hypernet,
        {
            "base_model": "HuggingFaceTB/SmolLM2-135M-Instruct",
            "encoder": "sentence-transformers/all-MiniLM-L6-v2",
            "training": {"mode": "none", "note": "freshly initialised stand-in for benchmarking"},
        },
    )
    bundles = cache / "bundles"
    export_bundle(
        ExportOptions(
            checkpoint=checkpoint,
            output=bundles / STAND_IN_NAME,
            name=STAND_IN_NAME,
            version="bench",
        )
    )
    return bundles


def stand_in(cache: Path) -> Path:
    stamp_file = cache / "stamp"
    if stamp_file.is_file() and stamp_file.read_text() == stamp():
        return cache / "bundles"
    cache.mkdir(parents=True, exist_ok=True)
    bundles = build_stand_in(cache)
    stamp_file.write_text(stamp())
    return bundles


def only(cache: Path, folder: Path) -> Path:
    """A bundles directory whose one entry links to `folder`."""
    directory = cache / "only" / folder.name
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    (directory / folder.name).symlink_to(folder.absolute(), target_is_directory=True)
    return directory


def source_of(bundles_dir: Path, name: str) -> Path | None:
    """The exported bundle folder `name`; None when the stand-in replaces it."""
    folder = bundles_dir / name
    if is_exported(folder):
        return folder
    if name == default_bundle():
        return None
    if not folder.is_dir():
        raise ValueError(f"--bundle {name}: {bundles_dir} has no such folder")
    raise ValueError(
        f"--bundle {name}: {folder} has no manifest.json; export it first with "
        f"`.venv/bin/t2l export-bundle {folder} -o {folder}` (npm start does)"
    )


def main(cache: Path, bundles_dir: Path, name: str) -> Path:
    source = source_of(bundles_dir, name)
    return stand_in(cache) if source is None else only(cache, source)


def main_int8(cache: Path, bundles_dir: Path, name: str) -> Path:
    source = source_of(bundles_dir, name)
    if source is None:
        stand_in(cache)
        weights, int8_name, version = cache / "checkpoint", f"{STAND_IN_NAME}-int8", "bench"
    else:
        weights, int8_name, version = source, f"{name}-int8", None
    digest = hashlib.sha256(stamp().encode())
    for file in ("hypernet.safetensors", "hypernet.json"):
        digest.update((weights / file).read_bytes())
    work = cache / "int8" / int8_name
    bundles, stamp_file = work / "bundles", work / "stamp"
    if stamp_file.is_file() and stamp_file.read_text() == digest.hexdigest():
        return bundles
    from t2l.export.bundle import ExportOptions, export_bundle

    shutil.rmtree(bundles, ignore_errors=True)
    bundles.mkdir(parents=True)
    export_bundle(
        ExportOptions(
            checkpoint=weights, output=bundles / int8_name, version=version, quantize="int8"
        )
    )
    stamp_file.write_text(digest.hexdigest())
    return bundles


def listing(bundles_dir: Path) -> dict:
    default = default_bundle()
    others = [f for f in bundle_folders(bundles_dir) if f.name != default]
    return {
        "default": default,
        "exported": [f.name for f in others if is_exported(f)],
        "not_exported": [f.name for f in others if not is_exported(f)],
    }


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("cache", type=Path, help="cache folder for links, stand-in and exports")
    parser.add_argument("--bundles-dir", type=Path, default=ROOT / "bundles")
    parser.add_argument("--bundle", help="bundle folder (default: wrangler.toml's DEFAULT_BUNDLE)")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--int8", action="store_true", help="print the bundle's int8 export instead")
    mode.add_argument("--list", action="store_true", help="print the bundle folders as JSON")
    args = parser.parse_args(argv)
    if not args.bundles_dir.is_dir():
        parser.error(f"--bundles-dir {args.bundles_dir} is not a folder")
    if args.list and args.bundle:
        parser.error("--list takes no --bundle")
    if args.bundle is not None and (Path(args.bundle).name != args.bundle or args.bundle[0] == "."):
        parser.error(f"--bundle {args.bundle!r} must be a folder name under --bundles-dir")
    return args


if __name__ == "__main__":
    args = parse_args(sys.argv[1:])
    cache_dir, bundles_dir = args.cache.resolve(), args.bundles_dir.resolve()
    try:
        if args.list:
            print(json.dumps(listing(bundles_dir)))
        else:
            build = main_int8 if args.int8 else main
            print(build(cache_dir, bundles_dir, args.bundle or default_bundle()))
    except ValueError as error:
        sys.exit(f"gpu_worker_bundle.py: {error}")
