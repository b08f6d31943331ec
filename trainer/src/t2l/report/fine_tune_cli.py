"""`t2l collect-curves`: fine-tune runs' evaluations into docs/results/fine_tune_curves.json."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from t2l.tasks.paths import repo_root


def parse_runs(items: list[str]) -> dict[str, Path]:
    runs = {}
    for item in items:
        label, sep, folder = item.partition("=")
        if not sep or not label.strip() or not folder.strip():
            raise ValueError(f"--runs {item!r}: give LABEL=RUN_DIR, e.g. 'arithmetic=runs/sft-x'")
        if label.strip() in runs:
            raise ValueError(f"--runs: label {label.strip()!r} given twice")
        runs[label.strip()] = Path(folder.strip())
    return runs


def _run(args: argparse.Namespace) -> int:
    from t2l.atomic_file import write_json_atomically
    from t2l.report.fine_tune_curves import appended_curves, fine_tune_curves

    document = fine_tune_curves(parse_runs(args.runs))  # every run read before writing
    if args.append:
        document = appended_curves(document, Path(args.output))
    write_json_atomically(Path(args.output), document)
    print(f"wrote {args.output}\nnext: `npm run results` regenerates docs/RESULTS.md")
    return 0


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("collect-curves", help=__doc__, description=__doc__)
    parser.add_argument("--runs", nargs="+", required=True, metavar="LABEL=RUN_DIR",
                        help="train-sft output folders, in the order to show them")
    parser.add_argument("--output",
                        default=str(repo_root() / "docs" / "results" / "fine_tune_curves.json"),
                        help="document to write (default: docs/results/fine_tune_curves.json)")
    parser.add_argument("--append", action="store_true",
                        help="keep --output's runs, replacing those of the same label")
    parser.set_defaults(func=_run)
