"""Markdown for `docs/results/description_loss_gap_training_tasks.json`: `t2l loss-gap` scored
on the training split's tasks, each hypernetwork's tasks grouped by whether it trained on them,
beside its held-out row from `description_loss_gap.json`."""

from __future__ import annotations

from t2l.eval.loss_gap_summary import summarize
from t2l.report.loss_gap_table import excess_cell, per_task_table

SEEN_GAP_STEM = "description_loss_gap_training_tasks"
INTRO = (
    "The same three conditions as the held-out loss gap, scored on the validation examples of "
    "the training split's tasks (never trained on; 'other' is the next training task's "
    "description). They tell two explanations of a small held-out gap apart: a hypernetwork "
    "that ignores its description shows no gap on the tasks it trained on either, while one "
    "that reads descriptions but does not carry the mapping to tasks it has not seen shows a "
    "gap on its own tasks only. Each hypernetwork's tasks are grouped by its recorded training "
    "tasks; tasks of the split it did not train on (the arithmetic tasks joined after the "
    "plain SFT recipe) are unseen tasks of the training kind; the held-out row repeats its row "
    "of the held-out document. [low, high]: 95% paired, task-stratified bootstrap interval."
)
PER_TASK_INTRO = (
    "Per task, other − matched (nats/token; columns are the hypernetworks numbered above; "
    "**bold**: the task's own 95% paired-bootstrap interval excludes zero; †: a task that "
    "hypernetwork did not train on)."
)


def trained_on(result: dict) -> set[str]:
    return set((result.get("training") or {}).get("tasks") or ())


def task_groups(result: dict) -> dict[str, list[str]]:
    """The scored tasks the hypernetwork trained on and those it did not, in document order."""
    seen = trained_on(result)
    return {"trained on": [t for t in result["tasks"] if t in seen],
            "not trained on": [t for t in result["tasks"] if t not in seen]}


def _unseen_mark(result: dict, task: str) -> str:
    return "" if task in trained_on(result) else " †"


def _heldout_row(heldout: dict | None, result: dict) -> dict | None:
    """The held-out document's row of the same weights: the same folder with the same training
    record (a bundle folder is republished in place, so its path alone names several)."""
    rows = (heldout or {}).get("hypernets", {}).values()
    return next((row for row in rows if row.get("hypernet") == result["hypernet"]
                 and row.get("training") == result.get("training")), None)


def _row(number: int, label: str, group: str, summary: dict) -> str:
    gaps = summary["gap_over_matched"]
    return (f"| {number} | {label} | {group} | {len(summary['tasks'])} | "
            f"{summary['mean_loss']['matched']:.4f} | {excess_cell(gaps['other'])} | "
            f"{excess_cell(gaps['random'])} |")


def seen_gap_section(document: dict, heldout: dict | None = None) -> str:
    rows = ["| # | hypernetwork | tasks | n | matched loss | other − matched | "
            "random − matched |", "|---:|---|---|---:|---:|---:|---:|"]
    for number, (label, result) in enumerate(document["hypernets"].items(), start=1):
        named = f"{label} (`{result['hypernet']}`)"
        for group, names in task_groups(result).items():
            if names:
                rows.append(_row(number, named, group, summarize(
                    {n: result["per_task"][n] for n in names})))
        held = _heldout_row(heldout, result)
        if held is not None:
            rows.append(_row(number, named, "held out", held))
    return "\n\n".join([
        f"## Description gap on tasks trained on and not (`results/{SEEN_GAP_STEM}.json`)",
        INTRO, "\n".join(rows), PER_TASK_INTRO,
        per_task_table(document["hypernets"], _unseen_mark)])
