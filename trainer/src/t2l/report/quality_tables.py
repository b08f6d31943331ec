"""Markdown for the quality bar and the matched-vs-mismatched description gaps."""

from __future__ import annotations

from t2l.report.quality_bar import (
    BAR_EVALUATIONS,
    GOAL_RECONSTRUCTION_RATIO,
    REFERENCE_NAMES,
    REFERENCES,
)
from t2l.report.seed_recipes import SEED_RECIPES

# Every criterion of the bar, shown even when unmeasured so a missing one is visible: the
# margins on each document of BAR_EVALUATIONS, their means over each recipe's training seeds,
# then reconstruction.
SCOPES = (*((suffix, scope, f"{stem}.json")
            for stem, (suffix, scope, _) in BAR_EVALUATIONS.items()),
          *((recipe.suffix, recipe.scope, recipe.sources) for recipe in SEED_RECIPES))
CRITERIA = (
    *((f"t2l_vs_{reference}{suffix}", f"T2L vs {REFERENCE_NAMES[reference]} ({scope})",
       f"≥ {goal:+.1f} pts", source)
      for suffix, scope, source in SCOPES for reference, goal in REFERENCES),
    ("reconstruction_over_oracle", "reconstruction T2L / oracle LoRAs (oracles' own tasks)",
     f"≥ {GOAL_RECONSTRUCTION_RATIO}×", "reconstruction.json"),
)


def score(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.1f}"


def points(value: float) -> str:
    return f"{value:+.1f}"


def with_interval(value: float, interval: list | None) -> str:
    """`+3.4` and, when item scores allowed one, its 95% bootstrap interval."""
    if interval is None:
        return points(value)
    return f"{points(value)} [{points(interval[0])}, {points(interval[1])}]"


def _measured(criterion: dict) -> str:
    if "ratio" in criterion:
        return f"{criterion['ratio']:.3f}×"
    return f"{with_interval(criterion['margin_points'], criterion.get('margin_ci95_points'))} pts"


def _seed_note(what: str, criterion: dict) -> str:
    per_seed = ", ".join(f"{points(margin)} (`{stem}`)"
                         for stem, margin in criterion["per_seed_margin_points"].items())
    return (f"- {criterion['label']}: {what.format(n=len(criterion['seeds']))}, base + "
            f"description the headline's; T2L − multi-task LoRA by seed: {per_seed}")


def quality_bar_section(bar: dict) -> str:
    by_name = {c["name"]: c for c in bar["criteria"]}
    rows = ["| criterion | T2L | reference | tasks | measured | goal | |",
            "|---|---:|---:|---:|---:|---|---|"]
    for name, label, goal, source in CRITERIA:
        c = by_name.get(name)
        if c is None:
            rows.append(f"| {label} | — | — | — | not measured (no non-smoke `{source}` that "
                        f"scores it) | {goal} | — |")
            continue
        verdict = "met" if c["met"] else "**missed**"
        rows.append(f"| {label} | {score(c['t2l'])} | {score(c['reference'])} "
                    f"(`{c['reference_method']}`) | {c['tasks']} | {_measured(c)} | {goal} "
                    f"| {verdict} |")
    sources = bar["sources"]
    notes = [f"- {title}: **{sources.get(stem) or 'none'}**"
             for stem, (_, _, title) in BAR_EVALUATIONS.items()
             if sources.get(stem) or stem == "eval_heldout"]
    if sources.get("reconstruction"):
        recon = sources["reconstruction"]
        notes.append(f"- reconstruction: `{recon.get('eval')}` (**{recon.get('run_label')}**)")
    for recipe in SEED_RECIPES:
        if seed_mean := by_name.get(f"t2l_vs_multitask_lora{recipe.suffix}"):
            notes.append(_seed_note(recipe.what, seed_mean))
    notes.append("- averages compared over the tasks both methods were scored on; "
                 "points are percentage points; [low, high]: 95% interval of a paired bootstrap "
                 "over the evaluation items within each task (`t2l.report.bootstrap`); a mean "
                 "over seeds resamples the seeds too, crossed with the items (with a handful "
                 "of seeds, a floor on its uncertainty)")
    return "\n\n".join(["## Quality bar (issue #4)", "\n".join(notes), "\n".join(rows)])


def description_gap_section(bar: dict) -> str:
    gaps = bar["description_gaps"]
    header = ("| variant | tasks | matched (`t2l`) | other tasks' descriptions | random strings "
              "| matched − other | matched − random |")
    rows = [header, "|---|---:|---:|---:|---:|---:|---:|"]
    for gap in gaps.values():
        other, random = (with_interval(gap[f"gap_{k}_points"], gap.get(f"gap_{k}_ci95_points"))
                         for k in ("other", "random"))
        rows.append(f"| {gap['label']} | {gap['tasks']} | {score(gap['t2l'])} "
                    f"| {score(gap['other'])} | {score(gap['random'])} | {other} | {random} |")
    # Long format, a row per task and variant: the table stays 7 columns wide however many
    # variants are compared.
    tasks = list(dict.fromkeys(t for gap in gaps.values() for t in gap["per_task"]))
    per_task = ["| task | variant | matched | other | random | Δ other | Δ random |",
                "|---|---|---:|---:|---:|---:|---:|"]
    for task in tasks:
        for gap in gaps.values():
            if (row := gap["per_task"].get(task)) is not None:
                per_task.append(
                    f"| {task} | {gap['label']} | {score(row['t2l'])} | {score(row['other'])} "
                    f"| {score(row['random'])} | {points(row['gap_other_points'])} "
                    f"| {points(row['gap_random_points'])} |")
    labels = [f"- {gap['label']}: **{gap['run_label']}**" for gap in gaps.values()]
    intro = ("Adapters generated from each held-out task's own descriptions (matched) against "
             "adapters from other tasks' descriptions and from random strings; a description "
             "that matters shows as a positive gap. Rows marked dev-calibrated act at the output "
             "scale chosen on the development tasks (`t2l calibrate-scale`), the others at the "
             "strength their hypernetwork was trained with. The first row is the default bundle's "
             "teacher (`sft-smollm2-250.yaml`, seed 3). The 4000-step plan rows are the recipe it "
             "replaced (`sft-smollm2.yaml`, stopped at step 250 of its 4000-step plan) trained "
             "with four seeds: how far a retrain alone moves the gaps. The fine-tunes (\"SFT, "
             "then ...\") start from its seed 0, the former teacher. The hinge variants train "
             "with an extra loss asking another task's description to fit each example worse by "
             "a margin (`--mismatch-weight`, `t2l.sft_tasks.mismatch_hinge`): from scratch, or "
             "as a fine-tune of the plain SFT hypernetwork (`--init-from`). The template variant "
             "fine-tunes it on T0's prompt templates as tasks of their own, each described by "
             "what it asks (`by_template`, `t2l.tasks.template_brief`). The arithmetic variant "
             "fine-tunes it the same way on the 33 T0 tasks plus six arithmetic word-problem "
             "tasks, whose descriptions lie near held-out gsm8k's. The mixed variant trains on "
             "both at once, drawing the 39 datasets evenly (`--balance-by dataset`), and keeps "
             "the checkpoint with the lowest loss on five development tasks that are neither "
             "trained on nor reported (`--keep-best dev_loss`); its dev-calibrated row is the same "
             "recipe run again from the 0.4.0 teacher and scored on the headline's items. The "
             "rule-task variants fine-tune it on its 33 tasks plus 35 text rules over plain "
             "sentences, whose inputs carry no instruction (`t2l.rule_tasks`), beside a control "
             "continued 120 steps on the 33 tasks alone. The reconstruction rows are a "
             "hypernetwork trained only to reproduce 9 oracle LoRAs (`gpu_recon.py`), and the "
             "plain SFT recipe and budget started from its weights instead of random ones "
             "(`sft-smollm2-from-recon.yaml`). Each row's run says how many items it "
             "scored: compare variants on the same items, the plain SFT row on the variants' 20 "
             "items with the rows below it.")
    return "\n\n".join(["## Matched vs mismatched descriptions", intro, "\n".join(labels),
                        "\n".join(rows), "Per task (scores in %, gaps in points):",
                        "\n".join(per_task)])
