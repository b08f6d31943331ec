"""Issue #4's quality bar and the matched-vs-mismatched description gaps, computed from the
result documents (`t2l results` writes them to `docs/results/quality_bar.json` for the README).

Averages that are compared are taken over the tasks every compared method was scored on, so a
method missing a task never wins or loses by it. Smoke runs measure nothing and are left out.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence

from t2l.report.bootstrap import margin_interval
from t2l.report.seed_recipes import SCHEDULE_250_RECIPE, SEEDS, plan_seed_stem

QUALITY_BAR_SCHEMA = "t2l.quality_bar/v1"
# The bar (issue #4): goals, not results.
GOAL_OVER_MULTITASK_POINTS = 0.0
GOAL_OVER_BASE_WITH_DESCRIPTION_POINTS = 10.0
GOAL_RECONSTRUCTION_RATIO = 0.95
# The bar's margins: T2L over each reference method, and the goal for each.
REFERENCES = (("multitask_lora", GOAL_OVER_MULTITASK_POINTS),
              ("base_with_description", GOAL_OVER_BASE_WITH_DESCRIPTION_POINTS))
# Documents that measure the bar's margins: stem -> (criterion name suffix, label scope, what the
# document is, for the notes). The headline's 100 items a task (the default bundle's teacher)
# and, merged from the runs that scored them (`t2l merge-evals`), the former teacher on each
# task's most items any run scored it on (its label says which tasks are whole).
BAR_EVALUATIONS = {
    "eval_heldout": ("", "held-out avg", "held-out evaluation"),
    "eval_heldout_every_item": ("_every_item", "held-out avg, former teacher (4000-step plan, "
                                "seed 0), each task on its most items scored",
                                "most items, the former teacher (4000-step plan, seed 0)"),
}
# What the bar's labels call each reference method.
REFERENCE_NAMES = {"multitask_lora": "multi-task LoRA",
                   "base_with_description": "base + description in prompt"}
CONTROLS = {"other": "t2l_other_descriptions", "random": "t2l_random_descriptions"}
# Evaluations whose T2L controls make a row of the description-gap table, in its order:
# document stem -> (key in quality_bar.json, label).
GAP_VARIANTS = {
    "eval_heldout": ("sft", "default teacher (SFT, schedule sized to 250 steps, seed 3), "
                     "dev-calibrated scale"),
    **{plan_seed_stem(seed): (f"sft_seed{seed}", f"plain SFT (4000-step plan stopped at 250), "
                              f"seed {seed}, dev-calibrated scale") for seed in SEEDS},
    "eval_heldout_every_item": ("sft_every_item", "plain SFT (4000-step plan, seed 0), "
                                "dev-calibrated scale, each task on its most items (gsm8k and "
                                "HumanEval 20)"),
    **{t2l_stem: (f"sft_250_seed{seed}", f"plain SFT with its schedule sized to 250 steps, seed "
                  f"{seed}, dev-calibrated scale")
       for seed, (t2l_stem, _) in SCHEDULE_250_RECIPE.runs.items()},
    "eval_heldout_dropout_seed0": ("dropout_seed0", "SFT sized to 250 steps with description "
                                   "dropout 0.25, seed 0, guidance 1 and scale chosen by dev "
                                   "loss"),
    "eval_heldout_dropout_seed0_guidance3": ("dropout_seed0_guidance3", "the same hypernetwork "
                                             "at guidance 3 (widest held-out loss gap), its "
                                             "dev-calibrated scale at that guidance"),
    "eval_heldout_uncalibrated": ("sft_uncalibrated", "plain SFT (4000-step plan, seed 0), "
                                  "trained strength"),
    "eval_heldout_small": ("student", "served distilled student, dev-calibrated scale"),
    "eval_heldout_mixed_calibrated": ("mixed_calibrated", "SFT, then templates plus arithmetic "
                                      "by dataset, kept by dev loss, dev-calibrated scale"),
    "eval_heldout_continued": ("continued", "SFT, then 120 more steps on its 33 tasks (the "
                               "rule tasks' control), trained strength"),
    "eval_heldout_rules600": ("rules600", "SFT, then 600 steps with rule tasks drawn per task, "
                              "trained strength"),
    "eval_heldout_h200_step1000": ("h200_step1000", "plain SFT trained on one H200 to step 1000, "
                                   "trained strength"),
    "eval_heldout_20": ("sft_20", "plain SFT (4000-step plan, seed 0) on the variants' 20 items "
                        "a task"),
    "eval_heldout_hinge": ("hinge", "SFT + mismatch hinge"),
    "eval_heldout_hinge_warm": ("hinge_warm", "SFT, then fine-tuned with the hinge"),
    "eval_heldout_templates": ("templates", "SFT, then fine-tuned on 276 template tasks"),
    "eval_heldout_math": ("math", "SFT, then fine-tuned with six arithmetic tasks added"),
    "eval_heldout_mixed": ("mixed", "SFT, then fine-tuned on templates plus arithmetic by "
                           "dataset, kept by dev loss"),
    "eval_heldout_mixed_final": ("mixed_final", "the same fine-tune's last step"),
    "eval_heldout_recon": ("recon", "T2L by reconstruction of 9 oracle LoRAs, trained strength"),
    "eval_heldout_recon_calibrated": ("recon_calibrated", "T2L by reconstruction of 9 oracle "
                                      "LoRAs, dev-calibrated scale"),
    "eval_heldout_sft_from_recon": ("sft_from_recon", "plain SFT started from the "
                                    "reconstruction hypernetwork, dev-calibrated scale"),
}
DIGITS = 4


def is_smoke(document: dict) -> bool:
    return "smoke" in str((document.get("run") or {}).get("label", "")).lower()


def paired(document: dict, methods: tuple[str, ...]) -> tuple[list[str], dict[str, float]] | None:
    """Tasks every method in `methods` scored, and each method's mean over them."""
    rows = document.get("methods") or {}
    if not all(m in rows for m in methods):
        return None
    tasks = [t for t in document["tasks"]
             if all(rows[m]["per_task"].get(t) is not None for m in methods)]
    if not tasks:
        return None
    return tasks, {m: statistics.fmean(rows[m]["per_task"][t] for t in tasks) for m in methods}


def as_points(value: float) -> float:
    return round(100 * value, DIGITS)


def margin_criterion(document: dict, reference: str, goal_points: float, label: str,
                     suffix: str = "") -> dict | None:
    found = paired(document, ("t2l", reference))
    if found is None:
        return None
    tasks, avg = found
    margin = as_points(avg["t2l"] - avg[reference])
    return {"name": f"t2l_vs_{reference}{suffix}", "label": label, "t2l": avg["t2l"],
            "reference": avg[reference], "reference_method": reference, "tasks": len(tasks),
            "margin_points": margin, "margin_ci95_points": interval(document, "t2l", reference,
                                                                    tasks),
            "goal_margin_points": goal_points, "met": margin >= goal_points}


def interval(document: dict, method: str, reference: str, tasks: list[str]) -> list | None:
    """The margin's 95% bootstrap interval in points (bootstrap.py); None without item scores."""
    rows = document["methods"]
    found = margin_interval(rows[method].get("per_item") or {},
                            rows[reference].get("per_item") or {}, tasks)
    return None if found is None else list(found)


def reconstruction_criterion(recon: dict) -> dict | None:
    ratio = recon.get("t2l_over_oracle")
    if ratio is None:
        return None
    return {"name": "reconstruction_over_oracle",
            "label": "reconstruction T2L / oracle LoRAs (oracles' own tasks)",
            "t2l": recon["t2l_avg"], "reference": recon["oracle_avg"],
            "reference_method": "oracle_lora", "tasks": len(recon.get("per_task") or {}),
            "ratio": ratio, "goal_ratio": GOAL_RECONSTRUCTION_RATIO,
            "met": ratio >= GOAL_RECONSTRUCTION_RATIO}


def description_gaps(document: dict) -> dict | None:
    """Matched descriptions against other tasks' descriptions and random strings, in points."""
    found = paired(document, ("t2l", *CONTROLS.values()))
    if found is None:
        return None
    tasks, avg = found
    rows = document["methods"]

    def gaps(scores: dict[str, float]) -> dict:
        return {"t2l": scores["t2l"], **{k: scores[m] for k, m in CONTROLS.items()},
                **{f"gap_{k}_points": as_points(scores["t2l"] - scores[m])
                   for k, m in CONTROLS.items()}}

    per_task = {t: gaps({m: rows[m]["per_task"][t] for m in ("t2l", *CONTROLS.values())})
                for t in tasks}
    intervals = {f"gap_{k}_ci95_points": interval(document, "t2l", m, tasks)
                 for k, m in CONTROLS.items()}
    return {**gaps(avg), **intervals, "tasks": len(tasks), "per_task": per_task,
            "run_label": (document.get("run") or {}).get("label")}


def quality_bar(evaluations: dict[str, dict], recon: dict | None,
                seed_criteria: Sequence[dict] = ()) -> dict | None:
    """`evaluations`: held-out evaluation documents by stem (each stem of BAR_EVALUATIONS
    present measures the bar's margins; every stem of GAP_VARIANTS present adds a row of
    description gaps). `seed_criteria`: the margins as means over each recipe's training
    seeds (seed_mean_margins, which needs this module), listed after the single runs'. None when no
    (non-smoke) input measures anything."""
    measured = {stem: d for stem, d in evaluations.items() if not is_smoke(d)}
    criteria = []
    for stem, (suffix, scope, _) in BAR_EVALUATIONS.items():
        if (document := measured.get(stem)) is None:
            continue
        criteria += [margin_criterion(document, reference, goal,
                                      f"T2L vs {REFERENCE_NAMES[reference]} ({scope})", suffix)
                     for reference, goal in REFERENCES]
    criteria += list(seed_criteria)
    if recon is not None:
        criteria.append(reconstruction_criterion(recon))
    gaps = {}
    for stem, (key, label) in GAP_VARIANTS.items():
        found = description_gaps(measured[stem]) if stem in measured else None
        if found is not None:
            gaps[key] = {"label": label, **found}
    document = {
        "schema": QUALITY_BAR_SCHEMA,
        "generated_by": "t2l results",
        "criteria": [c for c in criteria if c is not None],
        "description_gaps": gaps,
        "sources": {
            **{stem: (measured[stem].get("run") or {}).get("label") if stem in measured else None
               for stem in (*BAR_EVALUATIONS, *GAP_VARIANTS)},
            "reconstruction": recon and recon.get("source"),
            "seed_mean": {c["recipe"]: c["seeds"] for c in seed_criteria} or None,
        },
    }
    if not document["criteria"] and not document["description_gaps"]:
        return None
    return document
