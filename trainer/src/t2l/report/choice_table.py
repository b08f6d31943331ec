"""Markdown for what the multiple-choice scores of an evaluation are made of
(`t2l.eval.choice_balance`): accuracy beside balanced accuracy and the most frequent answer's
share, so a score earned by giving every item one answer reads as such."""

from __future__ import annotations


def _cell(accuracy: float | None, summary: dict | None) -> str:
    if accuracy is None or summary is None:
        return "—"
    return (f"{100 * accuracy:.0f} / {100 * summary['balanced_accuracy']:.0f} / "
            f"{100 * summary['modal_choice_share']:.0f}")


def choice_balance_table(document: dict) -> str | None:
    """Multiple-choice tasks as rows, methods as columns; None when no method recorded choices
    (documents written before they were kept)."""
    rows_by_method = document["methods"]
    choices = {m: row.get("choices") or {} for m, row in rows_by_method.items()}
    methods = [m for m in choices if any(choices[m].values())]
    if not methods:
        return None
    tasks = [t for t in document["tasks"] if any(choices[m].get(t) for m in methods)]
    header = "| task | " + " | ".join(f"`{m}`" for m in methods) + " |"
    rows = [header, "|---|" + "---:|" * len(methods)]
    for task in tasks:
        cells = [_cell(rows_by_method[m]["per_task"].get(task), choices[m].get(task))
                 for m in methods]
        rows.append(f"| {task} | " + " | ".join(cells) + " |")
    intro = ("Multiple-choice answers, each cell accuracy / balanced accuracy / share of items "
             "given the most frequent answer (%). Balanced accuracy averages, over the gold "
             "answers that occur, the share of their items answered right, so one answer for "
             "every item scores 1 / that count (50 on a yes/no task) whatever its accuracy.")
    return "\n\n".join([intro, "\n".join(rows)])
