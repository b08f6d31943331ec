"""`t2l generate "<description>" -o DIR`: one description in, one PEFT adapter folder out.

The description is normalised (`nfc-trim-collapse/v1`), embedded with the encoder the
checkpoint was trained with, turned into a LoRA by the hypernetwork and written as Contract 2:
the safetensors metadata carries the bundle id and the sha256 of the normalised description.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import torch

from t2l.checkpoint import load_hypernet
from t2l.encoder import TaskEncoder
from t2l.normalize import NORMALIZATION_RULE, description_sha256, normalize_description
from t2l.peft_io import PeftLoRA, save_peft_adapter
from t2l.recipe_config import DEFAULT_EMBEDDING_CACHE

DEFAULT_CHECKPOINT = "bundles/smollm2-135m-instruct-t2l"
DTYPES = {"float32": torch.float32, "float16": torch.float16}


def generate_adapter(
    checkpoint: str | Path,
    description: str,
    out_dir: str | Path,
    *,
    encoder: TaskEncoder | None = None,
    bundle: str | None = None,
    dtype: str = "float32",
    embedding_cache: str | None = DEFAULT_EMBEDDING_CACHE,
) -> Path:
    if dtype not in DTYPES:
        raise ValueError(f"--dtype must be one of {sorted(DTYPES)}, got {dtype!r}")
    normalized = normalize_description(description)
    hypernet, meta = load_hypernet(checkpoint)
    if encoder is None:
        settings = meta.get("encoder") or {}
        if "name" not in settings:
            raise ValueError(f"{checkpoint}: hypernet.json meta names no encoder; pass one")
        encoder = TaskEncoder.from_pretrained(
            settings["name"],
            pooling=settings.get("pooling"),
            normalize=settings.get("normalize"),
            max_length=settings.get("max_length"),
            cache_dir=embedding_cache,
        )
    if encoder.dim != hypernet.config.embed_dim:
        raise ValueError(
            f"encoder {encoder.name} gives {encoder.dim}-dim embeddings but the "
            f"hypernetwork expects {hypernet.config.embed_dim}"
        )

    with torch.no_grad():
        loras = hypernet.eval()(encoder.encode([normalized]))  # A (1, L, r, in), B (1, L, out, r)
    config = hypernet.config
    adapter = PeftLoRA(
        targets=config.targets,
        weights={name: (a[0], b[0]) for name, (a, b) in loras.items()},
        rank=config.rank,
        lora_alpha=config.lora_alpha,
        use_rslora=config.use_rslora,
        base_model_name_or_path=(meta.get("base_model") or {}).get("hf_id"),
        metadata={
            "bundle": bundle or default_bundle_id(Path(checkpoint), meta),
            "description_sha256": description_sha256(normalized),
            "normalization": NORMALIZATION_RULE,
        },
    )
    return save_peft_adapter(out_dir, adapter, DTYPES[dtype])


def default_bundle_id(checkpoint: Path, meta: dict) -> str:
    """`name@version` from the checkpoint's meta, else `<folder>@local`."""
    if meta.get("name") and meta.get("version"):
        return f"{meta['name']}@{meta['version']}"
    return f"{checkpoint.resolve().name}@local"


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "generate",
        help="write the PEFT adapter for a task description",
        description="Generate a LoRA adapter (PEFT folder) from a plain-language description.",
    )
    parser.add_argument("description", help="what the adapter should make the model do")
    parser.add_argument("-o", "--out-dir", required=True, help="adapter folder to write")
    parser.add_argument(
        "--checkpoint",
        default=DEFAULT_CHECKPOINT,
        help="folder with hypernet.safetensors + hypernet.json",
    )
    parser.add_argument("--bundle", help="name@version recorded in the adapter metadata")
    parser.add_argument("--dtype", default="float32", choices=sorted(DTYPES))
    parser.add_argument(
        "--embedding-cache",
        default=DEFAULT_EMBEDDING_CACHE,
        help="task-embedding cache folder; 'none' turns it off",
    )

    def run(args: argparse.Namespace) -> int:
        cache = None if args.embedding_cache.lower() == "none" else args.embedding_cache
        folder = generate_adapter(
            args.checkpoint,
            args.description,
            args.out_dir,
            bundle=args.bundle,
            dtype=args.dtype,
            embedding_cache=cache,
        )
        print(folder)
        return 0

    parser.set_defaults(func=run)
