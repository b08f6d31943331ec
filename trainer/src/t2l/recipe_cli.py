"""Shared plumbing for recipe subcommands: config flags in, a config dataclass out."""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from typing import Any

import torch

from t2l.config_io import add_config_flags, config_from_args


def add_recipe_command(
    subparsers: Any, name: str, config_cls: type, run: Callable[[Any], Any], help_text: str
) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(name, help=help_text, description=help_text)
    add_config_flags(parser, config_cls)

    def func(args: argparse.Namespace) -> int:
        if torch.cuda.is_available():
            # TF32 matmuls: fp32 storage and accumulation, about 8x the fp32 throughput.
            # T2L_MATMUL_PRECISION=highest keeps plain fp32 where a GPU's TF32 losses stray
            # from the serving CPU's (trainer/scripts/device_parity.py).
            torch.set_float32_matmul_precision(os.environ.get("T2L_MATMUL_PRECISION", "high"))
        run(config_from_args(config_cls, args))
        return 0

    parser.set_defaults(func=func)
    return parser
