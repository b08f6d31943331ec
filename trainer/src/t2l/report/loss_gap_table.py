"""Markdown for `docs/results/description_loss_gap.json` (`t2l loss-gap`)."""

from __future__ import annotations

from collections.abc import Callable
from statistics import fmean

from t2l.report.bootstrap import margin_interval

LOSS_GAP_SCHEMA = "t2l.description_loss_gap/v1"
INTRO = (
    "Teacher-forced completion loss (nats/token) on the held-out tasks' validation examples, "
    "with the adapter generated from the task's own description (matched), the next held-out "
    "task's (other) and a random string of the same length: the eval's three conditions, "
    "scored continuously and paired per example, so small differences are visible. A positive "
    "excess means the description helps; [low, high] is the 95% interval of a paired, "
    "task-stratified bootstrap over examples."
)
PER_TASK_INTRO = (
    "Per task, other − matched (nats/token; columns are the hypernetworks numbered above; "
    "**bold**: the task's own 95% paired-bootstrap interval excludes zero)."
)
HELDOUT_PER_TASK_NOTE = (
    " A training task near a held-out one shows up in that task's row, where the average "
    "hides it."
)


def _nats(value: float) -> str:
    return f"{value:+.4f}"


def excess_cell(gap: dict) -> str:
    interval = gap.get("ci95")
    if interval is None:
        return _nats(gap["excess_loss"])
    return f"{_nats(gap['excess_loss'])} [{_nats(interval[0])}, {_nats(interval[1])}]"


def _task_excess(losses: dict[str, list[float]] | None, task: str) -> str:
    if not losses or not losses.get("matched"):
        return "—"
    other, matched = losses["other"], losses["matched"]
    text = f"{fmean(other) - fmean(matched):+.3f}"
    interval = margin_interval({task: other}, {task: matched}, [task], scale=1.0)
    clear = interval is not None and (interval[0] > 0 or interval[1] < 0)
    return f"**{text}**" if clear else text


def per_task_table(hypernets: dict, mark: Callable[[dict, str], str] | None = None) -> str:
    """One row a task, one column a hypernetwork (numbered as in the summary table); `mark`
    may append a note to a cell, given the hypernetwork's result and the task."""
    tasks = list(dict.fromkeys(t for result in hypernets.values() for t in result["tasks"]))
    numbers = " | ".join(str(i) for i in range(1, len(hypernets) + 1))
    rows = [f"| task | {numbers} |", "|---|" + "---:|" * len(hypernets)]
    for task in tasks:
        cells = " | ".join(_task_excess(r["per_task"].get(task), task)
                           + (mark(r, task) if mark else "") for r in hypernets.values())
        rows.append(f"| {task} | {cells} |")
    return "\n".join(rows)


HELDOUT_TITLE = "Description gap in held-out loss (`results/description_loss_gap.json`)"


def loss_gap_section(document: dict, title: str = HELDOUT_TITLE, intro: str = INTRO,
                     per_task_note: str = HELDOUT_PER_TASK_NOTE) -> str:
    rows = ["| # | hypernetwork | trained | tasks | matched loss | other − matched | "
            "random − matched |", "|---:|---|---|---:|---:|---:|---:|"]
    for number, (label, result) in enumerate(document["hypernets"].items(), start=1):
        training = result.get("training") or {}
        trained = f"{training.get('mode', '?')}, {training.get('steps', '?')} steps"
        if result.get("guidance", 1.0) != 1.0:
            trained += f", guidance {result['guidance']:g}"
        gaps = result["gap_over_matched"]
        rows.append(f"| {number} | {label} (`{result['hypernet']}`) | {trained} | "
                    f"{len(result['tasks'])} | {result['mean_loss']['matched']:.4f} | "
                    f"{excess_cell(gaps['other'])} | {excess_cell(gaps['random'])} |")
    return "\n\n".join([f"## {title}", intro, "\n".join(rows), PER_TASK_INTRO + per_task_note,
                        per_task_table(document["hypernets"])])
