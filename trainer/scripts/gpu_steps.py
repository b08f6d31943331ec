"""Held-out accuracy along training, T2L against the multi-task LoRA, on one CUDA GPU.

    PYTHONPATH=trainer/src T2L_DATA_DIR=... python3 trainer/scripts/gpu_steps.py \\
        --deadline EPOCH_S --out OUT_DIR [--table .gpu-pack/embeddings.safetensors] [--smoke]

Run from the repository root (trainer/scripts/gpu_run.sh calls it once the GPU has shown it
computes the serving CPU's losses). Why: the default bundle is the CPU run's step 250, chosen
by held-out loss, and on the CPU each accuracy evaluation costs ~20 minutes, so whether more
training buys held-out accuracy was never measured. Here both recipes of the headline
comparison (`sft-smollm2.yaml`, `lora-smollm2-multitask.yaml`: 8 x 160 tokens per step) train
side by side up to a time window, keeping a checkpoint every 250 steps; then checkpoints both
runs reached are scored on the headline's items (held-out tasks) and on the development tasks,
which are what a checkpoint may be chosen by. The base model is scored meanwhile.

OUT_DIR receives summary.json, runs.tar.xz (metrics, evaluations, logs and the LoRA
checkpoints scored; no optimizer state) and sft-step-N.tar (fp16 hypernetwork) for the first
and last step scored, so the CPU can check the GPU's numbers.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from gpu_pipeline import JOB_ENV, STARTED, log, program_parser

from t2l.config_io import flag_args
from t2l.job_scheduler import Job, Scheduler
from t2l.run_archive import archive_folder
from t2l.tasks import load_split, load_task_library
from t2l.tasks.paths import default_tasks_dir

RUNS = Path("runs/gpu-steps")
SFT_CONFIG = "trainer/configs/sft-smollm2.yaml"
LORA_CONFIG = "trainer/configs/lora-smollm2-multitask.yaml"
TASKS = "t2l.recipes.library_tasks:split_tasks"
SAVE_EVERY = 250
SCORED_STEPS = (250, 1000, 2000)  # and the last step both runs reached
HEADLINE_LIMITS = ["--limit", "100", "--generation-limit", "20", "--descriptions-per-task", "1"]
PACK_RESERVE_S = 30.0
# The evaluations after training, measured from the deadline: on the H200 (2026-11-30) one
# held-out evaluation of two methods took ~230 s with four running at once; 180 s was too few.
EVAL_RESERVE_S = 260.0


class Settings:
    """What --smoke shrinks: a few CPU steps that check the plumbing, numbers meaningless."""

    def __init__(self, smoke: bool, table: str) -> None:
        self.device = "cpu" if smoke else "cuda"
        self.table = table
        self.max_steps = 4 if smoke else 3000
        self.save_every = 2 if smoke else SAVE_EVERY
        self.scored = (2,) if smoke else SCORED_STEPS
        self.val_limit = 1 if smoke else 16
        self.train = (["--task-args", json.dumps({"split": "train", "train_limit": 8,
                                                  "val_limit": 1}),
                       "--heldout-task-args", json.dumps({"split": "heldout", "val_limit": 1}),
                       "--max-val-examples", "1", "--max-length", "64"] if smoke else [])
        self.limits = (["--limit", "1", "--descriptions-per-task", "1", "--max-new-tokens", "8"]
                       if smoke else HEADLINE_LIMITS)


def training_argv(kind: str, settings: Settings) -> list[str]:
    every = str(settings.save_every)
    command, config = (("train-sft", SFT_CONFIG) if kind == "sft" else ("train-lora", LORA_CONFIG))
    argv = [command, "--config", config, "--out-dir", str(RUNS / kind), "--device",
            settings.device, "--max-steps", str(settings.max_steps), "--save-every", every,
            "--eval-every", every, "--keep-checkpoints", "1000", *settings.train]
    if kind == "sft":  # dev loss beside dev accuracy: does one track the other?
        argv += ["--embedding-table", settings.table, "--dev-tasks", TASKS, "--dev-task-args",
                 json.dumps({"split": "dev", "val_limit": settings.val_limit})]
    return argv


def eval_argv(name: str, methods: str, tasks: list[str] | None, settings: Settings,
              **artifacts: str) -> list[str]:
    argv = ["eval", "--tasks-dir", "trainer/tasks", "--run-dir", str(RUNS / "eval" / name),
            "--output", str(RUNS / "results" / f"{name}.json"), "--methods", methods,
            "--device", settings.device, "--batch-size", "64", "--embedding-table",
            settings.table, "--label", f"H200 run, {name}", *settings.limits]
    if tasks:
        argv += ["--tasks", ",".join(tasks)]
    return argv + flag_args(**artifacts)


def checkpoint_steps(run: Path) -> set[int]:
    return {int(p.name.removeprefix("step-")) for p in (run / "checkpoints").glob("step-*")}


def steps_to_score(settings: Settings) -> list[int]:
    common = checkpoint_steps(RUNS / "sft") & checkpoint_steps(RUNS / "multitask")
    if not common:
        return []
    return sorted({s for s in settings.scored if s in common} | {max(common)})


def main() -> int:
    args = program_parser(__doc__).parse_args()
    settings = Settings(args.smoke, args.table)
    args.out.mkdir(parents=True, exist_ok=True)
    split = load_split(default_tasks_dir() / "split.yaml", load_task_library(default_tasks_dir()))
    dev = list(split.dev)
    final = args.deadline - PACK_RESERVE_S
    train_end = args.deadline - EVAL_RESERVE_S
    if train_end < time.time() + 60:
        log("under a minute left to train: nothing started")
        return pack(args.out, {}, [])

    # 1. Both recipes train until train_end; the base model is scored meanwhile.
    training = Scheduler(RUNS / "logs", env=JOB_ENV, log=log)
    for kind in ("sft", "multitask"):
        training.add(Job(kind, training_argv(kind, settings), deadline=train_end))
    base = "base,base_with_description"
    training.add(Job("eval-base-heldout", eval_argv("base_heldout", base, None, settings)))
    training.add(Job("eval-base-dev", eval_argv("base_dev", base, dev, settings)))
    status = training.run(final)

    # 2. Score the checkpoints both runs reached, each on the held-out and development tasks.
    steps = steps_to_score(settings)
    log(f"scoring steps {steps}")
    scoring = Scheduler(RUNS / "logs", env=JOB_ENV, log=log)
    for step in steps:
        artifacts = {"hypernet": str(RUNS / "sft" / "checkpoints" / f"step-{step:08d}"),
                     "multitask_lora": str(RUNS / "multitask" / "checkpoints" / f"step-{step:08d}")}
        scoring.add(Job(f"eval-heldout-{step}", eval_argv(
            f"heldout_step{step}", "t2l,multitask_lora", None, settings, **artifacts)))
        if step == steps[-1]:  # a process of their own: generated answers are the slow part
            scoring.add(Job(f"eval-controls-{step}", eval_argv(
                f"controls_step{step}", "t2l_other_descriptions,t2l_random_descriptions", None,
                settings, hypernet=artifacts["hypernet"])))
        scoring.add(Job(f"eval-dev-{step}",
                        eval_argv(f"dev_step{step}", "t2l,multitask_lora", dev, settings,
                                  **artifacts)))
    status |= scoring.run(final)
    return pack(args.out, status, steps)


def pack(out: Path, status: dict, steps: list[int]) -> int:
    """Small files back: no optimizer state, fp16 hypernetworks of the first and last step."""
    from t2l.cli import main as t2l

    summary = {"status": status, "scored_steps": steps, "wall_s": round(time.time() - STARTED)}
    (out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    scored = {f"step-{s:08d}" for s in steps}

    def large(parts: tuple[str, ...]) -> bool:
        return (("checkpoints" in parts[:-1] and not scored & set(parts))  # nobody scored them
                or parts[-1] in ("trainer_state.pt", "hypernet.safetensors")  # fp16 copies below
                or "adapters" in parts)  # adapters the eval generated, re-made on demand

    if RUNS.is_dir():
        archive_folder(RUNS, out / "runs.tar.xz", skip=large)
    for step in sorted({steps[0], steps[-1]}) if steps else []:
        folder = RUNS / "published" / f"sft-step-{step}"
        t2l(["publish-weights", str(RUNS / "sft" / "checkpoints" / f"step-{step:08d}"), "-o",
             str(folder), "--name", "smollm2-135m-instruct-t2l-h200", "--version",
             f"0.5.0-h200.{step}"])
        archive_folder(folder, out / f"sft-step-{step}.tar")
    log(f"packed: {sorted(p.name for p in out.iterdir())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
