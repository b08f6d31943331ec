"""Task-averaged summary of a description loss gap (`t2l loss-gap`), kept free of torch so the
report can summarise any subset of a document's tasks (trained on or not) without loading it."""

from __future__ import annotations

from statistics import fmean

from t2l.report.bootstrap import margin_interval

# Each condition and the `t2l eval` method whose descriptions it uses.
METHOD_OF = {"matched": "t2l", "other": "t2l_other_descriptions",
             "random": "t2l_random_descriptions"}
CONDITIONS = tuple(METHOD_OF)


def summarize(per_task: dict[str, dict[str, list[float]]]) -> dict:
    """Mean loss of each condition over the tasks (each task counts alike) and each mismatched
    condition's excess over matched with its 95% paired, task-stratified bootstrap interval."""
    names = [n for n, losses in per_task.items() if losses["matched"]]
    if not names:
        raise ValueError("--heldout-tasks: no validation examples to score")
    means = {c: fmean(fmean(per_task[n][c]) for n in names) for c in CONDITIONS}
    matched = {n: per_task[n]["matched"] for n in names}
    gaps = {}
    for condition in CONDITIONS[1:]:
        interval = margin_interval(
            {n: per_task[n][condition] for n in names}, matched, names, scale=1.0
        )
        gaps[condition] = {
            "excess_loss": means[condition] - means["matched"],
            "ci95": list(interval) if interval else None,
        }
    return {"tasks": names, "mean_loss": means, "gap_over_matched": gaps}
