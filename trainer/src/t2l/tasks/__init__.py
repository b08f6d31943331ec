"""The task library: specs (data, in `trainer/tasks/`), the fixed split, and builders that turn
a spec plus the offline data pack into training examples and evaluation items."""

from t2l.tasks.build import (
    EvalExample,
    build_task_data,
    build_template_tasks,
    eval_examples,
    splits_into_templates,
    train_examples,
)
from t2l.tasks.paths import default_tasks_dir, resolve_data_dir
from t2l.tasks.records import task_descriptions
from t2l.tasks.spec import TaskSpec, load_task_library, load_task_spec, parse_task_spec
from t2l.tasks.split import TaskSplit, load_split

__all__ = [
    "EvalExample",
    "TaskSpec",
    "TaskSplit",
    "build_task_data",
    "build_template_tasks",
    "default_tasks_dir",
    "eval_examples",
    "load_split",
    "load_task_library",
    "load_task_spec",
    "parse_task_spec",
    "resolve_data_dir",
    "splits_into_templates",
    "task_descriptions",
    "train_examples",
]
