"""A tiny pipeline run folder (runs/gpu's layout) written to disk, for the report tests."""

from __future__ import annotations

import json
import statistics
from pathlib import Path

# Two target modules on two layers: a rank-r LoRA has 2 × r × ((4 + 4) + (4 + 2)) parameters.
TARGETS = {"num_layers": 2, "modules": [
    {"name": "q_proj", "path": "model.layers.{layer}.q_proj", "in_features": 4,
     "out_features": 4},
    {"name": "v_proj", "path": "model.layers.{layer}.v_proj", "in_features": 4,
     "out_features": 2},
]}
ORACLE_RANKS = {"alpha": 2, "beta": 4}  # 56 and 112 parameters
HYPERNET_PARAMS = 1000
HELDOUT_TASKS = ["piqa", "gsm8k", "mbpp"]


def eval_document(scores: dict[str, dict[str, float | None]], label: str,
                  tasks: list[str] | None = None, run_extra: dict | None = None,
                  **extra: object) -> dict:
    """t2l.eval_heldout/v1 with each method's `avg` over the tasks it scored, as `t2l eval`."""
    tasks = tasks or list(next(iter(scores.values())))
    methods = {}
    for method, per_task in scores.items():
        scored = [v for v in per_task.values() if v is not None]
        methods[method] = {"avg": statistics.fmean(scored) if scored else None,
                           "per_task": per_task, "tasks_scored": len(scored)}
    return {"schema": "t2l.eval_heldout/v1", "base_model": "tiny", "tasks": tasks,
            "metrics": {t: "mc_loglik" for t in tasks}, "methods": methods,
            "run": {"label": label, "created_at": "2026-01-01T00:00:00+00:00",
                    "git_commit": "abc", "wall_time_s": 1.0,
                    "items_per_task": {t: 4 for t in tasks}, **(run_extra or {})},
            "config": {"descriptions_per_task": 3, "seed": 0, "max_new_tokens": None},
            "artifacts": {}, **extra}


HELDOUT_SCORES = {
    "base": {"piqa": 0.5, "gsm8k": 0.0, "mbpp": 0.1},
    "base_with_description": {"piqa": 0.5, "gsm8k": 0.1, "mbpp": 0.0},
    "multitask_lora": {"piqa": 0.6, "gsm8k": 0.2, "mbpp": 0.1},
    "t2l": {"piqa": 0.7, "gsm8k": 0.3, "mbpp": 0.2},
    "t2l_other_descriptions": {"piqa": 0.6, "gsm8k": 0.1, "mbpp": 0.2},
    "t2l_random_descriptions": {"piqa": 0.5, "gsm8k": 0.0, "mbpp": 0.1},
}
HINGE_SCORES = {
    "t2l": {"piqa": 0.8, "gsm8k": 0.3, "mbpp": 0.1},
    "t2l_other_descriptions": {"piqa": 0.5, "gsm8k": 0.1, "mbpp": 0.0},
    "t2l_random_descriptions": {"piqa": 0.4, "gsm8k": 0.0, "mbpp": 0.0},
}
# gamma has no oracle score, so only alpha and beta are compared.
RECON_SCORES = {
    "oracle_lora": {"alpha": 0.8, "beta": 0.4, "gamma": None},
    "t2l": {"alpha": 0.6, "beta": 0.4, "gamma": 0.3},
}

# The headline's drawn descriptions, and its recorded specs: PIQA's only, since its other tasks
# were scored before runs recorded specs.
HEADLINE_DESCRIPTIONS = {"piqa": ["pick the solution"], "gsm8k": ["solve it"],
                         "mbpp": ["write code"]}
HEADLINE_SPECS = {"piqa": "spec-goal-alone", "gsm8k": None, "mbpp": None}


def headline_document(label: str = "headline") -> dict:
    """eval_heldout as the bar reads it: every method scored on HELDOUT_SCORES, on CPU."""
    document = eval_document(HELDOUT_SCORES, label, run_extra={
        "descriptions": HEADLINE_DESCRIPTIONS, "task_specs": HEADLINE_SPECS})
    document["config"]["device"] = "cpu"  # scored before runs recorded the resolved device
    return document


def variant_document(label: str = "recon run", scores: dict | None = None,
                     **run: object) -> dict:
    """A later run on the headline's items (HINGE_SCORES unless `scores`), `run` overriding
    its run record."""
    extra = {"descriptions": HEADLINE_DESCRIPTIONS,
             "task_specs": {"piqa": "spec-goal-alone", "gsm8k": "g", "mbpp": "m"}}
    return eval_document(scores or HINGE_SCORES, label, run_extra={**extra, **run})


def write_json(path: Path, document: object) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2) + "\n")
    return path


def write_training_run(folder: Path, *, recipe: str, rank: int, steps: int, eval_every: int,
                       start: dict, heldout: bool = False) -> None:
    """config.json + metrics.jsonl: train loss 10/step, one second a step, val every few."""
    write_json(folder / "config.json", {"schema": "t2l.run/v1", "recipe": recipe,
                                        "config": {"rank": rank, "max_steps": steps}})
    lines = [{"step": 0, "event": "start", "targets": TARGETS, **start, "time": 100.0}]
    for step in range(1, steps + 1):
        lines.append({"step": step, "split": "train", "loss": 10.0 / step, "grad_norm": 1.0,
                      "lr": 1e-4, "time": 100.0 + step})
        if step % eval_every == 0:
            val = {"step": step, "split": "val", "val_loss": 5.0 / step, "time": 100.5 + step}
            if heldout:
                val["heldout_loss"] = 6.0 / step
            lines.append(val)
    (folder / "metrics.jsonl").write_text("".join(json.dumps(x) + "\n" for x in lines))


def write_pipeline_run(root: Path) -> Path:
    """runs/gpu as trainer/scripts/gpu_pipeline.py leaves it (results/ and summary.json too)."""
    run = root / "runs" / "gpu"
    hypernet = {"hypernet_params": HYPERNET_PARAMS}
    write_training_run(run / "sft", recipe="train-sft", rank=2, steps=120, eval_every=30,
                       start=hypernet, heldout=True)
    write_training_run(run / "hinge", recipe="train-sft", rank=2, steps=101, eval_every=50,
                       start=hypernet, heldout=True)
    write_training_run(run / "multitask", recipe="train-lora", rank=2, steps=7, eval_every=7,
                       start={"lora_params": 56})
    for task, rank in ORACLE_RANKS.items():
        write_training_run(run / "oracles" / task, recipe="train-lora", rank=rank, steps=4,
                           eval_every=2, start={})
    write_training_run(run / "recon", recipe="train-recon", rank=2, steps=10, eval_every=5,
                       start={**hypernet, "library": list(ORACLE_RANKS)})
    results = run / "results"
    write_json(results / "eval_heldout.json", eval_document(HELDOUT_SCORES, "GPU run"))
    write_json(results / "eval_heldout_hinge.json",
               eval_document(HINGE_SCORES, "GPU run, SFT with the mismatch hinge"))
    write_json(results / "eval_reconstruction.json", eval_document(
        RECON_SCORES, "reconstruction: oracle tasks' eval splits",
        artifacts={"hypernet_config": {"variant": "M", "params": HYPERNET_PARAMS}}))
    write_json(run / "summary.json", {
        "plan": {"sft_steps": 120, "hinge_steps": 101, "multitask_steps": 7,
                 "oracles": list(ORACLE_RANKS), "oracle_steps": 4,
                 "rates_s_per_step": {"sft": 0.5}},
        "rates": {"sft": 0.5, "oracle": 0.1},
        "status": {"sft": 0, "hinge": 0, "eval-recon": -9},
        "wall_s": 3600.0,
    })
    return run
