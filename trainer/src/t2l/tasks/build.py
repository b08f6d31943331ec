"""Turn a task spec plus the data pack into training examples (`TaskData`) and eval items."""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from t2l.eval.metrics import canonical_number
from t2l.task_data import Example, TaskData
from t2l.tasks.records import Record, read_sourced_records, task_descriptions
from t2l.tasks.spec import TaskSpec, parse_slice
from t2l.tasks.template_brief import template_descriptions


@dataclass(frozen=True)
class EvalExample:
    task: str
    index: int  # position among the task's eval records: a stable id across runs
    prompt: str  # the user message, before `format_prompt`
    reference: str  # the gold answer text
    options: tuple[str, ...] = ()  # multiple choice only
    label: int | None = None  # index of the gold option
    record: Mapping[str, Any] = field(default_factory=dict)  # raw fields (code harnesses)


class _Context(dict):
    """Record fields for `str.format`; lists of strings also appear joined as `<field>_lines`."""

    def __init__(self, record: Record) -> None:
        super().__init__(record)
        for key, value in record.items():
            if isinstance(value, list) and all(isinstance(v, str) for v in value):
                self[f"{key}_lines"] = "\n".join(value)


def render(template: str, record: Record, where: str) -> str:
    try:
        return string.Formatter().vformat(template, (), _Context(record)).strip()
    except (KeyError, IndexError) as err:
        raise ValueError(
            f"{where}: template field {err} is not in the record (fields: {sorted(record)})"
        ) from err


def _clean(spec: TaskSpec, text: str) -> str:
    if spec.strip_suffix and text.endswith(spec.strip_suffix):
        text = text[: -len(spec.strip_suffix)]
    return text.strip()


def reference_answer(spec: TaskSpec, record: Record) -> str:
    if spec.answer_field not in record:
        raise ValueError(
            f"{spec.path}: answer_field {spec.answer_field!r} is not in the record "
            f"(fields: {sorted(record)})"
        )
    answer = _clean(spec, str(record[spec.answer_field]))
    if spec.answer_pattern is not None:
        match = re.search(spec.answer_pattern, answer, flags=re.DOTALL)
        if match is None:
            raise ValueError(f"{spec.path}: answer_pattern does not match answer {answer!r}")
        answer = match.group(1).strip()
    return answer


def _options(
    spec: TaskSpec, record: Record, prompt: str, reference: str
) -> tuple[tuple[str, ...], int]:
    assert spec.options is not None
    opts = spec.options
    if opts.fixed:
        options = tuple(opts.fixed)
    elif opts.fields:
        options = tuple(_clean(spec, str(record[f])) for f in opts.fields)
    else:
        options = tuple(dict.fromkeys(m.group(0) for m in re.finditer(str(opts.pattern), prompt)))
    if len(options) < 2:
        raise ValueError(f"{spec.path}: fewer than 2 options for a record of task {spec.name}")
    if opts.label_field is not None:
        label = int(record[opts.label_field])
    elif reference in options:
        label = options.index(reference)
    else:
        raise ValueError(f"{spec.path}: answer {reference!r} is not one of the options {options}")
    if not 0 <= label < len(options):
        raise ValueError(f"{spec.path}: label {label} out of range for {len(options)} options")
    return options, label


def _to_eval(spec: TaskSpec, index: int, record: Record) -> EvalExample:
    prompt = render(spec.prompt_template, record, spec.path)
    reference = reference_answer(spec, record)
    if not reference:
        raise ValueError(f"{spec.path}: record {index} of task {spec.name} has an empty answer")
    if spec.options is None:
        return EvalExample(spec.name, index, prompt, reference, record=record)
    options, label = _options(spec, record, prompt, reference)
    return EvalExample(spec.name, index, prompt, options[label], options, label, record)


def _completion(spec: TaskSpec, item: EvalExample) -> str:
    if spec.completion_template is not None:
        text = render(spec.completion_template, dict(item.record), spec.path)
        for pattern in spec.completion_remove:
            text = re.sub(pattern, "", text)
        return _clean(spec, text)
    if spec.answer_type != "number":
        return item.reference
    number = canonical_number(item.reference)
    if number is None:
        raise ValueError(
            f"{spec.path}: answer {item.reference!r} of a number task is not a number "
            "(set answer_type: text or fix answer_field)"
        )
    return number


def _examples(spec: TaskSpec, items: list[EvalExample]) -> list[Example]:
    """Eval items as training-view examples: the prompt and the training target."""
    return [Example(item.prompt, _completion(spec, item)) for item in items]


def _split_sourced(
    spec: TaskSpec, data_dir: Path
) -> tuple[list[tuple[str, Record]], list[tuple[str, Record]]]:
    """(eval, train) (file, record) pairs; shared files must split into disjoint slices."""
    source = spec.source
    eval_files = source.eval_files or source.files
    train_files = source.train_files or source.files
    eval_all = read_sourced_records(data_dir, source, eval_files)
    eval_slice = parse_slice(spec.split.eval, f"{spec.path}: split.eval")
    if spec.split.train is None:
        return eval_all[eval_slice], []
    train_slice = parse_slice(spec.split.train, f"{spec.path}: split.train")
    if train_files == eval_files:
        overlap = set(range(len(eval_all))[eval_slice]) & set(range(len(eval_all))[train_slice])
        if overlap:
            raise ValueError(
                f"{spec.path}: split.eval and split.train share {len(overlap)} records; "
                "make the slices disjoint"
            )
        return eval_all[eval_slice], eval_all[train_slice]
    return eval_all[eval_slice], read_sourced_records(data_dir, source, train_files)[train_slice]


def _split_records(spec: TaskSpec, data_dir: Path) -> tuple[list[Record], list[Record]]:
    evals, trains = _split_sourced(spec, data_dir)
    return [r for _, r in evals], [r for _, r in trains]


def eval_examples(spec: TaskSpec, data_dir: Path, limit: int | None = None) -> list[EvalExample]:
    """The first `limit` eval items of a task, in file order (deterministic)."""
    records, _ = _split_records(spec, data_dir)
    return [_to_eval(spec, i, r) for i, r in enumerate(records[:limit])]


def train_examples(spec: TaskSpec, data_dir: Path, limit: int | None = None) -> list[Example]:
    if not spec.trainable:
        raise ValueError(
            f"task {spec.name} has no training split (split.train unset in {spec.path}); "
            "it is evaluation-only"
        )
    _, records = _split_records(spec, data_dir)
    return _examples(spec, [_to_eval(spec, i, r) for i, r in enumerate(records[:limit])])


def build_task_data(
    spec: TaskSpec, data_dir: Path, *, train_limit: int | None = None, val_limit: int | None = None
) -> TaskData:
    """Training view of a task: descriptions, its train split and its eval split as `val`.

    An evaluation-only task (BBH, ...) comes with `train` empty: fit for held-out validation,
    and a recipe that tries to train on it finds nothing to train on.
    """
    val = _examples(spec, eval_examples(spec, data_dir, val_limit))
    train = train_examples(spec, data_dir, train_limit) if spec.trainable else []
    return TaskData(
        name=spec.name, descriptions=task_descriptions(spec, data_dir), train=train, val=val
    )


def splits_into_templates(spec: TaskSpec) -> bool:
    """A trainable task pooling several record files (T0 prompt templates) of one split."""
    return spec.trainable and len(spec.source.files) > 1 and not spec.source.train_files


def build_template_tasks(
    spec: TaskSpec,
    data_dir: Path,
    *,
    train_limit: int | None = None,
    val_limit: int | None = None,
    descriptions_per_template: int = 10,
) -> list[TaskData]:
    """A pooled multi-file task as one task per record file (a T0 prompt template each).

    Each template keeps exactly the records the pooled split gives it (so its validation
    examples are never trained on by either view), is named after its file, and is described by
    what it asks (`t2l.tasks.template_brief`, derived from its training records only)."""
    if not splits_into_templates(spec):
        raise ValueError(
            f"{spec.path}: only a trainable task pooling several `source.files` splits into "
            "templates (set by_template false for it)"
        )
    evals, trains = _split_sourced(spec, data_dir)
    by_file: dict[str, tuple[list[EvalExample], list[EvalExample]]] = {
        f: ([], []) for f in spec.source.files
    }
    for side, pairs in enumerate((evals, trains)):
        for index, (file, record) in enumerate(pairs):
            by_file[file][side].append(_to_eval(spec, index, record))
    dataset_descriptions = task_descriptions(spec, data_dir)
    tasks = []
    for file, (val_items, train_items) in by_file.items():
        if not train_items:
            continue  # a template too small to leave anything after the pooled eval slice
        train = _examples(spec, train_items)
        descriptions = template_descriptions(
            dataset_descriptions,
            [e.prompt for e in train],
            [e.completion for e in train],
            descriptions_per_template,
        )
        tasks.append(TaskData(
            name=Path(file).stem,
            descriptions=descriptions,
            train=train[:train_limit],
            val=_examples(spec, val_items[:val_limit]),
            dataset=spec.name,
        ))
    return tasks
