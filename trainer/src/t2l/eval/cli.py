"""`t2l eval`: methods side by side on the held-out tasks -> docs/results/eval_heldout.json."""

from __future__ import annotations

import logging
from typing import Any

from t2l.eval.config import EvalConfig
from t2l.recipe_cli import add_recipe_command

HELP = (
    "Score base, base+description, multitask LoRA, oracle LoRA, T2L and its two controls on "
    "the held-out tasks (greedy, fixed seed, resumable) and write the results JSON."
)


def _run(config: EvalConfig) -> dict:
    from t2l.eval.run import run_eval  # torch/transformers only when the command runs

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    results = run_eval(config)
    for method, row in results["methods"].items():
        avg = "n/a" if row["avg"] is None else f"{row['avg']:.4f}"
        print(f"{method:26s} avg {avg} over {row['tasks_scored']} tasks")
    print(f"wrote {config.output}")
    return results


def register(subparsers: Any) -> None:
    add_recipe_command(subparsers, "eval", EvalConfig, _run, HELP)
