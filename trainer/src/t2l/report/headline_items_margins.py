"""Every hypernetwork scored on the headline's items, against one set of baselines (`t2l
results`, section "Every hypernetwork on the headline's items").

The bar's rows are one hypernetwork's: one document (eval_heldout) scores the default teacher
beside the multi-task LoRA and base + description. Variants scored later on the same items
(fine-tunes, the reconstruction hypernetwork, calibrated or not) did not score the baselines
again, so their description-gap rows say nothing of the bar. Here each variant's T2L is paired
item by item with the baselines of BASELINES, the first recipes' seed 0 (the headline before the
default teacher changed), which every variant was tried against, wherever the two documents
scored the same items: the same number, under the same drawn descriptions and the config runs
must share to merge (`t2l.eval.merge.SHARED_CONFIG`: seed, base model, decoding budget...), on
the same kind of device (where both say: older runs recorded only the flag, which may read
"auto"), and under the spec BASELINES recorded for the task (its tasks other than PIQA were
scored before specs were recorded, so for those the item count and descriptions must do; PIQA's
protocol changed since, and its spec tells). A variant is a row only when every task pairs, so
its average is over the bar's tasks. The rows report what was tried; picking the best of them
would be choosing on the test items.
"""

from __future__ import annotations

from t2l.eval.merge import SHARED_CONFIG, task_spec
from t2l.report.quality_bar import GAP_VARIANTS, REFERENCES, is_smoke, margin_criterion
from t2l.report.quality_tables import score
from t2l.report.same_data_margins import reference_cells
from t2l.report.seed_recipes import plan_seed_stem

BASELINES = plan_seed_stem(0)


def same_items(document: dict, baselines: dict, task: str) -> bool:
    """Whether `document` scored `task` on the headline's items (see the module's docstring)."""
    run, reference = document["run"], baselines["run"]
    reference_spec = task_spec(baselines, task)
    drawn = (reference.get("descriptions") or {}).get(task)  # None: not recorded, not known
    return (task in document["tasks"]
            and run["items_per_task"].get(task) == reference["items_per_task"][task]
            and drawn is not None and (run.get("descriptions") or {}).get(task) == drawn
            and (reference_spec is None or task_spec(document, task) == reference_spec))


def device_kind(document: dict) -> str:
    """cpu, cuda, ... or auto where the run predates recording what --device resolved to."""
    device = document["run"].get("device") or document["config"].get("device") or "auto"
    return str(device).split(":")[0]


def comparable(document: dict, baselines: dict) -> bool:
    # Kernels differ between devices: a GPU-scored variant does not pair with CPU baselines.
    devices = {device_kind(document), device_kind(baselines)} - {"auto"}
    return (document.get("base_model") == baselines.get("base_model")
            and len(devices) <= 1
            and all(document["config"].get(k) == baselines["config"].get(k)
                    for k in SHARED_CONFIG)
            and "t2l" in document["methods"]
            and all(same_items(document, baselines, t) for t in baselines["tasks"]))


def _paired_document(document: dict, baselines: dict) -> dict:
    """The variant's T2L beside the baselines' methods, as one evaluation document."""
    rows = {"t2l": document["methods"]["t2l"]}
    rows.update({ref: baselines["methods"][ref] for ref, _ in REFERENCES
                 if ref in baselines["methods"]})
    return {"tasks": baselines["tasks"], "methods": rows}


def headline_items_margins(evaluations: dict[str, dict]) -> dict[str, dict]:
    """stem -> its label, run label and T2L's margins over each of BASELINES' baselines, for
    every GAP_VARIANTS document that scored all of its items (BASELINES itself among them)."""
    baselines = evaluations.get(BASELINES)
    if baselines is None or is_smoke(baselines):
        return {}
    margins = {}
    for stem, (_, label) in GAP_VARIANTS.items():
        document = evaluations.get(stem)
        if document is None or is_smoke(document) or not comparable(document, baselines):
            continue
        paired = _paired_document(document, baselines)
        found = {ref: margin_criterion(paired, ref, goal, label) for ref, goal in REFERENCES}
        if found["multitask_lora"] is not None:
            margins[stem] = {"label": label,
                             "run_label": (document.get("run") or {}).get("label"), **found}
    return margins


def headline_items_section(margins: dict[str, dict]) -> str:
    rows = ["| hypernetwork | tasks | T2L | T2L − multi-task LoRA | T2L − base + description |",
            "|---|---:|---:|---:|---:|"]
    for row in margins.values():
        lora = row["multitask_lora"]
        lora_margin, described_margin = (reference_cells(row[ref])[1] for ref, _ in REFERENCES)
        rows.append(f"| {row['label']} | {lora['tasks']} | {score(lora['t2l'])} | {lora_margin} "
                    f"| {described_margin} |")
    first = next(iter(margins.values()))
    baselines = " and ".join(
        f"{name} ({reference_cells(first[ref])[0]})"
        for (ref, _), name in zip(REFERENCES, ("multi-task LoRA", "base + description"),
                                  strict=True))
    goals = " and ".join(f"≥ {goal:+.1f}" for _, goal in REFERENCES)
    intro = (
        f"Every hypernetwork scored on the items of `{BASELINES}.json` (the first recipes' "
        "seed 0, scored beside every method; the headline's items), against that document's "
        f"{baselines}, paired item by item. The bar's goals: {goals} points. Each row reports "
        "a variant tried; the bar itself is judged on the default teacher (`eval_heldout.json`, "
        "its teacher and multi-task LoRA each chosen by dev loss), since choosing the best row "
        "here would be choosing on the test items. "
        "Margins in points, [low, high]: 95% paired bootstrap over items within each task.")
    return "\n\n".join(["## Every hypernetwork on the headline's items", intro, "\n".join(rows)])
