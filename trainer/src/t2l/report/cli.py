"""`t2l results`: regenerate docs/RESULTS.md and its plots from docs/results/*.json."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from t2l.tasks.paths import repo_root


def _run(args: argparse.Namespace) -> int:
    from t2l.report.render import render  # matplotlib only when the command runs

    for path in render(Path(args.results_dir), Path(args.output)):
        print(f"wrote {path}")
    return 0


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("results", help=__doc__, description=__doc__)
    parser.add_argument("--results-dir", default=str(repo_root() / "docs" / "results"),
                        help="folder of result JSON documents (default: docs/results)")
    parser.add_argument("--output", default=str(repo_root() / "docs" / "RESULTS.md"),
                        help="markdown file to write (default: docs/RESULTS.md)")
    parser.set_defaults(func=_run)
