"""The one-GPU run's section of `t2l results`: whether the GPU computes the serving CPU's losses,
and held-out accuracy along training for T2L and the multi-task LoRA.

Its document (`gpu_steps.json`, written by trainer/scripts/collect_steps.py) holds the parity
reports, the logged validation losses per scored step, the CPU's recomputation of them, and the
stems of the evaluation documents scored at each step; accuracies and margins are read from
those documents, so they are the same numbers their own sections show.
"""

from __future__ import annotations

from t2l.report.quality_bar import GOAL_OVER_MULTITASK_POINTS, margin_criterion
from t2l.report.quality_tables import score, with_interval

GPU_STEPS_STEM = "gpu_steps"
GPU_STEPS_SCHEMA = "t2l.gpu_steps/v1"
LOSSES = (("t2l", "heldout_loss"), ("t2l", "dev_loss"), ("multitask_lora", "heldout_loss"))


def _loss(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def parity_table(parity: dict) -> str:
    """One row per environment and device: the worst relative loss difference from the serving
    CPU's losses."""
    rows = ["| transformers | device | max relative difference from the serving CPU |",
            "|---|---|---:|"]
    for report in parity.values():
        version = report["environment"]["transformers"]
        for device, worst in report["max_relative_difference_to_reference"].items():
            rows.append(f"| {version} | {device} | {worst:.2e} |")
    return "\n".join(rows)


def _accuracy_cells(evaluation: dict | None) -> tuple[str, str, str]:
    """T2L's score, the LoRA's and T2L's margin over it, or dashes where it was not scored."""
    margin = None if evaluation is None else margin_criterion(
        evaluation, "multitask_lora", GOAL_OVER_MULTITASK_POINTS, "")
    if margin is None:
        return "—", "—", "—"
    return (score(margin["t2l"]), score(margin["reference"]),
            with_interval(margin["margin_points"], margin["margin_ci95_points"]))


def steps_table(document: dict, evaluations: dict[str, dict]) -> str:
    rows = ["| step | T2L held-out loss | T2L dev loss | LoRA held-out loss | T2L held-out % "
            "| LoRA held-out % | T2L − LoRA held-out | T2L dev % | LoRA dev % | T2L − LoRA dev |",
            "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for row in document["steps"]:
        losses = [_loss(row["losses"].get(method, {}).get(metric)) for method, metric in LOSSES]
        heldout = _accuracy_cells(evaluations.get(row["heldout_eval"]))
        dev = _accuracy_cells(evaluations.get(row["dev_eval"]))
        rows.append(f"| {row['step']} | {' | '.join(losses)} | {' | '.join(heldout)} "
                    f"| {' | '.join(dev)} |")
    return "\n".join(rows)


def recheck_table(rechecks: list[dict]) -> str:
    rows = ["| artifact | step | loss | logged on the GPU | this CPU | relative difference |",
            "|---|---:|---|---:|---:|---:|"]
    for check in rechecks:
        for metric, logged in check["logged"].items():
            here = check["this_cpu"][metric]
            rows.append(f"| `{check['weights']}` | {check['step']} | {metric} | {logged:.4f} "
                        f"| {here:.4f} | {abs(here - logged) / abs(logged):.1e} |")
    return "\n".join(rows)


def agreement_table(agreement: dict[str, dict]) -> str:
    rows = ["| method | items compared | scored the same |", "|---|---:|---:|"]
    for method, found in agreement.items():
        rows.append(f"| {method} | {found['items']} | {found['same']} |")
    return "\n".join(rows)


def gpu_steps_section(document: dict, evaluations: dict[str, dict]) -> str:
    run = document["run"]
    parts = [
        "## One GPU: parity with the serving CPU, and accuracy along training",
        f"**{run['label']}** ({run['device']}, transformers {run['transformers']}).",
        "Before training, the GPU machine computed fixed validation losses (base model alone and "
        "carrying the default bundle's adapters) with its own transformers and with the serving "
        "machine's, on its CPU and GPU, against this CPU's (`trainer/scripts/device_parity.py`):",
        parity_table(document["parity"]),
        "The base model scored on the GPU against the CPU-scored headline (`eval_heldout`), item "
        "by item, on the tasks both scored on the same items:",
        agreement_table(document.get("agreement_with_cpu_headline") or {}),
        "Then T2L (`sft-smollm2.yaml`) and the multi-task LoRA (`lora-smollm2-multitask.yaml`) "
        "trained side by side on the 33 T0 tasks (8 × 160 tokens a step), each scored at the "
        "steps both reached on the headline's held-out items and on the development tasks, at "
        "trained strength. Losses are the runs' own validation losses; margins in points with "
        "95% paired bootstrap intervals over items.",
        steps_table(document, evaluations),
        "The same losses recomputed on this CPU from the weights the GPU run sent back "
        "(`trainer/scripts/recheck_losses.py`; hypernetworks as fp16 published weights):",
        recheck_table(document["rechecks"]),
    ]
    return "\n\n".join(parts)
