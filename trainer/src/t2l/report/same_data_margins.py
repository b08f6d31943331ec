"""T2L against baselines trained on the same data (`t2l results`, section "Same training data").

A fine-tune that adds tasks (the rule tasks) or steps can lift held-out scores by what that
data teaches any adapter, answer formats say, without the description doing anything. Its fair
baseline is a multi-task LoRA given the same data and steps, so each of these documents is one
merged evaluation (`t2l merge-evals`) of a hypernetwork, the multi-task LoRA trained like it
and, where scored, the base model, all on the same items and at trained strength. The
headline (both methods dev-calibrated) and its recipes trained again with another seed open the
table: the margin that a retrain alone moves is the yardstick for every variant's.
"""

from __future__ import annotations

import statistics

from t2l.report.quality_bar import REFERENCES, is_smoke, margin_criterion
from t2l.report.quality_tables import points, score, with_interval
from t2l.report.seed_recipes import SEED_EVALUATIONS, SEEDS, plan_seed_stem

# document stem -> what its hypernetwork and its multi-task LoRA were trained on, in table order.
SAME_DATA_EVALUATIONS = {
    "eval_heldout": (
        "33 T0 tasks, the headline: the default teacher (schedule sized to 250 steps, seed 3) "
        "and the multi-task LoRA of seed 1, each its recipe's lowest dev loss, dev-calibrated"),
    **{plan_seed_stem(seed): (
        f"33 T0 tasks, seed {seed}: the first SFT recipe (4000-step plan stopped at 250) and "
        "the multi-task LoRA's, only the seed changed, dev-calibrated") for seed in SEEDS},
    "eval_heldout_continued_merged": (
        "33 T0 tasks: the SFT teacher continued 120 steps (the rule tasks' control); the "
        "multi-task LoRA as trained"),
    "eval_heldout_rules600_merged": (
        "33 T0 tasks + 35 rule tasks: the SFT teacher and the multi-task LoRA each continued "
        "600 steps drawn per task"),
    "eval_heldout_h200_step250": (
        "33 T0 tasks on one H200: T2L and the multi-task LoRA at step 250 of one run each"),
    "eval_heldout_h200_step1000": (
        "33 T0 tasks on one H200: the same runs at step 1000"),
}


def same_data_margins(evaluations: dict[str, dict]) -> dict[str, dict]:
    """stem -> its label, run label and T2L's margins over each reference (None where it was not
    scored), for every document of SAME_DATA_EVALUATIONS present, measured and scoring T2L and
    the multi-task LoRA."""
    margins = {}
    for stem, label in SAME_DATA_EVALUATIONS.items():
        document = evaluations.get(stem)
        if document is None or is_smoke(document):
            continue
        found = {reference: margin_criterion(document, reference, goal, label)
                 for reference, goal in REFERENCES}
        if found["multitask_lora"] is not None:  # the point of the table; the base may be absent
            margins[stem] = {"label": label,
                             "run_label": (document.get("run") or {}).get("label"),
                             **found}
    return margins


def reference_cells(row: dict | None) -> tuple[str, str]:
    """The reference's score and T2L's margin over it, or dashes where it was not scored."""
    if row is None:
        return "—", "—"
    return score(row["reference"]), with_interval(row["margin_points"], row["margin_ci95_points"])


def seed_spread(margins: dict[str, dict]) -> str | None:
    """A sentence on T2L − multi-task LoRA over the seeds of the first recipes present, or
    None with fewer than two."""
    found = [margins[stem]["multitask_lora"]["margin_points"]
             for stem in SEED_EVALUATIONS if stem in margins]
    if len(found) < 2:
        return None
    return (f"Over the {len(found)} seeds of the first recipes, T2L − multi-task LoRA "
            f"averages {points(statistics.fmean(found))} points (standard deviation "
            f"{statistics.stdev(found):.1f}, from {points(min(found))} to "
            f"{points(max(found))}).")


def same_data_section(margins: dict[str, dict]) -> str:
    rows = ["| trained on | tasks | T2L | multi-task LoRA | base + description | T2L − LoRA "
            "| T2L − base + description |", "|---|---:|---:|---:|---:|---:|---:|"]
    for row in margins.values():
        lora = row["multitask_lora"]
        (lora_score, lora_margin), (described_score, described_margin) = (
            reference_cells(row[reference]) for reference, _ in REFERENCES)
        rows.append(f"| {row['label']} | {lora['tasks']} | {score(lora['t2l'])} | {lora_score} "
                    f"| {described_score} | {lora_margin} | {described_margin} |")
    intro = ("Held-out scores (%) of hypernetworks, each beside a multi-task LoRA given the "
             "same tasks and steps (and base + description where scored) on the same items, "
             "both at trained strength unless the row says dev-calibrated, so a gain that any "
             "adapter gets from the data, added tasks or more steps, shows in both columns. The "
             "seeds of the first recipes show how far a retrain alone moves the margin, "
             "which the intervals (item sampling only) leave out. Margins in points, "
             "[low, high]: 95% paired bootstrap over items within each task.")
    sources = [f"- {row['label']}: **{row['run_label']}**" for row in margins.values()]
    parts = ["## Same training data: T2L against its baselines", intro, "\n".join(sources),
             "\n".join(rows)]
    if spread := seed_spread(margins):
        parts.append(spread)
    return "\n\n".join(parts)
