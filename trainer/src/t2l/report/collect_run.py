"""Turn a pipeline run folder (trainer/scripts/gpu_pipeline.py's runs/gpu) into result documents.

    RUN_DIR/results/eval_heldout.json          → OUT/eval_heldout.json (copied)
    RUN_DIR/results/eval_heldout_hinge.json    → OUT/eval_heldout_hinge.json (copied)
    RUN_DIR/results/eval_reconstruction.json   → OUT/eval_reconstruction.json (copied)
                                                 + OUT/reconstruction.json (with the library)
    RUN_DIR/{sft,hinge,multitask,recon,oracles/*}/metrics.jsonl + RUN_DIR/summary.json
                                               → OUT/training_curves.json

With `reconstruction_only` (trainer/scripts/gpu_recon.py's runs) only the reconstruction's
two documents are written. Everything is read and checked before the first file is written, and
each file is replaced atomically, so a missing or broken input leaves OUT as it was.
"""

from __future__ import annotations

from pathlib import Path

from t2l.atomic_file import write_json_atomically
from t2l.eval.methods import T2L_METHODS
from t2l.eval.results import EVAL_SCHEMA
from t2l.report.metrics_log import read_json_object
from t2l.report.reconstruction import reconstruction
from t2l.report.training_curves import training_curves

# Each evaluation document, the methods it must hold, and the pipeline job that writes it.
EVALUATIONS = {
    "eval_heldout.json": (("base", "base_with_description", "multitask_lora", *T2L_METHODS),
                          "aggregate-heldout"),
    "eval_heldout_hinge.json": (T2L_METHODS, "aggregate-hinge"),
    "eval_reconstruction.json": (("oracle_lora", "t2l"), "eval-recon"),
}


def read_evaluation(path: Path, methods: tuple[str, ...], job: str) -> dict:
    hint = (f"rerun the `{job}` job of trainer/scripts/gpu_pipeline.py (a `t2l eval --methods "
            f"{','.join(methods)} --output {path.name}`)")
    document = read_json_object(path, hint)
    if document.get("schema") != EVAL_SCHEMA:
        raise ValueError(f"{path} has schema {document.get('schema')!r}, not {EVAL_SCHEMA!r}; "
                         f"{hint}")
    missing = [m for m in methods if m not in (document.get("methods") or {})]
    if missing:
        raise ValueError(f"{path} lacks methods {missing}; {hint}")
    return document


def collect_run(run_dir: Path, out_dir: Path, summary: Path | None = None,
                reconstruction_only: bool = False) -> list[Path]:
    """Write the result documents of `run_dir` into `out_dir`; returns the files written."""
    if not run_dir.is_dir():
        raise ValueError(f"RUN_DIR {run_dir} is not a folder; pass the pipeline's run folder "
                         "(runs/gpu)")
    wanted = ["eval_reconstruction.json"] if reconstruction_only else list(EVALUATIONS)
    evaluations = {name: read_evaluation(run_dir / "results" / name, *EVALUATIONS[name])
                   for name in wanted}
    derived = {
        "reconstruction.json": reconstruction(evaluations["eval_reconstruction.json"], run_dir,
                                              source="eval_reconstruction.json"),
    }
    if not reconstruction_only:
        pipeline = read_json_object(
            summary or run_dir / "summary.json",
            "pass --summary with the summary.json that gpu_pipeline.py wrote into its --out "
            "folder")
        derived["training_curves.json"] = training_curves(run_dir, pipeline)
    written = []
    for name, document in {**evaluations, **derived}.items():
        write_json_atomically(out_dir / name, document)
        written.append(out_dir / name)
    return written
