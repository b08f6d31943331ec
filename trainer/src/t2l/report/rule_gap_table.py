"""Markdown for `docs/results/description_loss_gap_rule_tasks.json`: `t2l loss-gap` scored on
the rule tasks (`t2l.rule_tasks`), whose inputs carry no instruction."""

from __future__ import annotations

from t2l.report.loss_gap_table import loss_gap_section

RULE_GAP_STEM = "description_loss_gap_rule_tasks"
INTRO = (
    "The loss gap's three conditions on the rule tasks' validation sentences (never trained "
    "on under any rule): text rules over plain sentences, such as the third word, title case "
    "or which of two options is longer, where the input says nothing of what to do and every "
    "rule reads the same sentences ('other' is the next rule's description). A hypernetwork "
    "that fits them must read its description, so the gap here shows how far the rule-task "
    "fine-tune taught that, against a control never trained on them. [low, high]: 95% paired, "
    "task-stratified bootstrap interval."
)


def rule_gap_section(document: dict) -> str:
    return loss_gap_section(
        document, f"Description gap on rule tasks (`results/{RULE_GAP_STEM}.json`)", INTRO,
        per_task_note="")
