"""`t2l eval` configuration: every field is a flag, and validation names the flag to fix."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path

import torch

from t2l.base_model import DEFAULT_BASE_MODEL
from t2l.description_guidance import require_guidance
from t2l.eval.methods import METHODS, T2L_METHODS
from t2l.recipe_config import is_device_name, resolve_device
from t2l.tasks.paths import default_tasks_dir, repo_root


@dataclass(frozen=True)
class EvalConfig:
    base_model: str = DEFAULT_BASE_MODEL
    tasks_dir: str = field(default_factory=lambda: str(default_tasks_dir()))
    split: str | None = None  # default: <tasks_dir>/split.yaml
    tasks: tuple[str, ...] = ()  # default: the split's held-out tasks
    data_dir: str | None = None  # default: $T2L_DATA_DIR or ../shared/data
    methods: tuple[str, ...] = METHODS
    multitask_lora: str | None = None  # PEFT folder
    oracle_loras: str | None = None  # per task: <dir>/<task> or <dir>/<task>/adapter (PEFT)
    hypernet: str | None = None  # hypernet checkpoint folder
    embedding_table: str | None = None  # precomputed description embeddings (t2l embed-table)
    # T2L adapters g * dW(description) + (1 - g) * dW(null) (`t2l.description_guidance`): for
    # hypernetworks trained with description dropout; 1 is the plain adapter.
    guidance: float = 1.0
    limit: int | None = None  # eval items per task (None: all)
    # Items per task scored on generated text (exact match, ROUGE-L, pass@1); default --limit.
    # A generated answer costs up to max_new_tokens decoding steps where a multiple-choice item
    # costs one forward, so a fixed budget buys more items where they are cheap.
    generation_limit: int | None = None
    descriptions_per_task: int = 3
    max_new_tokens: int | None = None  # None: each task's own budget
    batch_size: int = 8
    code_timeout_s: float = 10.0
    seed: int = 0
    threads: int | None = None
    device: str = "auto"  # auto (cuda when present), cpu, cuda, cuda:N
    run_dir: str = field(default_factory=lambda: str(repo_root() / "runs" / "eval" / "heldout"))
    output: str = field(
        default_factory=lambda: str(repo_root() / "docs" / "results" / "eval_heldout.json"))
    label: str | None = None  # what kind of run this is; default from the limits
    resume: bool = True

    def __post_init__(self) -> None:
        unknown = [m for m in self.methods if m not in METHODS]
        if unknown or not self.methods:
            raise ValueError(f"--methods {','.join(unknown) or '(empty)'}: choose from "
                             f"{','.join(METHODS)}")
        needs = {"multitask_lora": ("--multitask-lora", self.multitask_lora),
                 "oracle_lora": ("--oracle-loras", self.oracle_loras)}
        for method in self.methods:
            flag, value = needs.get(method, ("--hypernet", self.hypernet))
            if (method in needs or method in T2L_METHODS) and not value:
                raise ValueError(f"method {method} needs {flag}; pass it or drop the method "
                                 "from --methods")
        for flag, value in (("--multitask-lora", self.multitask_lora),
                            ("--oracle-loras", self.oracle_loras), ("--hypernet", self.hypernet)):
            if value and not Path(value).is_dir():
                raise ValueError(f"{flag} {value} is not a folder")
        for flag, limit in (("--limit", self.limit), ("--generation-limit",
                                                      self.generation_limit)):
            if limit is not None and limit < 1:
                raise ValueError(f"{flag} must be >= 1, got {limit}")
        for flag, value in (("--descriptions-per-task", self.descriptions_per_task),
                            ("--batch-size", self.batch_size)):
            if value < 1:
                raise ValueError(f"{flag} must be >= 1, got {value}")
        if self.max_new_tokens is not None and self.max_new_tokens < 1:
            raise ValueError(f"--max-new-tokens must be >= 1, got {self.max_new_tokens}")
        if not is_device_name(self.device):
            raise ValueError(f"--device must be auto, cpu or cuda[:N], got {self.device!r}")
        require_guidance(self.guidance)
        if self.code_timeout_s <= 0:
            raise ValueError(f"--code-timeout-s must be > 0, got {self.code_timeout_s}")

    def torch_device(self) -> torch.device:
        return resolve_device(self.device)

    @property
    def split_path(self) -> Path:
        return Path(self.split) if self.split else Path(self.tasks_dir) / "split.yaml"

    def limit_for(self, metric: str) -> int | None:
        """Items to score of a task scored with `metric` (None: all)."""
        if metric == "mc_loglik" or self.generation_limit is None:
            return self.limit
        return self.generation_limit

    @property
    def run_label(self) -> str:
        if self.label:
            return self.label
        if self.limit is None and self.generation_limit is None:
            return "full"
        label = f"quick (limit {self.limit or 'all'} items per task"
        if self.generation_limit is not None:
            label += f", {self.generation_limit} where the answer is generated"
        return label + ")"

    def to_dict(self) -> dict:
        return asdict(self)
