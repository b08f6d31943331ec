"""`docs/results/reconstruction.json`: how close reconstruction-trained T2L comes to its oracles.

`t2l_over_oracle` is avg(T2L) / avg(oracle LoRA) over the tasks both were scored on;
`compression_ratio` is hypernetwork parameters / the parameters of the LoRA library it learned.
"""

from __future__ import annotations

import statistics
from pathlib import Path

from t2l.report.metrics_log import read_metrics, read_run_config

RECONSTRUCTION_SCHEMA = "t2l.reconstruction/v1"
DIGITS = 6


def lora_parameters(targets: dict, rank: int) -> int:
    """A rank-`rank` LoRA on every target module of every layer: r × (in + out) each."""
    per_layer = sum(rank * (m["in_features"] + m["out_features"]) for m in targets["modules"])
    return targets["num_layers"] * per_layer


def score_ratios(document: dict) -> dict:
    """Per task and on average, T2L over oracle, from an eval document with both methods."""
    oracle = document["methods"]["oracle_lora"]["per_task"]
    t2l = document["methods"]["t2l"]["per_task"]
    both = [t for t in document["tasks"] if oracle.get(t) is not None and t2l.get(t) is not None]
    if not both:
        raise ValueError("no task has both an oracle_lora and a t2l score in the reconstruction "
                         "evaluation; rerun its `t2l eval --methods oracle_lora,t2l`")
    per_task = {t: {"oracle": oracle[t], "t2l": t2l[t],
                    "ratio": round(t2l[t] / oracle[t], DIGITS) if oracle[t] else None}
                for t in both}
    oracle_avg = statistics.fmean(oracle[t] for t in both)
    t2l_avg = statistics.fmean(t2l[t] for t in both)
    return {"t2l_over_oracle": round(t2l_avg / oracle_avg, DIGITS) if oracle_avg else None,
            "oracle_avg": oracle_avg, "t2l_avg": t2l_avg, "per_task": per_task}


def library_size(run_dir: Path) -> tuple[list[str], int]:
    """The LoRAs the reconstruction run learned (its start event) and their parameter total."""
    hint = ("rerun the reconstruction and oracle jobs of trainer/scripts/gpu_pipeline.py, or "
            "copy their folders into RUN_DIR")
    library = read_metrics(run_dir / "recon", hint).start.get("library")
    if not library:
        raise ValueError(f"{run_dir / 'recon' / 'metrics.jsonl'} names no library in its start "
                         f"event; {hint}")
    total = 0
    for task in library:
        oracle = run_dir / "oracles" / task
        rank = read_run_config(oracle, hint).get("rank")
        targets = read_metrics(oracle, hint).start.get("targets")
        if not isinstance(rank, int) or not isinstance(targets, dict):
            raise ValueError(f"{oracle} lacks its LoRA rank or target modules; {hint}")
        total += lora_parameters(targets, rank)
    return library, total


def reconstruction(document: dict, run_dir: Path, source: str) -> dict:
    """`document`: the reconstruction evaluation (oracle_lora and t2l on the oracles' tasks)."""
    library, library_params = library_size(run_dir)
    hypernet = (document.get("artifacts") or {}).get("hypernet_config") or {}
    hypernet_params = hypernet.get("params")
    if hypernet_params is None:  # an evaluation from before it recorded the hypernet's size
        hypernet_params = read_metrics(run_dir / "recon", "").start.get("hypernet_params")
    if not isinstance(hypernet_params, int):
        raise ValueError(f"{source} records no artifacts.hypernet_config.params and "
                         f"{run_dir / 'recon' / 'metrics.jsonl'} no hypernet_params; rerun the "
                         "reconstruction evaluation with the current `t2l eval`")
    ratios = score_ratios(document)
    return {
        "schema": RECONSTRUCTION_SCHEMA,
        "t2l_over_oracle": ratios["t2l_over_oracle"],
        "oracle_avg": ratios["oracle_avg"],
        "t2l_avg": ratios["t2l_avg"],
        "compression_ratio": round(hypernet_params / library_params, DIGITS),
        "hypernet_params": hypernet_params,
        "library_params": library_params,
        "num_loras": len(library),
        "library": library,
        "per_task": ratios["per_task"],
        "source": {"eval": source, "run_label": (document.get("run") or {}).get("label")},
    }
