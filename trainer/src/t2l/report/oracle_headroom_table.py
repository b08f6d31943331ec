"""How much one adapter can add on the held-out tasks at all (`t2l results`, section "Headroom
on the held-out tasks with training data").

The quality bar asks T2L for +10 points over base + description, averaged over the held-out
tasks. An oracle LoRA trained on a task's own training data shows what an adapter of T2L's rank
and targets can add there; T2L reads only a description, so the oracle's margin is a practical
ceiling on its own. Only the held-out tasks with training data have an oracle (BBH and
self_instruct_user are evaluation-only), so the section covers those and says how many of the
headline's tasks that is.
"""

from __future__ import annotations

from t2l.report.quality_bar import GOAL_OVER_BASE_WITH_DESCRIPTION_POINTS, interval, paired

HEADLINE = "eval_heldout"
REFERENCE = "base_with_description"
# method -> column heading, in the table's order.
COLUMNS = {
    "base_with_description": "base + description",
    "multitask_lora": "multi-task LoRA",
    "t2l": "T2L",
    "oracle_lora": "oracle LoRA",
}


def oracle_headroom_section(documents: dict[str, dict]) -> str | None:
    """The section, or None until the headline has scored oracle LoRAs beside the others."""
    document = documents.get(HEADLINE)
    found = None if document is None else paired(document, tuple(COLUMNS))
    if found is None:
        return None
    tasks, averages = found
    rows = document["methods"]
    lines = ["| task | " + " | ".join(COLUMNS.values()) + " | oracle − base + description |",
             "|---|" + "---:|" * (len(COLUMNS) + 1)]
    for task in tasks:
        scores = {m: 100 * rows[m]["per_task"][task] for m in COLUMNS}
        cells = " | ".join(f"{scores[m]:.1f}" for m in COLUMNS)
        lines.append(f"| {task} | {cells} | {scores['oracle_lora'] - scores[REFERENCE]:+.1f} |")
    mean = {m: 100 * averages[m] for m in COLUMNS}
    cells = " | ".join(f"**{mean[m]:.1f}**" for m in COLUMNS)
    lines.append(f"| **average** | {cells} | **{mean['oracle_lora'] - mean[REFERENCE]:+.1f}** |")
    intro = (
        f"Every held-out task with training data gets an oracle LoRA trained on that data alone "
        f"(`trainer/configs/lora-smollm2-oracle-heldout.yaml`), scored on the headline's items "
        f"(`{HEADLINE}.json`) beside the methods the quality bar compares: what an adapter of "
        f"T2L's rank and targets adds when trained on the task itself, a practical ceiling for "
        f"T2L, which sees only a description. {len(tasks)} of the headline's "
        f"{len(document['tasks'])} tasks have an oracle; the others are evaluation-only.")
    summary = " ".join(
        f"{_sentence_case(COLUMNS[m])} − base + description over these tasks: "
        f"{mean[m] - mean[REFERENCE]:+.1f}{_interval_text(document, m, tasks)} points."
        for m in ("oracle_lora", "t2l"))
    goal = (f"The quality bar asks T2L for {GOAL_OVER_BASE_WITH_DESCRIPTION_POINTS:+.1f} points "
            f"over base + description on average over all the held-out tasks.")
    return "\n\n".join(["## Headroom on the held-out tasks with training data", intro,
                        "\n".join(lines), f"{summary} {goal}"])


def _interval_text(document: dict, method: str, tasks: list[str]) -> str:
    found = interval(document, method, REFERENCE, tasks)
    return "" if found is None else f" [{found[0]:+.1f}, {found[1]:+.1f}]"


def _sentence_case(label: str) -> str:
    return label[:1].upper() + label[1:]
