"""`--tasks` loaders for the project's task library (`trainer/tasks/`, split in `split.yaml`).

    t2l train-sft --tasks t2l.recipes.library_tasks:split_tasks \\
        --task-args '{"split": "train", "train_limit": 2000}' \\
        --heldout-tasks t2l.recipes.library_tasks:split_tasks \\
        --heldout-task-args '{"split": "heldout"}'
"""

from __future__ import annotations

from pathlib import Path

from t2l.rule_tasks import rule_tasks
from t2l.task_data import Example, TaskData
from t2l.tasks import (
    build_task_data,
    build_template_tasks,
    default_tasks_dir,
    eval_examples,
    load_split,
    load_task_library,
    resolve_data_dir,
    splits_into_templates,
    task_descriptions,
)

SPLITS = ("train", "heldout", "dev")


def split_tasks(
    split: str = "train",
    names: list[str] | None = None,
    exclude: list[str] | None = None,
    train_limit: int | None = None,
    val_limit: int | None = 64,
    tasks_dir: str | None = None,
    data_dir: str | None = None,
    by_template: bool = False,
    descriptions_per_template: int = 10,
) -> list[TaskData]:
    """The tasks of one side of the fixed split (optionally only `names`, or all but `exclude`:
    how a recipe pins the task set it was trained on when the split later grows), as TaskData.

    Evaluation-only tasks (no training split, e.g. BBH) get no train examples, and their val
    completions are the reference answers: enough for a held-out validation loss. With
    `by_template`, a trainable task pooling several prompt templates becomes one task per
    template, described by what that template asks (`t2l.tasks.build_template_tasks`)."""
    if split not in SPLITS:
        raise ValueError(f"--task-args split must be one of {SPLITS}, got {split!r}")
    folder = Path(tasks_dir) if tasks_dir else default_tasks_dir()
    library = load_task_library(folder)
    chosen = list(getattr(load_split(folder / "split.yaml", library), split))
    if names is not None:
        if unknown := sorted(set(names) - set(chosen)):
            raise ValueError(f"--task-args names {unknown} are not {split} tasks of the split")
        chosen = [n for n in chosen if n in names]
    if exclude is not None:
        if unknown := sorted(set(exclude) - set(chosen)):
            raise ValueError(f"--task-args exclude {unknown} are not chosen {split} tasks")
        chosen = [n for n in chosen if n not in exclude]
    pack = resolve_data_dir(data_dir)
    tasks = []
    for name in chosen:
        spec = library[name]
        if by_template and splits_into_templates(spec):
            tasks.extend(build_template_tasks(
                spec, pack, train_limit=train_limit, val_limit=val_limit,
                descriptions_per_template=descriptions_per_template,
            ))
        elif spec.trainable:
            tasks.append(build_task_data(spec, pack, train_limit=train_limit, val_limit=val_limit))
        else:
            val = [Example(e.prompt, e.reference) for e in eval_examples(spec, pack, val_limit)]
            tasks.append(TaskData(name, task_descriptions(spec, pack), [], val))
    return tasks


def split_and_rule_tasks(rules: dict | None = None, **split_args) -> list[TaskData]:
    """The split's tasks (`split_tasks`, same arguments) followed by the rule tasks, whose inputs
    say nothing of what to do (`t2l.rule_tasks`; `rules` holds `rule_tasks`' arguments)."""
    return split_tasks(**split_args) + rule_tasks(**(rules or {}))
