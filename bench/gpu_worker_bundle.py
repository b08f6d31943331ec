"""The bundle the gpu-worker benchmark runs against; prints the bundles directory to use.

The shipped default bundle (`bundles/smollm2-135m-instruct-t2l`) when it has been exported;
otherwise a same-shape stand-in: the packaged all-MiniLM-L6-v2 encoder and a freshly
initialised hypernetwork (default HyperNetConfig) for SmolLM2-135M's q_proj/v_proj targets,
with randomised output heads so B is not all zeros. Reused while its inputs are unchanged.

With --int8, prints the directory of that bundle's int8 export (`--quantize int8`) instead.

Usage: python bench/gpu_worker_bundle.py CACHE_DIR [--int8]
"""

from __future__ import annotations

import hashlib
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "bundles" / "smollm2-135m-instruct-t2l"
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


def main(cache: Path) -> Path:
    if (SHIPPED / "manifest.json").is_file():
        return SHIPPED.parent
    stamp_file = cache / "stamp"
    if stamp_file.is_file() and stamp_file.read_text() == stamp():
        return cache / "bundles"
    cache.mkdir(parents=True, exist_ok=True)
    bundles = build_stand_in(cache)
    stamp_file.write_text(stamp())
    return bundles


def main_int8(cache: Path) -> Path:
    float32_bundles = main(cache)
    source = SHIPPED if float32_bundles == SHIPPED.parent else cache / "checkpoint"
    name = f"{SHIPPED.name if source == SHIPPED else STAND_IN_NAME}-int8"
    digest = hashlib.sha256(stamp().encode())
    for file in ("hypernet.safetensors", "hypernet.json"):
        digest.update((source / file).read_bytes())
    bundles, stamp_file = cache / "int8" / "bundles", cache / "int8" / "stamp"
    if stamp_file.is_file() and stamp_file.read_text() == digest.hexdigest():
        return bundles
    from t2l.export.bundle import ExportOptions, export_bundle

    shutil.rmtree(bundles, ignore_errors=True)
    bundles.mkdir(parents=True)
    version = "bench" if source != SHIPPED else None
    export_bundle(
        ExportOptions(checkpoint=source, output=bundles / name, version=version, quantize="int8")
    )
    stamp_file.write_text(digest.hexdigest())
    return bundles


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3) or sys.argv[2:] not in ([], ["--int8"]):
        sys.exit(__doc__)
    cache_dir = Path(sys.argv[1]).resolve()
    print(main_int8(cache_dir) if sys.argv[2:] else main(cache_dir))
