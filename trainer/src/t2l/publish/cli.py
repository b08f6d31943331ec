"""`t2l publish-weights CHECKPOINT -o bundles/NAME --version V`: a checkpoint's committed form."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from t2l.publish.weights import DTYPES, publish_weights


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "publish-weights",
        help="write a checkpoint's hypernetwork as a bundle's committed fp16 weights",
        description=__doc__,
    )
    parser.add_argument("checkpoint", type=Path, help="folder with hypernet.safetensors + .json")
    parser.add_argument("-o", "--output", type=Path, required=True, help="bundle folder")
    parser.add_argument("--name", help="bundle name (default: the output folder's name)")
    parser.add_argument("--version", required=True, help="bundle version, e.g. 0.1.0")
    parser.add_argument("--dtype", default="float16", choices=sorted(DTYPES))
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    name = args.name or args.output.resolve().name
    meta = publish_weights(args.checkpoint, args.output, name, args.version, args.dtype)
    print(json.dumps({"bundle": str(args.output), "name": name, "version": args.version,
                      "training": meta.get("training", {})}, indent=2))
    return 0
