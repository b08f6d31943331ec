"""`t2l export-bundle CHECKPOINT -o BUNDLE_DIR`: build a servable bundle from a checkpoint."""

from __future__ import annotations

import argparse
import json
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "export-bundle",
        help="export ONNX graphs, tokenizer and manifest (Contract 1)",
        description=__doc__,
    )
    parser.add_argument(
        "checkpoint", type=Path, help="folder with hypernet.safetensors + hypernet.json"
    )
    parser.add_argument(
        "-o", "--output", type=Path, required=True, help="bundle folder (may be CHECKPOINT)"
    )
    parser.add_argument("--name", help="bundle name (default: the output folder's name)")
    parser.add_argument("--version", help="bundle version (default: derived from the weights)")
    parser.add_argument(
        "--encoder", help="task encoder hub id or folder (default: from the checkpoint)"
    )
    parser.add_argument(
        "--base-model", help="base model hub id adapters name (default: from the checkpoint)"
    )
    parser.add_argument("--base-model-revision", help="base model revision to record")
    parser.add_argument(
        "--quantize",
        choices=["int8"],
        help="int8 hypernetwork: faster on CPU, less exact (bound in the manifest); "
        "the version gets a +int8 suffix",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    # Imported here: onnx/onnxruntime are the optional `export` extra, and every other t2l
    # command should start without them.
    from t2l.export.bundle import ExportOptions, export_bundle

    manifest = export_bundle(
        ExportOptions(
            checkpoint=args.checkpoint,
            output=args.output,
            name=args.name,
            version=args.version,
            encoder=args.encoder,
            base_model=args.base_model,
            base_model_revision=args.base_model_revision,
            quantize=args.quantize,
        )
    )
    summary = {k: manifest[k] for k in ("name", "version")} | {"parity": manifest["parity"]}
    print(json.dumps({"bundle": str(args.output), **summary}, indent=2))
    return 0
