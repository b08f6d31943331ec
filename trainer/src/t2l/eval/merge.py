"""One evaluation from several: each task taken whole from the run that scored it on most items.

On CPU an evaluation that scores every item of every task for every method does not fit one
session, so it is done in parts (every multiple-choice item in one run, every item of a
generated-answer task in another). Merging keeps each task's scores exactly as its run wrote them
(every method that run scored on the task, paired item by item), so the quality bar's intervals
stay paired; it refuses runs whose scores are not comparable: another base model, other
adapters, seed, descriptions or decoding budget.
"""

from __future__ import annotations

import statistics
from datetime import datetime, timezone

from t2l.eval.results import EVAL_SCHEMA, git_commit

# Config a merged run's parts must share: everything a score depends on but the items scored.
SHARED_CONFIG = ("base_model", "seed", "descriptions_per_task", "max_new_tokens",
                 "code_timeout_s")
# Per-task entries of a method's row, moved over as they are.
TASK_ENTRIES = ("per_task", "per_condition", "per_item", "choices")


def _require_comparable(documents: dict[str, dict]) -> None:
    first_name, first = next(iter(documents.items()))
    for name, document in documents.items():
        if document.get("schema") != EVAL_SCHEMA:
            raise ValueError(f"--inputs {name}: not a {EVAL_SCHEMA} document")
        differs = [f"config.{k}" for k in SHARED_CONFIG
                   if document["config"].get(k) != first["config"].get(k)]
        differs += [k for k in ("base_model", "artifacts") if document.get(k) != first.get(k)]
        if differs:
            raise ValueError(f"--inputs {name} and {first_name} differ in {differs}: their "
                             "scores are not comparable; merge runs of the same artifacts")
    drawn: dict[str, tuple[str, list[str]]] = {}
    for name, document in documents.items():
        for task, descriptions in document["run"]["descriptions"].items():
            seen = drawn.setdefault(task, (name, descriptions))
            if seen[1] != descriptions:
                raise ValueError(f"--inputs {name} and {seen[0]} drew other descriptions for "
                                 f"{task}; merge runs made with the same tasks file and seed")


def task_sources(documents: dict[str, dict]) -> dict[str, str]:
    """task -> the input whose scores it keeps: the one that scored it on most items (a tie goes
    to the later input), in the order the inputs first name their tasks."""
    sources: dict[str, str] = {}
    for name, document in documents.items():
        for task in document["tasks"]:
            items = document["run"]["items_per_task"][task]
            kept = sources.get(task)
            if kept is None or items >= documents[kept]["run"]["items_per_task"][task]:
                sources[task] = name
    return sources


def merge_evaluations(documents: dict[str, dict], label: str, output: str) -> dict:
    """The `t2l eval` document the inputs (path -> document, in order) make together."""
    if len(documents) < 2:
        raise ValueError("--inputs: give at least two evaluation documents to merge")
    _require_comparable(documents)
    sources = task_sources(documents)
    methods: dict[str, dict] = {}
    for task, name in sources.items():
        for method, row in documents[name]["methods"].items():
            if row["per_task"].get(task) is None:
                continue
            merged = methods.setdefault(method, {entry: {} for entry in TASK_ENTRIES})
            for entry in TASK_ENTRIES:
                if task in (row.get(entry) or {}):
                    merged[entry][task] = row[entry][task]
    for method, row in methods.items():
        methods[method] = {entry: value for entry, value in row.items()
                           if value or entry == "per_task"}  # no empty choices table
        methods[method]["avg"] = statistics.fmean(row["per_task"].values())
        methods[method]["tasks_scored"] = len(row["per_task"])
    runs = [documents[name]["run"] for name in documents]
    widest = max(documents.values(), key=lambda d: len(d["tasks"]))
    return {
        "schema": EVAL_SCHEMA,
        "base_model": widest["base_model"],
        "tasks": list(sources),
        "metrics": {t: documents[n]["metrics"][t] for t, n in sources.items()},
        "methods": methods,
        "run": {
            "label": label,
            "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "git_commit": git_commit(),  # the merge's; each source's is in merged_from
            "wall_time_s": round(sum(r.get("wall_time_s", 0.0) for r in runs), 1),
            "scoring_time_s": round(sum(r.get("scoring_time_s", 0.0) for r in runs), 1),
            "items_per_task": {t: documents[n]["run"]["items_per_task"][t]
                               for t, n in sources.items()},
            "descriptions": {t: documents[n]["run"]["descriptions"][t]
                             for t, n in sources.items()},
            # None: its run predates recording the spec it was scored under.
            "task_specs": {t: (documents[n]["run"].get("task_specs") or {}).get(t)
                           for t, n in sources.items()},
            "merged_from": [
                {"document": name, "label": documents[name]["run"].get("label"),
                 "git_commit": documents[name]["run"].get("git_commit"),
                 "tasks": [t for t, n in sources.items() if n == name]}
                for name in documents
            ],
        },
        "config": {**widest["config"], "tasks": list(sources), "limit": None,
                   "generation_limit": None, "run_dir": None, "output": output, "label": label},
        "artifacts": widest["artifacts"],
    }
