"""`t2l collect-run`: a pipeline run folder's evaluations and training curves into docs/results/."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from t2l.tasks.paths import repo_root


def _run(args: argparse.Namespace) -> int:
    from t2l.report.collect_run import collect_run  # torch only when the command runs

    summary = Path(args.summary) if args.summary else None
    for path in collect_run(Path(args.run_dir), Path(args.out), summary,
                            args.reconstruction_only):
        print(f"wrote {path}")
    print("next: `npm run results` regenerates docs/RESULTS.md and the README summary")
    return 0


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("collect-run", help=__doc__, description=__doc__)
    parser.add_argument("run_dir", metavar="RUN_DIR",
                        help="the run folder of trainer/scripts/gpu_pipeline.py (runs/gpu)")
    parser.add_argument("--out", default=str(repo_root() / "docs" / "results"),
                        help="folder for the result documents (default: docs/results)")
    parser.add_argument("--summary", default=None,
                        help="the pipeline's summary.json (default: RUN_DIR/summary.json)")
    parser.add_argument("--reconstruction-only", action="store_true",
                        help="only eval_reconstruction.json and reconstruction.json (a run of "
                             "trainer/scripts/gpu_recon.py)")
    parser.set_defaults(func=_run)
