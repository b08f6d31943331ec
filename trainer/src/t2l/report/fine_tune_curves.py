"""`docs/results/fine_tune_curves.json`: how held-out and development loss move during fine-tunes.

The CPU fine-tunes (`trainer/configs/sft-smollm2-*.yaml`) start from a trained hypernetwork and
evaluate every few dozen steps; their held-out loss can bottom out mid-run. This document keeps,
per run, every evaluation (the warm start's own, at step 0, included), the windowed train loss
and the checkpoint `--keep-best` kept, so RESULTS can show whether development loss picks the
step held-out loss would have picked, without the held-out tasks ever choosing it.
"""

from __future__ import annotations

from pathlib import Path

from t2l.report.append_rows import existing_document, with_rows_of
from t2l.report.metrics_log import MetricsLog, read_metrics, read_run_config
from t2l.report.training_curves import DIGITS, windowed_means

FINE_TUNE_SCHEMA = "t2l.fine_tune_curves/v1"
EVAL_METRICS = ("val_loss", "heldout_loss", "dev_loss")


def evaluations(log: MetricsLog) -> dict:
    """{"step": [...], metric: [...] per EVAL_METRICS}: the warm start's step-0 evaluation (in
    the start event) and every logged one; None where a run did not log that metric."""
    records = [log.start] if any(m in log.start for m in EVAL_METRICS) else []
    records += log.val
    columns = {"step": [r["step"] for r in records]}
    for metric in EVAL_METRICS:
        columns[metric] = [None if r.get(metric) is None else round(r[metric], DIGITS)
                           for r in records]
    return columns


def eval_points(evals: dict, metric: str) -> list[tuple[int, float]]:
    """(step, value) of the evaluations of an `evaluations` document that logged `metric`."""
    return [(s, v) for s, v in zip(evals["step"], evals[metric], strict=True) if v is not None]


def kept_best(log: MetricsLog) -> dict | None:
    """The last `best` event: the checkpoint `<out>/best` holds, or None without --keep-best."""
    best = [e for e in log.events if e.get("event") == "best"]
    if not best:
        return None
    metric = next(k for k in best[-1] if k in EVAL_METRICS)
    return {"metric": metric, "step": best[-1]["step"], "value": round(best[-1][metric], DIGITS)}


def fine_tune_curve(run_dir: Path) -> dict:
    hint = "pass the output folder of a `t2l train-sft` run (its --out-dir)"
    log, config = read_metrics(run_dir, hint), read_run_config(run_dir, hint)
    return {
        "run_dir": str(run_dir),
        "init_from": config.get("init_from"),
        "planned_steps": config.get("max_steps"),
        "steps": log.train[-1]["step"] if log.train else 0,
        "wall_s": round(log.wall_s, 1),
        "train": windowed_means(log.train),
        "evals": evaluations(log),
        "best": kept_best(log),
    }


def fine_tune_curves(runs: dict[str, Path]) -> dict:
    """`runs`: label -> run folder, in the order to show them."""
    if not runs:
        raise ValueError("--runs is empty; give at least one LABEL=RUN_DIR")
    return {"schema": FINE_TUNE_SCHEMA, "runs": {label: fine_tune_curve(folder)
                                                  for label, folder in runs.items()}}


def appended_curves(document: dict, path: Path) -> dict:
    """`document`'s runs after those of the one at `path` it does not replace (by label): how
    runs whose folders are gone stay in the record when new ones join it."""
    return with_rows_of(existing_document(path, FINE_TUNE_SCHEMA), document, "runs")
