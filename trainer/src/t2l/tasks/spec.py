"""Task spec: one YAML file per task in `trainer/tasks/` (schema `t2l.task/v1`).

A spec is data: where the records are, how a record becomes a prompt and an answer, which
metric scores it, which records are for evaluation and which (if any) may be trained on, and
the natural-language descriptions the hypernetwork is conditioned on.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import yaml

TASK_SCHEMA = "t2l.task/v1"
METRICS = ("mc_loglik", "exact_match", "rouge_l", "pass_at_1")
ANSWER_TYPES = ("text", "number")
NUMBER_FROM = ("first", "last")
CODE_HARNESSES = ("mbpp", "humaneval")
MIN_DESCRIPTIONS = 10
_NAME = re.compile(r"^[a-z0-9][a-z0-9_]*$")
_SLICE = re.compile(r"^(-?\d*):(-?\d*)$")


@dataclass(frozen=True)
class SourceSpec:
    """Record files, relative to the data dir.

    `files` feed both splits (sliced by `SplitSpec`); `train_files`/`eval_files` override them
    per split where the upstream release already has separate files.
    """

    dataset: str  # upstream dataset id; the split forbids held-out datasets in training
    files: tuple[str, ...] = ()
    train_files: tuple[str, ...] = ()
    eval_files: tuple[str, ...] = ()
    records_key: str | None = None  # JSON object key holding the record list (BBH: "examples")
    labels_file: str | None = None  # one label per line, attached to records as `label_field`
    label_field: str = "label"
    explode: str | None = None  # a list field whose items become one record each
    interleave: bool = False  # round-robin across files so every slice covers every file


@dataclass(frozen=True)
class SplitSpec:
    eval: str = ":"  # Python slice over the eval records
    train: str | None = None  # slice over the train records; None: never trained on


@dataclass(frozen=True)
class OptionsSpec:
    """Answer options for log-likelihood multiple choice (exactly one way to get them)."""

    fixed: tuple[str, ...] = ()
    fields: tuple[str, ...] = ()
    pattern: str | None = None  # regex over the rendered prompt; each full match is an option
    label_field: str | None = None  # integer gold index in the record; else the answer's index


@dataclass(frozen=True)
class TaskSpec:
    name: str
    source: SourceSpec
    prompt_template: str  # str.format over the record (list fields also as `<field>_lines`)
    answer_field: str
    metric: str
    descriptions: tuple[str, ...] = ()
    descriptions_from: str | None = None  # a t2l_task_descriptions/<task> folder in the data dir
    answer_pattern: str | None = None  # regex whose group 1 is the reference answer
    answer_type: str = "text"
    number_from: str = "last"  # number answers: which number of the generation is the answer
    completion_template: str | None = None  # training target; default: the reference answer
    completion_remove: tuple[str, ...] = ()  # regexes deleted from training targets
    strip_suffix: str | None = None  # removed from answers and targets (T0: "<|endoftext|>")
    options: OptionsSpec | None = None
    code_harness: str | None = None
    max_new_tokens: int = 64
    split: SplitSpec = field(default_factory=SplitSpec)
    notes: str = ""
    path: str = ""  # the file it was read from (for error messages)

    @property
    def trainable(self) -> bool:
        return self.split.train is not None

    def digest(self) -> str:
        """sha256 of what the task's items and scores are made from, so a score can name the
        protocol it was made under: a changed prompt, option set, split or metric changes it;
        the file's location, its prose notes, comments and key order do not."""
        made_from = {k: v for k, v in dataclasses.asdict(self).items()
                     if k not in ("notes", "path")}
        payload = json.dumps(made_from, sort_keys=True, default=str)
        return hashlib.sha256(payload.encode()).hexdigest()


def parse_slice(text: str, where: str) -> slice:
    match = _SLICE.match(text.replace(" ", ""))
    if match is None:
        raise ValueError(f"{where}: {text!r} is not a slice like '0:100', ':500' or '100:'")
    start, stop = (int(part) if part else None for part in match.groups())
    return slice(start, stop)


def _build(cls: type, raw: Any, where: str) -> Any:
    if not isinstance(raw, dict):
        raise ValueError(f"{where}: expected a mapping, got {type(raw).__name__}")
    known = {f.name for f in fields(cls)} - {"path"}
    unknown = sorted(set(raw) - known)
    if unknown:
        raise ValueError(f"{where}: unknown key(s) {unknown}; allowed: {sorted(known)}")
    # A key left empty in YAML (None) means "use the default".
    values = {k: tuple(v) if isinstance(v, list) else v for k, v in raw.items() if v is not None}
    try:
        return cls(**values)
    except TypeError as err:
        raise ValueError(f"{where}: {err}") from err


def parse_task_spec(raw: Any, path: str = "<memory>") -> TaskSpec:
    """Validate a spec mapping; every error names the file and the key to fix."""
    if not isinstance(raw, dict):
        raise ValueError(f"{path}: a task spec must be a mapping")
    raw = dict(raw)
    if raw.pop("schema", None) != TASK_SCHEMA:
        raise ValueError(f"{path}: set `schema: {TASK_SCHEMA}`")
    for key, cls in (("source", SourceSpec), ("split", SplitSpec), ("options", OptionsSpec)):
        if key in raw and raw[key] is not None:
            raw[key] = _build(cls, raw[key], f"{path}: {key}")
    for required in ("name", "source", "prompt_template", "answer_field", "metric"):
        if required not in raw:
            raise ValueError(f"{path}: missing required key `{required}`")
    spec: TaskSpec = _build(TaskSpec, raw, path)
    spec = TaskSpec(**{**spec.__dict__, "path": path})
    _validate(spec)
    return spec


def _validate(spec: TaskSpec) -> None:
    where = spec.path
    if not _NAME.match(spec.name):
        raise ValueError(f"{where}: name {spec.name!r} must be lower_snake_case")
    if Path(where).suffix in {".yaml", ".yml"} and Path(where).stem != spec.name:
        raise ValueError(f"{where}: file name must be the task name ({spec.name}.yaml)")
    if spec.metric not in METRICS:
        raise ValueError(f"{where}: metric {spec.metric!r} is not one of {METRICS}")
    if spec.answer_type not in ANSWER_TYPES:
        raise ValueError(f"{where}: answer_type {spec.answer_type!r} not in {ANSWER_TYPES}")
    if spec.number_from not in NUMBER_FROM:
        raise ValueError(f"{where}: number_from {spec.number_from!r} not in {NUMBER_FROM}")
    if (spec.metric == "mc_loglik") != (spec.options is not None):
        raise ValueError(f"{where}: `options` is required for mc_loglik and only for it")
    if spec.options is not None:
        ways = sum(bool(x) for x in (spec.options.fixed, spec.options.fields, spec.options.pattern))
        if ways != 1:
            raise ValueError(f"{where}: options needs exactly one of fixed, fields, pattern")
    if (spec.metric == "pass_at_1") != (spec.code_harness is not None):
        raise ValueError(f"{where}: `code_harness` is required for pass_at_1 and only for it")
    if spec.code_harness is not None and spec.code_harness not in CODE_HARNESSES:
        raise ValueError(f"{where}: code_harness {spec.code_harness!r} not in {CODE_HARNESSES}")
    source = spec.source
    if not (source.files or source.eval_files):
        raise ValueError(f"{where}: source needs `files` or `eval_files`")
    if spec.split.train is not None and not (source.files or source.train_files):
        raise ValueError(f"{where}: split.train is set but source has no files to train on")
    parse_slice(spec.split.eval, f"{where}: split.eval")
    if spec.split.train is not None:
        parse_slice(spec.split.train, f"{where}: split.train")
    option_pattern = spec.options.pattern if spec.options is not None else None
    patterns = (*spec.completion_remove, spec.answer_pattern, option_pattern)
    for pattern in patterns:
        if pattern is not None:
            try:
                re.compile(pattern)
            except re.error as err:
                raise ValueError(f"{where}: bad regex {pattern!r}: {err}") from err
    if not all(isinstance(text, str) for text in spec.descriptions):
        raise ValueError(
            f"{where}: every entry of `descriptions` must be a string (quote one that "
            "contains ': ', which YAML reads as a mapping)"
        )
    if not spec.descriptions and not spec.descriptions_from:
        raise ValueError(f"{where}: add `descriptions` (at least {MIN_DESCRIPTIONS})")
    if not spec.descriptions_from and len(set(spec.descriptions)) < MIN_DESCRIPTIONS:
        raise ValueError(
            f"{where}: {len(set(spec.descriptions))} distinct descriptions; "
            f"at least {MIN_DESCRIPTIONS} are required"
        )
    if spec.max_new_tokens < 1:
        raise ValueError(f"{where}: max_new_tokens must be >= 1")


def load_task_spec(path: str | Path) -> TaskSpec:
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as err:
        raise ValueError(f"{path}: not valid YAML: {err}") from err
    return parse_task_spec(raw, str(path))


def load_task_library(tasks_dir: str | Path) -> dict[str, TaskSpec]:
    """Every `*.yaml` in `tasks_dir` except `split.yaml`, keyed by task name."""
    tasks_dir = Path(tasks_dir)
    if not tasks_dir.is_dir():
        raise ValueError(f"--tasks-dir {tasks_dir} is not a folder")
    library: dict[str, TaskSpec] = {}
    for path in sorted(tasks_dir.glob("*.yaml")):
        if path.name == "split.yaml":
            continue
        spec = load_task_spec(path)
        library[spec.name] = spec
    if not library:
        raise ValueError(f"--tasks-dir {tasks_dir} holds no task specs (*.yaml)")
    return library
