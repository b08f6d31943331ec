"""One evaluation from several: each task taken from the runs that scored it on most items.

On CPU an evaluation that scores every item of every task for every method does not fit one
session, so it is done in parts (every multiple-choice item in one run, every item of a
generated-answer task in another, some methods of a slow task in a third). Merging keeps each
task's scores exactly as its runs wrote them, paired item by item, so the quality bar's intervals
stay paired. Runs that scored a task on as many items under the same recorded task spec scored
the same items, so their methods are pooled; otherwise the later run's scores replace the
earlier's whole. It refuses runs whose scores are not comparable: another base model, other
adapters for the methods both scored, seed, descriptions or decoding budget.
"""

from __future__ import annotations

import statistics
from datetime import datetime, timezone

from t2l.eval.methods import T2L_METHODS
from t2l.eval.results import EVAL_SCHEMA, git_commit

# Config a merged run's parts must share: everything a score depends on but the items scored.
SHARED_CONFIG = ("base_model", "seed", "descriptions_per_task", "max_new_tokens",
                 "code_timeout_s")
# Per-task entries of a method's row, moved over as they are.
TASK_ENTRIES = ("per_task", "per_condition", "per_item", "choices")
# Which methods' scores each recorded artifact can change; a run that scored none of them did not
# use it (a base-model run records whatever the flags said), so it need not match there.
ARTIFACT_METHODS = {
    "multitask_lora": ("multitask_lora",),
    "oracle_loras": ("oracle_lora",),
    "hypernet": T2L_METHODS,
    "hypernet_training": T2L_METHODS,
    "hypernet_config": T2L_METHODS,
}


def _uses(document: dict, artifact: str) -> bool:
    users = ARTIFACT_METHODS.get(artifact)
    return users is None or any(m in document["methods"] for m in users)


def _artifacts_differ(document: dict, other: dict) -> bool:
    keys = set(document["artifacts"]) | set(other["artifacts"])
    return any(document["artifacts"].get(k) != other["artifacts"].get(k) for k in keys
               if _uses(document, k) and _uses(other, k))


def _merged_artifacts(documents: dict[str, dict]) -> dict:
    """Each artifact as the first run that used it recorded it (else as the first recorded it)."""
    merged: dict = {}
    for used_only in (True, False):
        for document in documents.values():
            for key, value in document["artifacts"].items():
                if _uses(document, key) or not used_only:
                    merged.setdefault(key, value)
    return merged


def _not_comparable(name: str, other: str, differs: list[str]) -> ValueError:
    return ValueError(f"--inputs {name} and {other} differ in {differs}: their scores are not "
                      "comparable; merge runs of the same artifacts")


def _require_comparable(documents: dict[str, dict]) -> None:
    first_name, first = next(iter(documents.items()))
    for name, document in documents.items():
        if document.get("schema") != EVAL_SCHEMA:
            raise ValueError(f"--inputs {name}: not a {EVAL_SCHEMA} document")
        differs = [f"config.{k}" for k in SHARED_CONFIG
                   if document["config"].get(k) != first["config"].get(k)]
        differs += ["base_model"] if document.get("base_model") != first.get("base_model") else []
        if differs:
            raise _not_comparable(name, first_name, differs)
    names = list(documents)
    for later, name in enumerate(names):
        for earlier in names[:later]:  # every pair: a run may use artifacts the first did not
            if _artifacts_differ(documents[name], documents[earlier]):
                raise _not_comparable(name, earlier, ["artifacts"])
    drawn: dict[str, tuple[str, list[str]]] = {}
    for name, document in documents.items():
        for task, descriptions in document["run"]["descriptions"].items():
            seen = drawn.setdefault(task, (name, descriptions))
            if seen[1] != descriptions:
                raise ValueError(f"--inputs {name} and {seen[0]} drew other descriptions for "
                                 f"{task}; merge runs made with the same tasks file and seed")


def task_spec(document: dict, task: str) -> str | None:
    """The spec digest `task` was scored under; None where the run predates recording it."""
    return (document["run"].get("task_specs") or {}).get(task)


def task_sources(documents: dict[str, dict]) -> dict[str, list[str]]:
    """task -> the inputs whose scores it keeps, in input order, tasks in the order the inputs
    first name them: the last input that scored it on most items, with every other input that
    scored it on as many under the same recorded spec (the same items: their methods pool)."""
    most: dict[str, list[str]] = {}
    for name, document in documents.items():
        for task in document["tasks"]:
            items = document["run"]["items_per_task"][task]
            kept = most.get(task)
            best = documents[kept[0]]["run"]["items_per_task"][task] if kept else -1
            if items > best:
                most[task] = [name]
            elif items == best:
                kept.append(name)
    sources: dict[str, list[str]] = {}
    for task, names in most.items():
        last = task_spec(documents[names[-1]], task)
        sources[task] = [n for n in names[:-1]
                         if last is not None and task_spec(documents[n], task) == last] + names[-1:]
    return sources


def merge_evaluations(documents: dict[str, dict], label: str, output: str) -> dict:
    """The `t2l eval` document the inputs (path -> document, in order) make together."""
    if len(documents) < 2:
        raise ValueError("--inputs: give at least two evaluation documents to merge")
    _require_comparable(documents)
    sources = task_sources(documents)
    methods: dict[str, dict] = {}
    for task, names in sources.items():
        for name in names:  # a method two runs scored keeps the later run's scores
            for method, row in documents[name]["methods"].items():
                if row["per_task"].get(task) is None:
                    continue
                merged = methods.setdefault(method, {entry: {} for entry in TASK_ENTRIES})
                for entry in TASK_ENTRIES:
                    merged[entry].pop(task, None)
                    if task in (row.get(entry) or {}):
                        merged[entry][task] = row[entry][task]
    for method, row in methods.items():
        methods[method] = {entry: value for entry, value in row.items()
                           if value or entry == "per_task"}  # no empty choices table
        methods[method]["avg"] = statistics.fmean(row["per_task"].values())
        methods[method]["tasks_scored"] = len(row["per_task"])
    runs = [documents[name]["run"] for name in documents]
    widest = max(documents.values(), key=lambda d: len(d["tasks"]))
    kept = {task: documents[names[-1]] for task, names in sources.items()}
    return {
        "schema": EVAL_SCHEMA,
        "base_model": widest["base_model"],
        "tasks": list(sources),
        "metrics": {t: d["metrics"][t] for t, d in kept.items()},
        "methods": methods,
        "run": {
            "label": label,
            "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "git_commit": git_commit(),  # the merge's; each source's is in merged_from
            "wall_time_s": round(sum(r.get("wall_time_s", 0.0) for r in runs), 1),
            "scoring_time_s": round(sum(r.get("scoring_time_s", 0.0) for r in runs), 1),
            "items_per_task": {t: d["run"]["items_per_task"][t] for t, d in kept.items()},
            "descriptions": {t: d["run"]["descriptions"][t] for t, d in kept.items()},
            # None: its run predates recording the spec it was scored under.
            "task_specs": {t: task_spec(d, t) for t, d in kept.items()},
            "merged_from": [
                {"document": name, "label": documents[name]["run"].get("label"),
                 "git_commit": documents[name]["run"].get("git_commit"),
                 "tasks": [t for t, names in sources.items() if name in names]}
                for name in documents
            ],
        },
        "config": {**widest["config"], "tasks": list(sources), "limit": None,
                   "generation_limit": None, "run_dir": None, "output": output, "label": label},
        "artifacts": _merged_artifacts(documents),
    }
