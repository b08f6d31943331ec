"""`export_bundle`: a hypernetwork checkpoint + its task encoder -> a bundle directory (Contract 1).

Recipe: load checkpoint -> load encoder -> export both graphs to a staging folder -> check
parity against PyTorch -> write tokenizer and test vectors -> publish. Publishing removes the old
manifest first and writes the new one last (atomically), and the worker only loads folders with
a manifest whose hashes all match, so an interrupted export never serves mixed files. The
output may be the checkpoint folder itself (how `npm start` builds the shipped bundle).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import onnxruntime
import torch

from t2l.atomic_file import write_json_atomically
from t2l.checkpoint import CONFIG_FILE, WEIGHTS_FILE, load_hypernet
from t2l.encoder import DEFAULT_ENCODER, TaskEncoder
from t2l.export.onnx_graphs import export_encoder, export_hypernet
from t2l.export.parity import check_parity, parity_bounds
from t2l.export.quantize import CALIBRATION_DESCRIPTIONS, QUANTIZATIONS, quantize_hypernet
from t2l.export.test_vectors import build_test_vectors
from t2l.file_digest import file_sha256
from t2l.hypernet import HyperNetwork
from t2l.normalize import NORMALIZATION_RULE
from t2l.publish.weights import NAME_PATTERN, VERSION_PATTERN

BUNDLE_SCHEMA = "t2l.bundle/v1"
MANIFEST_FILE = "manifest.json"
GENERATED_FILES = ("encoder.onnx", "hypernet.onnx", "tokenizer.json", "test_vectors.json")


@dataclass(frozen=True)
class ExportOptions:
    checkpoint: Path
    output: Path
    name: str | None = None  # default: the output folder's name
    version: str | None = None  # default: derived from the weights (changes when they change)
    encoder: str | None = None  # default: the checkpoint's meta, else all-MiniLM-L6-v2
    base_model: str | None = None  # hub id adapters name; default: the checkpoint's meta
    base_model_revision: str | None = None
    quantize: str | None = None  # "int8": int8 hypernetwork (quantize.py), version "+int8"


def export_bundle(options: ExportOptions, encoder: TaskEncoder | None = None) -> dict:
    """Write the bundle; -> its manifest. `encoder` overrides loading one (tests, benches)."""
    hypernet, meta = load_hypernet(options.checkpoint)
    hypernet.eval()
    if meta.get("normalization", NORMALIZATION_RULE) != NORMALIZATION_RULE:
        raise ValueError(
            f"{options.checkpoint} was trained with description normalisation "
            f"{meta['normalization']!r}; the exporter and worker implement {NORMALIZATION_RULE!r}"
        )
    # Cheap checks first: loading the encoder takes a while.
    name = options.name or str(meta.get("name") or options.output.resolve().name)
    if not NAME_PATTERN.match(name):
        raise ValueError(
            f"--name {name!r} must match {NAME_PATTERN.pattern} (lowercase, digits, . _ -)"
        )
    if options.version is not None and not VERSION_PATTERN.match(options.version):
        raise ValueError(f"--version {options.version!r} must match {VERSION_PATTERN.pattern}")
    if options.quantize is not None and options.quantize not in QUANTIZATIONS:
        raise ValueError(f"--quantize must be one of {QUANTIZATIONS}, got {options.quantize!r}")
    base_model = _base_model(options, meta)
    encoder = (encoder or _load_encoder(options, meta)).eval()
    if encoder.dim != hypernet.config.embed_dim:
        raise ValueError(
            f"--encoder {encoder.name} embeds to {encoder.dim} dims but the checkpoint expects "
            f"{hypernet.config.embed_dim}; pass the encoder the hypernetwork was trained with"
        )
    version = options.version or str(
        meta.get("version") or _content_version(options.checkpoint, encoder)
    )
    if options.quantize and not version.endswith(f"+{options.quantize}"):
        # Other bytes for the same description: the bundle id must differ from the float32 one.
        version = f"{version}+{options.quantize}"
    if not VERSION_PATTERN.match(version):
        raise ValueError(
            f"checkpoint meta version {version!r} must match {VERSION_PATTERN.pattern}"
        )

    options.output.mkdir(parents=True, exist_ok=True)
    staging = Path(
        tempfile.mkdtemp(prefix=f".{options.output.name}.export.", dir=options.output.parent)
    )
    try:
        graphs = staging / "encoder.onnx", staging / "hypernet.onnx"
        export_encoder(encoder, graphs[0])
        export_hypernet(hypernet, graphs[1])
        parity = check_parity(encoder, hypernet, *graphs)
        if options.quantize:
            # The float32 graph passed its bounds first: quantization error is all that's left.
            with torch.no_grad():
                calibration = encoder.encode(list(CALIBRATION_DESCRIPTIONS)).numpy()  # (N, E)
            quantize_hypernet(graphs[1], graphs[1], calibration)
            parity = check_parity(encoder, hypernet, *graphs, quantization=options.quantize)
        _write_tokenizer(encoder, staging / "tokenizer.json")
        vectors = build_test_vectors(encoder, hypernet, f"{name}@{version}", options.quantize)
        (staging / "test_vectors.json").write_text(
            json.dumps(vectors, indent=1, ensure_ascii=False) + "\n"
        )
        if options.checkpoint.resolve() != options.output.resolve():
            for source in _source_files(options.checkpoint):
                shutil.copy2(source, staging / source.name)
        manifest = _publish(
            staging,
            options.output,
            lambda files: _manifest(
                name, version, base_model, encoder, hypernet, meta, parity, files, options.quantize
            ),
        )
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return manifest


def _load_encoder(options: ExportOptions, meta: dict) -> TaskEncoder:
    """The encoder the checkpoint was trained with, with its recorded pooling and length."""
    recorded = meta.get("encoder") or {}
    if isinstance(recorded, str):
        recorded = {"name": recorded}
    return TaskEncoder.from_pretrained(
        options.encoder or recorded.get("name") or DEFAULT_ENCODER,
        pooling=recorded.get("pooling"),
        normalize=recorded.get("normalize"),
        max_length=recorded.get("max_length"),
    )


def _base_model(options: ExportOptions, meta: dict) -> dict:
    recorded = meta.get("base_model") or {}
    if isinstance(recorded, str):
        recorded = {"hf_id": recorded}
    hf_id = options.base_model or recorded.get("hf_id") or recorded.get("name")
    if not hf_id:
        raise ValueError(
            "the checkpoint's meta names no base model; pass --base-model HUB_ID "
            "(e.g. HuggingFaceTB/SmolLM2-135M-Instruct)"
        )
    return {"hf_id": hf_id, "revision": options.base_model_revision or recorded.get("revision")}


def _content_version(checkpoint: Path, encoder: TaskEncoder) -> str:
    digest = hashlib.sha256(file_sha256(checkpoint / WEIGHTS_FILE).encode())
    digest.update(encoder.fingerprint().encode())
    return digest.hexdigest()[:12]


def _write_tokenizer(encoder: TaskEncoder, path: Path) -> None:
    """The fast tokenizer without padding/truncation: the worker pads and truncates itself."""
    backend = getattr(encoder.tokenizer, "backend_tokenizer", None)
    if backend is None:
        raise ValueError(f"--encoder {encoder.name} has no fast (tokenizer.json) tokenizer")
    document = json.loads(backend.to_str())
    document["truncation"] = None
    document["padding"] = None
    path.write_text(json.dumps(document, ensure_ascii=False))


def _source_files(checkpoint: Path) -> list[Path]:
    """The checkpoint's own files (weights, config, training record) to ship alongside."""
    files = [
        p
        for p in sorted(checkpoint.iterdir())
        if p.is_file()
        and not p.name.startswith(".")
        and p.name != MANIFEST_FILE
        and p.name not in GENERATED_FILES
    ]
    names = {p.name for p in files}
    if not {WEIGHTS_FILE, CONFIG_FILE} <= names:
        raise ValueError(f"{checkpoint} lacks {WEIGHTS_FILE} or {CONFIG_FILE}: not a checkpoint")
    return files


def _manifest(
    name: str,
    version: str,
    base_model: dict,
    encoder: TaskEncoder,
    hypernet: HyperNetwork,
    meta: dict,
    parity: dict,
    files: dict,
    quantization: str | None,
) -> dict:
    config = hypernet.config
    return {
        "schema": BUNDLE_SCHEMA,
        "name": name,
        "version": version,
        "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "base_model": {**base_model, "num_layers": config.targets.num_layers},
        "lora": {
            "r": config.rank,
            "lora_alpha": config.lora_alpha,
            "use_rslora": config.use_rslora,
            "modules": config.targets.to_dict()["modules"],
        },
        "encoder": {
            "name": encoder.name,
            "dim": encoder.dim,
            "max_length": encoder.max_length,
            "pooling": encoder.pooling,
            "normalize": encoder.normalize,
        },
        "hypernet": {
            "variant": config.variant,
            "params": hypernet.num_parameters(),
            "config": {k: v for k, v in config.to_dict().items() if k != "targets"},
        },
        "normalization": NORMALIZATION_RULE,
        "quantization": quantization,
        "parity": {
            "encoder_max_abs_error": parity["encoder"],
            "hypernet_max_abs_error": parity["hypernet"],
            "hypernet_max_relative_error": parity["hypernet_relative"],
            "bounds": parity_bounds(quantization),
            "torch": torch.__version__,
            "onnxruntime": onnxruntime.__version__,
        },
        "files": files,
        "training": meta.get("training", {}),
    }


def _publish(staging: Path, output: Path, make_manifest) -> dict:
    manifest_path = output / MANIFEST_FILE
    manifest_path.unlink(missing_ok=True)  # the bundle is "not ready" until the new one lands
    for staged in sorted(staging.iterdir()):
        staged.chmod(0o644)  # the worker runs as an unprivileged user over a read-only mount
        os.replace(staged, output / staged.name)
    files = {
        p.name: file_sha256(p)
        for p in sorted(output.iterdir())
        if p.is_file() and not p.name.startswith(".") and p.name != MANIFEST_FILE
    }
    manifest = make_manifest(files)
    write_json_atomically(manifest_path, manifest)
    return manifest
