"""Markdown for `docs/results/description_loss_gap.json` (`t2l loss-gap`)."""

from __future__ import annotations

LOSS_GAP_SCHEMA = "t2l.description_loss_gap/v1"
INTRO = (
    "Teacher-forced completion loss (nats/token) on the held-out tasks' validation examples, "
    "with the adapter generated from the task's own description (matched), the next held-out "
    "task's (other) and a random string of the same length: the eval's three conditions, "
    "scored continuously and paired per example, so small differences are visible. A positive "
    "excess means the description helps; [low, high] is the 95% interval of a paired, "
    "task-stratified bootstrap over examples."
)


def _nats(value: float) -> str:
    return f"{value:+.4f}"


def _excess(gap: dict) -> str:
    interval = gap.get("ci95")
    if interval is None:
        return _nats(gap["excess_loss"])
    return f"{_nats(gap['excess_loss'])} [{_nats(interval[0])}, {_nats(interval[1])}]"


def loss_gap_section(document: dict) -> str:
    rows = ["| hypernetwork | trained | tasks | matched loss | other − matched | "
            "random − matched |", "|---|---|---:|---:|---:|---:|"]
    for label, result in document["hypernets"].items():
        training = result.get("training") or {}
        trained = f"{training.get('mode', '?')}, {training.get('steps', '?')} steps"
        gaps = result["gap_over_matched"]
        rows.append(f"| {label} (`{result['hypernet']}`) | {trained} | {len(result['tasks'])} | "
                    f"{result['mean_loss']['matched']:.4f} | {_excess(gaps['other'])} | "
                    f"{_excess(gaps['random'])} |")
    return "\n\n".join(["## Description gap in held-out loss "
                        "(`results/description_loss_gap.json`)", INTRO, "\n".join(rows)])
