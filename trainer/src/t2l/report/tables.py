"""Markdown tables for result documents: the held-out evaluation and a generic fallback."""

from __future__ import annotations

import json
import statistics
from typing import Any

METHOD_LABELS = {
    "base": "base model",
    "base_with_description": "base + description in prompt",
    "multitask_lora": "multi-task LoRA",
    "oracle_lora": "oracle per-task LoRA (upper bound)",
    "t2l": "T2L (adapters from held-out descriptions)",
    "t2l_other_descriptions": "T2L, other tasks' descriptions (control)",
    "t2l_random_descriptions": "T2L, random strings (control)",
}
MAX_CELL = 120


def is_eval_heldout(document: Any) -> bool:
    return (isinstance(document, dict) and isinstance(document.get("methods"), dict)
            and isinstance(document.get("tasks"), list)
            and all(isinstance(m, dict) and "per_task" in m and "avg" in m
                    for m in document["methods"].values()))


def _score(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.1f}"


def eval_heldout_table(document: dict) -> str:
    """Methods as rows, held-out tasks as columns, scores in percent, average last."""
    tasks = document["tasks"]
    metrics = document.get("metrics", {})
    header = "| method | " + " | ".join(
        f"{t}<br>({metrics[t]})" if t in metrics else t for t in tasks) + " | **avg** |"
    rows = [header, "|---|" + "---:|" * (len(tasks) + 1)]
    for method, row in document["methods"].items():
        cells = [_score(row["per_task"].get(t)) for t in tasks]
        label = METHOD_LABELS.get(method, method)
        rows.append(f"| {label} (`{method}`) | " + " | ".join(cells)
                    + f" | {_average_cell(row, len(tasks))} |")
    return "\n".join(rows)


def _average_cell(row: dict, task_count: int) -> str:
    """The average, saying over how many tasks when a method missed some: a merged run's
    baselines and an oracle cover fewer tasks than the rows beside them."""
    scored = sum(score is not None for score in row["per_task"].values())
    cell = f"**{_score(row['avg'])}**"
    return cell if scored >= task_count else f"{cell} ({scored} of {task_count} tasks)"


def description_spread(document: dict) -> str | None:
    """For methods scored under several descriptions a task: the average over tasks of each
    task's k-th description, so how much the choice of description moves a score shows beside
    the mean (None when every method had one)."""
    slots_by_method = []
    for method, row in document["methods"].items():
        lists = [scores for scores in (row.get("per_condition") or {}).values() if scores]
        width = min((len(scores) for scores in lists), default=0)
        if width > 1:
            slots = [statistics.fmean(scores[k] for scores in lists) for k in range(width)]
            slots_by_method.append(f"`{method}` " + " / ".join(_score(s) for s in slots))
    if not slots_by_method:
        return None
    return ("- average with each task's first, second, ... description: "
            + "; ".join(slots_by_method))


def eval_heldout_notes(document: dict) -> str:
    run = document.get("run", {})
    config = document.get("config", {})
    items = run.get("items_per_task", {})
    label = str(run.get("label", "unlabelled"))
    parts = [
        f"- run: **{label}**, {run.get('created_at', '?')}, "
        f"commit `{(run.get('git_commit') or '?')[:10]}`, scoring time "
        f"{run.get('scoring_time_s', run.get('wall_time_s', '?'))} s",
        f"- base model: `{document.get('base_model')}`",
        f"- items per task: {', '.join(f'{t} {n}' for t, n in items.items()) or '?'}",
        f"- descriptions per task: {config.get('descriptions_per_task', '?')}, "
        f"seed {config.get('seed', '?')}, greedy decoding, max new tokens "
        f"{config.get('max_new_tokens') or 'per task'}",
    ]
    artifacts = document.get("artifacts") or {}
    training = artifacts.get("hypernet_training")
    if isinstance(training, dict):
        metrics = ", ".join(f"{k} {format_value(v)}"
                            for k, v in (training.get("metrics") or {}).items())
        parts.append(f"- hypernet training: {training.get('mode', '?')}, "
                     f"{training.get('steps', '?')} steps, {len(training.get('tasks') or [])} "
                     f"tasks{', ' + metrics if metrics else ''}")
    for key in ("multitask_lora", "oracle_loras", "hypernet"):
        if artifacts.get(key):
            parts.append(f"- {key}: `{artifacts[key]}`")
    if spread := description_spread(document):
        parts.append(spread)
    if label.startswith("smoke"):
        parts.insert(0, "> **Smoke configuration.** These numbers only show that the pipeline "
                        "runs end to end (a few training steps, a few items); they measure "
                        "nothing about the methods.\n")
    parts.append("- scores are percentages (accuracy, exact match, ROUGE-L F1 or pass@1 per "
                 "task); `avg` is over the tasks a method was scored on; — means not "
                 "applicable (no training data for an oracle on evaluation-only tasks)")
    return "\n".join(parts)


def _clip(text: str) -> str:
    return text if len(text) <= MAX_CELL else text[: MAX_CELL - 1] + "…"


def _flatten(value: Any, prefix: str = "") -> list[tuple[str, str]]:
    if isinstance(value, dict) and value:
        rows = []
        for key, inner in value.items():
            rows.extend(_flatten(inner, f"{prefix}.{key}" if prefix else str(key)))
        return rows
    if isinstance(value, list):
        scalars = all(not isinstance(v, dict | list) for v in value)
        if scalars and len(value) <= 8:
            return [(prefix, ", ".join(format_value(v) for v in value))]
        if scalars:
            return [(prefix, f"{len(value)} values")]
        return [(prefix, _clip(json.dumps(value, separators=(",", ":"))))]
    return [(prefix, format_value(value))]


def format_value(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.6g}"
    if value is None:
        return "—"
    return _clip(str(value)).replace("|", "\\|").replace("\n", " ")


def key_value_table(document: Any) -> str:
    rows = ["| key | value |", "|---|---|"]
    rows += [f"| `{key or '(value)'}` | {value} |" for key, value in _flatten(document)]
    return "\n".join(rows)


def outdated_specs_note(document: dict, current_specs: dict[str, str]) -> str | None:
    """Tasks the run scored under another spec than the task library holds now (the digests its
    document recorded, `run.task_specs`): their scores measure the protocol of then. Runs from
    before digests were recorded say nothing either way."""
    recorded = (document.get("run") or {}).get("task_specs") or {}
    outdated = [task for task, digest in recorded.items()
                if digest is not None and task in current_specs and current_specs[task] != digest]
    if not outdated:
        return None
    return ("> **Scored under an earlier task spec** than `trainer/tasks/` holds now: "
            + ", ".join(outdated) + ". Those scores measure the earlier prompt, options or metric.")
