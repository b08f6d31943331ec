"""`docs/results/training_curves.json`: each training run of a pipeline folder, compacted.

Train loss becomes means over consecutive windows (about `POINTS` of them per run), so a run of
any length plots the same and the document stays small; validation points are kept as logged.
"""

from __future__ import annotations

import math
import statistics
from pathlib import Path

from t2l.report.metrics_log import MetricsLog, read_metrics, read_run_config

CURVES_SCHEMA = "t2l.training_curves/v1"
POINTS = 50
DIGITS = 5


def windowed_means(train: list[dict], points: int = POINTS) -> dict:
    """{"window", "step": last step of each window, "loss": its mean train loss}."""
    window = max(1, math.ceil(len(train) / points))
    steps, losses = [], []
    for begin in range(0, len(train), window):
        chunk = train[begin:begin + window]
        steps.append(chunk[-1]["step"])
        losses.append(round(statistics.fmean(r["loss"] for r in chunk), DIGITS))
    return {"window": window, "step": steps, "loss": losses}


def _validation(val: list[dict]) -> dict:
    def column(key: str) -> list[float | None]:
        return [None if r.get(key) is None else round(r[key], DIGITS) for r in val]

    return {"step": [r["step"] for r in val], "val_loss": column("val_loss"),
            "heldout_loss": column("heldout_loss")}


def run_curve(log: MetricsLog, config: dict) -> dict:
    return {
        "planned_steps": config.get("max_steps"),
        "steps": log.train[-1]["step"] if log.train else 0,
        "wall_s": round(log.wall_s, 1),
        "train": windowed_means(log.train),
        "val": _validation(log.val),
    }


def training_runs(run_dir: Path) -> dict[str, Path]:
    """The pipeline's runs by name: sft, hinge, multitask, recon, then oracles/<task>."""
    runs = {name: run_dir / name for name in ("sft", "hinge", "multitask", "recon")}
    oracles = run_dir / "oracles"
    if oracles.is_dir():
        runs |= {f"oracles/{p.name}": p for p in sorted(oracles.iterdir()) if p.is_dir()}
    return runs


def training_curves(run_dir: Path, pipeline: dict) -> dict:
    """The curves document; `pipeline` is the pipeline's summary.json (its plan and exit codes)."""
    hint = "rerun that job of trainer/scripts/gpu_pipeline.py, or copy its folder into RUN_DIR"
    runs = {}
    for name, folder in training_runs(run_dir).items():
        runs[name] = run_curve(read_metrics(folder, hint), read_run_config(folder, hint))
    return {"schema": CURVES_SCHEMA, "window_points": POINTS, "runs": runs,
            "pipeline": pipeline}
