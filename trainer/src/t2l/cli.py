"""`t2l` command line: each subcommand lives in its own module and registers itself here."""

from __future__ import annotations

import argparse
import importlib
import sys

# Each module exposes `register(subparsers)`; the parser it adds sets `func(args) -> int`.
COMMAND_MODULES: tuple[str, ...] = (
    "t2l.recipes.train_sft",
    "t2l.recipes.train_recon",
    "t2l.recipes.train_lora",
    "t2l.recipes.distill",
    "t2l.recipes.calibrate_scale",
    "t2l.recipes.generate",
    "t2l.export.cli",
    "t2l.publish.cli",
    "t2l.eval.cli",
    "t2l.eval.merge_cli",
    "t2l.eval.loss_gap_cli",
    "t2l.eval.method_losses_cli",
    "t2l.embed_table_cli",
    "t2l.report.cli",
    "t2l.report.collect_cli",
    "t2l.report.fine_tune_cli",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="t2l", description=__doc__)
    subparsers = parser.add_subparsers(dest="command", required=True)
    for module_name in COMMAND_MODULES:
        importlib.import_module(module_name).register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except ValueError as err:
        print(f"t2l {args.command}: error: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
