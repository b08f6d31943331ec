"""The results document of `t2l eval` (`docs/results/eval_heldout.json`)."""

from __future__ import annotations

import statistics
import subprocess
from datetime import datetime, timezone
from pathlib import Path

from t2l.eval.choice_balance import choice_summary
from t2l.eval.config import EvalConfig
from t2l.tasks.paths import repo_root

EVAL_SCHEMA = "t2l.eval_heldout/v1"


def git_commit() -> str | None:
    """The repository's HEAD, which a results document names as the code that made it."""
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], cwd=repo_root(), capture_output=True,
                             text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return out.stdout.strip() or None


def build_results(
    *, config: EvalConfig, base_model_id: str, tasks: list[str], metrics: dict[str, str],
    items: dict[str, int], descriptions: dict[str, list[str]], task_specs: dict[str, str],
    per_condition: dict[str, dict[str, list[float] | None]],
    per_item: dict[str, dict[str, list[float] | None]], artifacts: dict, wall_time_s: float,
    scoring_time_s: float, choices: dict[str, dict[str, list[list[int] | None]]] | None = None,
    labels: dict[str, list[int]] | None = None,
) -> dict:
    """Per task: mean over a method's conditions; `avg`: mean over the tasks it was scored on
    (oracle LoRA is not applicable to evaluation-only tasks); `per_item`: each item's score,
    averaged over the conditions, for paired comparisons between methods (None where a
    condition predates item scores); `choices`: per multiple-choice task, balanced accuracy and
    the most frequent answer's share (`t2l.eval.choice_balance`; None where a condition
    predates recorded choices)."""
    methods = {}
    for method, by_task in per_condition.items():
        per_task = {t: (statistics.fmean(s) if s else None) for t, s in by_task.items()}
        scored = [v for v in per_task.values() if v is not None]
        methods[method] = {
            "avg": statistics.fmean(scored) if scored else None,
            "per_task": per_task,
            "tasks_scored": len(scored),
            "per_condition": by_task,
            "per_item": {t: _rounded(per_item[method].get(t)) for t in by_task},
        }
        if labels:
            rows = (choices or {}).get(method, {})
            methods[method]["choices"] = {t: choice_summary(rows.get(t) or [], task_labels)
                                          for t, task_labels in labels.items() if t in by_task}
    return {
        "schema": EVAL_SCHEMA,
        "base_model": base_model_id,
        "tasks": tasks,
        "metrics": metrics,
        "methods": methods,
        "run": {
            "label": config.run_label,
            "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "git_commit": git_commit(),
            "wall_time_s": round(wall_time_s, 1),  # this invocation
            "scoring_time_s": round(scoring_time_s, 1),  # all conditions, across resumes
            "items_per_task": items,
            "descriptions": descriptions,
            "task_specs": task_specs,  # task -> TaskSpec.digest(): the protocol it was scored by
            # What --device resolved to for this invocation (config.device may say "auto").
            "device": str(config.torch_device()),
        },
        "config": {k: _portable(v) for k, v in config.to_dict().items()},
        "artifacts": {k: _portable(v) for k, v in artifacts.items()},
    }


def item_means(rows: list[list[float] | None]) -> list[float] | None:
    """Item i's mean score over conditions (rows); None unless every row holds the same items."""
    present = [r for r in rows if r is not None]
    if not present or len(present) != len(rows) or any(len(r) != len(present[0]) for r in present):
        return None
    return [statistics.fmean(column) for column in zip(*present, strict=True)]


def _rounded(scores: list[float] | None) -> list[float] | None:
    return None if scores is None else [round(s, 6) for s in scores]


def _portable(value: object) -> object:
    """Paths inside the repository as repository-relative, so the document is machine-neutral."""
    if isinstance(value, str) and value.startswith("/"):
        try:
            return str(Path(value).relative_to(repo_root()))
        except ValueError:
            return value
    return value
