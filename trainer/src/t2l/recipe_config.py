"""Config dataclasses of the recipes, built from shared groups of fields.

Field names are the flags (`max_steps` -> `--max-steps`); validation errors name the flag.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import torch

from t2l.encoder import DEFAULT_ENCODER
from t2l.hypernet import HyperNetConfig
from t2l.targets import DEFAULT_TARGET_MODULES, TargetSpec

DEFAULT_BASE_MODEL = "HuggingFaceTB/SmolLM2-135M-Instruct"
DEFAULT_EMBEDDING_CACHE = "~/.cache/t2l/embeddings"
BALANCE_BY = ("task", "dataset")
KEEP_BEST_METRICS = (None, "val_loss", "dev_loss")


def is_device_name(name: str) -> bool:
    """`--device` values every command accepts: auto, cpu, cuda, cuda:N."""
    return name == "auto" or name.split(":")[0] in ("cpu", "cuda")


def resolve_device(name: str) -> torch.device:
    """auto means CUDA when present, else the CPU."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(name)


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise ValueError(message)


@dataclass(frozen=True)
class RunFields:
    out_dir: str = field(default="runs/default", metadata={"help": "output folder of the run"})
    seed: int = 0
    device: str = field(default="auto", metadata={"help": "auto, cpu, cuda, cuda:N"})
    max_steps: int = field(default=1000, metadata={"help": "optimizer steps (sets the schedule)"})
    batch_size: int = 8
    lr: float = 1e-4
    weight_decay: float = 0.01
    warmup_steps: int = 50
    grad_clip: float = 1.0
    eval_every: int = 100
    save_every: int = 100
    keep_checkpoints: int = 2
    resume: bool = field(default=False, metadata={"help": "continue from the newest checkpoint"})
    stop_at_step: int | None = field(
        default=None, metadata={"help": "exit after this step's checkpoint (time-boxed runs)"}
    )

    def validate_run(self) -> None:
        for name in ("max_steps", "batch_size", "eval_every", "save_every", "keep_checkpoints"):
            _require(getattr(self, name) >= 1, f"--{name.replace('_', '-')} must be >= 1")
        _require(self.lr > 0, "--lr must be > 0")
        _require(self.weight_decay >= 0, "--weight-decay must be >= 0")
        _require(self.warmup_steps >= 0, "--warmup-steps must be >= 0")
        _require(self.grad_clip > 0, "--grad-clip must be > 0")
        _require(
            self.stop_at_step is None or 1 <= self.stop_at_step <= self.max_steps,
            "--stop-at-step must be within 1..--max-steps",
        )
        _require(
            is_device_name(self.device),
            "--device must be auto, cpu or cuda[:N]",
        )

    def eval_due(self, step: int) -> bool:
        return step % self.eval_every == 0 or step == self.max_steps

    def save_due(self, step: int) -> bool:
        return step % self.save_every == 0 or step in (self.max_steps, self.stop_at_step)

    def running(self, step: int) -> bool:
        """Whether another step follows `step`."""
        return step < self.max_steps and step != self.stop_at_step

    def torch_device(self) -> torch.device:
        return resolve_device(self.device)


@dataclass(frozen=True)
class LoRAFields:
    base_model: str = DEFAULT_BASE_MODEL
    target_modules: str = field(
        default=DEFAULT_TARGET_MODULES,
        metadata={"help": "comma-separated module names or all-linear"},
    )
    rank: int = 8
    lora_alpha: float = 16.0
    use_rslora: bool = False

    def validate_lora(self) -> None:
        _require(self.rank >= 1, "--rank must be >= 1")
        _require(self.lora_alpha > 0, "--lora-alpha must be > 0")


@dataclass(frozen=True)
class HypernetFields:
    encoder: str = DEFAULT_ENCODER
    embedding_cache: str | None = field(
        default=DEFAULT_EMBEDDING_CACHE,
        metadata={"help": "task-embedding cache folder; none = off"},
    )
    embedding_table: str | None = field(
        default=None,
        metadata={
            "help": "precomputed description embeddings (t2l embed-table) instead of "
            "running --encoder"
        },
    )
    variant: str = field(default="M", metadata={"help": "hypernetwork size: L, M or S"})
    hidden_dim: int = 512
    num_blocks: int = 2
    mlp_ratio: int = 2
    dropout: float = 0.0

    def hypernet_config(self, targets: TargetSpec, embed_dim: int) -> HyperNetConfig:
        return HyperNetConfig(
            targets=targets,
            embed_dim=embed_dim,
            variant=self.variant,
            rank=self.rank,
            lora_alpha=self.lora_alpha,
            use_rslora=self.use_rslora,
            hidden_dim=self.hidden_dim,
            num_blocks=self.num_blocks,
            mlp_ratio=self.mlp_ratio,
            dropout=self.dropout,
        )


@dataclass(frozen=True)
class TaskFields:
    tasks: str = field(
        default="",
        metadata={
            "help": "training tasks: .json/.jsonl file or module:function returning list[TaskData]"
        },
    )
    task_args: dict = field(
        default_factory=dict, metadata={"help": "JSON keyword arguments for a --tasks function"}
    )
    heldout_tasks: str | None = field(
        default=None, metadata={"help": "held-out validation tasks, same forms as --tasks"}
    )
    heldout_task_args: dict = field(default_factory=dict)
    max_length: int = 256
    max_val_examples: int = field(default=16, metadata={"help": "val examples per task"})

    def validate_tasks(self) -> None:
        _require(bool(self.tasks), "--tasks is required (a .json/.jsonl file or module:function)")
        _require(self.max_length >= 8, "--max-length must be >= 8")
        _require(self.max_val_examples >= 0, "--max-val-examples must be >= 0")


@dataclass(frozen=True)
class SFTConfig(RunFields, TaskFields, HypernetFields, LoRAFields):
    mismatch_weight: float = field(
        default=0.0,
        metadata={
            "help": "weight of the hinge that makes another task's description fit an "
            "example worse than its own (0: off)"
        },
    )
    mismatch_margin: float = field(
        default=0.5, metadata={"help": "loss gap (nats/token) the mismatch hinge asks for"}
    )
    task_mixup: float = field(
        default=0.0,
        metadata={
            "help": "weight of task mixup: adapters from blends of two tasks' descriptions fit "
            "both tasks' examples in the blend's proportions (0: off)"
        },
    )
    description_dropout: float = field(
        default=0.0,
        metadata={
            "help": "share of training samples given the null description instead of their "
            "own, so the null adapter learns what all tasks share (0: off)"
        },
    )
    init_from: str | None = field(
        default=None,
        metadata={
            "help": "hypernetwork folder (checkpoint or bundle) whose weights start the run, "
            "with a fresh optimizer and schedule; a resumed run keeps its own"
        },
    )

    balance_by: str = field(
        default="task",
        metadata={
            "help": "draw training samples evenly by task, or by dataset (the prompt-template "
            "tasks of one dataset share its turn)"
        },
    )
    dev_tasks: str | None = field(
        default=None,
        metadata={
            "help": "development tasks, never trained on, whose loss (dev_loss) may choose the "
            "kept checkpoint; same forms as --tasks"
        },
    )
    dev_task_args: dict = field(default_factory=dict)
    keep_best: str | None = field(
        default=None,
        metadata={
            "help": "also keep <out-dir>/best, the hypernetwork with the lowest val_loss or "
            "dev_loss seen at an evaluation"
        },
    )

    def __post_init__(self) -> None:
        self.validate_run()
        self.validate_tasks()
        self.validate_lora()
        _require(self.mismatch_weight >= 0, "--mismatch-weight must be >= 0")
        _require(self.mismatch_margin > 0, "--mismatch-margin must be > 0")
        _require(self.task_mixup >= 0, "--task-mixup must be >= 0")
        _require(
            0.0 <= self.description_dropout < 1.0, "--description-dropout must be in [0, 1)"
        )
        _require(self.balance_by in BALANCE_BY, f"--balance-by must be one of {BALANCE_BY}")
        _require(
            self.keep_best != "heldout_loss",
            "--keep-best heldout_loss would choose the checkpoint on the held-out tasks the "
            "evaluation reports; set --dev-tasks and use dev_loss",
        )
        _require(
            self.keep_best in KEEP_BEST_METRICS,
            f"--keep-best must be one of {[m for m in KEEP_BEST_METRICS if m]} or unset",
        )
        _require(
            self.keep_best != "dev_loss" or bool(self.dev_tasks),
            "--keep-best dev_loss needs --dev-tasks",
        )


@dataclass(frozen=True)
class LoRATrainConfig(RunFields, TaskFields, LoRAFields):
    lr: float = 2e-4
    task: str | None = field(
        default=None,
        metadata={
            "help": "train on this one task (per-task LoRA); unset: all tasks (multi-task LoRA)"
        },
    )
    init_from: str | None = field(
        default=None,
        metadata={
            "help": "PEFT LoRA folder whose weights start the run, with a fresh optimizer and "
            "schedule (same --rank, --lora-alpha, targets); a resumed run keeps its own"
        },
    )

    def __post_init__(self) -> None:
        self.validate_run()
        self.validate_tasks()
        self.validate_lora()


RECON_LOSSES = ("zscore", "delta_w")


@dataclass(frozen=True)
class ReconConfig(RunFields, HypernetFields, LoRAFields):
    library: str = field(
        default="",
        metadata={
            "help": "folder of LoRAs: one sub-folder per task with a PEFT adapter + task.json"
        },
    )
    heldout: str | None = field(
        default=None,
        metadata={"help": "comma-separated library task names kept out of training for validation"},
    )
    loss: str = field(
        default="zscore",
        metadata={
            "help": "zscore: L1 on z-scored A/B factors; delta_w: MSE on ΔW = s·BA, scale-free"
        },
    )
    lr: float = 1e-3

    def __post_init__(self) -> None:
        self.validate_run()
        self.validate_lora()
        _require(bool(self.library), "--library is required (a folder of PEFT LoRAs)")
        _require(self.loss in RECON_LOSSES, f"--loss must be one of {RECON_LOSSES}")


@dataclass(frozen=True)
class DistillConfig(RunFields, TaskFields, HypernetFields):
    teacher: str = field(
        default="", metadata={"help": "hypernetwork folder (checkpoint or bundle) to imitate, "
                                      "or comma-separated folders: their seed ensemble's mean "
                                      "adapters (t2l.hypernet_ensemble)"}
    )
    mixup: float = field(
        default=0.5,
        metadata={"help": "fraction of each batch that are blends of two descriptions"},
    )
    heldout_descriptions: int = field(
        default=8, metadata={"help": "descriptions per held-out task in the fidelity check"}
    )
    lr: float = 1e-3

    def __post_init__(self) -> None:
        self.validate_run()
        self.validate_tasks()
        _require(bool(self.teacher), "--teacher is required (a hypernetwork or bundle folder)")
        _require(0.0 <= self.mixup <= 1.0, "--mixup must be within [0, 1]")
        _require(self.heldout_descriptions >= 1, "--heldout-descriptions must be >= 1")

    def student_config(self, teacher: HyperNetConfig) -> HyperNetConfig:
        """The teacher's targets, rank and scaling with this run's size."""
        return replace(
            teacher,
            variant=self.variant,
            hidden_dim=self.hidden_dim,
            num_blocks=self.num_blocks,
            mlp_ratio=self.mlp_ratio,
            dropout=self.dropout,
        )
