"""Markdown for `docs/results/heldout_method_loss.json` (`t2l eval-loss`)."""

from __future__ import annotations

from statistics import fmean

from t2l.report.bootstrap import margin_interval
from t2l.report.tables import METHOD_LABELS

METHOD_LOSS_SCHEMA = "t2l.heldout_method_loss/v1"
METHOD_LOSS_STEM = "heldout_method_loss"
INTRO = (
    "Teacher-forced loss (nats/token) of each held-out example's reference answer under every "
    "method of the evaluation: its conditions exactly (the same drawn descriptions, the "
    "description in the prompt for base + description, the same adapters at their scales). "
    "Unlike accuracy at chance, a proper score that is continuous and paired per example, so "
    "it ranks the methods; lower is better. A positive excess means T2L's adapters make the "
    "references likelier than that method does; [low, high] is the 95% interval of a paired, "
    "task-stratified bootstrap over examples."
)
PER_TASK_INTRO = (
    "Per task, mean loss (nats/token; **bold**: the method's 95% paired-bootstrap interval "
    "against T2L on that task excludes zero)."
)


def _excess(gap: dict | None) -> str:
    if gap is None:
        return "(reference)"
    text = f"{gap['excess_loss']:+.4f}"
    interval = gap.get("ci95")
    return text if interval is None else f"{text} [{interval[0]:+.4f}, {interval[1]:+.4f}]"


def _task_cell(losses: dict[str, list[float]], method: str, task: str) -> str:
    text = f"{fmean(losses[method]):.3f}"
    if method == "t2l" or "t2l" not in losses:
        return text
    interval = margin_interval({task: losses[method]}, {task: losses["t2l"]}, [task], scale=1.0)
    clear = interval is not None and (interval[0] > 0 or interval[1] < 0)
    return f"**{text}**" if clear else text


def is_method_loss(document: dict) -> bool:
    return document.get("schema") == METHOD_LOSS_SCHEMA


def method_loss_section(document: dict, stem: str = METHOD_LOSS_STEM) -> str:
    """The headline document's section, or another run's (another seed's adapters, say) under
    its own file name."""
    config = document["config"]
    methods = list(document["mean_loss"])
    lora = config.get("multitask_lora")  # absent from a run that scores T2L's controls alone
    lora_part = f", multi-task LoRA `{lora}`" if lora else ""
    run = (f"- run: **{config.get('label') or 'held-out loss'}**, {document['created']}; "
           f"hypernet `{config['hypernet']}`{lora_part}; "
           f"{len(document['tasks'])} tasks, up to "
           f"{config['heldout_task_args'].get('val_limit', 'all')} examples each, "
           f"{config['descriptions_per_task']} description(s), max length {config['max_length']}")
    rows = ["| method | tasks | mean loss | − T2L |", "|---|---:|---:|---:|"]
    for method in methods:
        rows.append(f"| {METHOD_LABELS.get(method, method)} (`{method}`) | "
                    f"{len(document['tasks'])} | {document['mean_loss'][method]:.4f} | "
                    f"{_excess(document['excess_over_t2l'].get(method))} |")
    per_task = [f"| task | {' | '.join(f'`{m}`' for m in methods)} |",
                "|---|" + "---:|" * len(methods)]
    for task in document["tasks"]:
        losses = document["per_task"][task]
        cells = " | ".join(_task_cell(losses, m, task) for m in methods)
        per_task.append(f"| {task} | {cells} |")
    title = f"## Every method in held-out loss (`results/{stem}.json`)"
    return "\n\n".join([title, INTRO, run, "\n".join(rows), PER_TASK_INTRO, "\n".join(per_task)])
