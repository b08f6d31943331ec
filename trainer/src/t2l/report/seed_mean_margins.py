"""The bar's margins as a mean over training seeds of a recipe (`t2l results`, rows of the
quality bar).

One training run's margin mixes the recipe with that run's luck: retrained with only the seed
changed, the headline's T2L − multi-task LoRA moves by about as much as its item interval is
wide. The recipe's margin is the mean over its seeds. Every seed is scored on the headline's
items (`headline_items_margins.comparable`), so the interval resamples items and seeds crossed
(`bootstrap.seed_margin_interval`). The multi-task LoRA is trained, so each seed is compared
with its own; base + description is not, so seed 0's scores (BASELINES) serve every seed.
"""

from __future__ import annotations

import statistics

from t2l.eval.methods import UNTRAINED_METHODS
from t2l.report.bootstrap import seed_margin_interval
from t2l.report.headline_items_margins import BASELINES, comparable
from t2l.report.quality_bar import REFERENCE_NAMES, REFERENCES, as_points, is_smoke
from t2l.report.seed_recipes import PLAN_RECIPE, SEED_RECIPES, SeedRecipe

MIN_SEEDS = 2


def seed_documents(evaluations: dict[str, dict], recipe: SeedRecipe = PLAN_RECIPE
                   ) -> dict[str, tuple[dict, dict]]:
    """T2L's stem -> (its document, its own multi-task LoRA's) for every seed of `recipe` whose
    two are present, measured and scored on the headline's items, in the recipe's order."""
    baselines = evaluations.get(BASELINES)
    if baselines is None or is_smoke(baselines):
        return {}

    def usable(stem: str, method: str) -> dict | None:
        document = evaluations.get(stem)
        if (document is None or is_smoke(document) or method not in document["methods"]
                or not comparable(document, baselines)):
            return None
        return document

    found = {}
    for t2l_stem, lora_stem in recipe.runs.values():
        t2l, lora = usable(t2l_stem, "t2l"), usable(lora_stem, "multitask_lora")
        if t2l is not None and lora is not None:
            found[t2l_stem] = (t2l, lora)
    return found


def _task_mean(row: dict, tasks: list[str]) -> float:
    return statistics.fmean(row["per_task"][t] for t in tasks)


def mean_margin(pairs: dict[str, tuple[dict, dict]], tasks: list[str]) -> dict | None:
    """Seed -> (method's row, reference's row), both on the same items: the two methods' means
    over seeds and over the tasks every row scored, the margin in points with its crossed
    interval, and each seed's margin; None when no task was scored by every row."""
    tasks = [t for t in tasks
             if all(row["per_task"].get(t) is not None for pair in pairs.values() for row in pair)]
    if not tasks:
        return None
    method = statistics.fmean(_task_mean(a, tasks) for a, _ in pairs.values())
    reference = statistics.fmean(_task_mean(b, tasks) for _, b in pairs.values())
    found = seed_margin_interval(
        [(a.get("per_item") or {}, b.get("per_item") or {}) for a, b in pairs.values()], tasks)
    return {"method": method, "reference": reference, "tasks": len(tasks),
            "margin_points": as_points(method - reference),
            "margin_ci95_points": None if found is None else list(found),
            "per_seed_margin_points": {
                seed: as_points(_task_mean(a, tasks) - _task_mean(b, tasks))
                for seed, (a, b) in pairs.items()}}


def seed_mean_criterion(documents: dict[str, tuple[dict, dict]], baselines: dict, reference: str,
                        goal_points: float, recipe: SeedRecipe = PLAN_RECIPE) -> dict | None:
    """T2L's margin over `reference` averaged over the seeds in `documents`, like
    quality_bar.margin_criterion's, with each seed's margin; None where a seed lacks it."""
    sources = {stem: baselines if reference in UNTRAINED_METHODS else lora
               for stem, (_, lora) in documents.items()}
    if any(reference not in source["methods"] for source in sources.values()):
        return None
    found = mean_margin({stem: (t2l["methods"]["t2l"], sources[stem]["methods"][reference])
                         for stem, (t2l, _) in documents.items()}, baselines["tasks"])
    if found is None:
        return None
    return {"name": f"t2l_vs_{reference}{recipe.suffix}", "recipe": recipe.key,
            "label": (f"T2L vs {REFERENCE_NAMES[reference]} "
                      f"({recipe.counted_scope.format(n=len(documents))})"),
            "t2l": found["method"], "reference": found["reference"],
            "reference_method": reference, "tasks": found["tasks"],
            "margin_points": found["margin_points"],
            "margin_ci95_points": found["margin_ci95_points"],
            "goal_margin_points": goal_points, "met": found["margin_points"] >= goal_points,
            "seeds": list(documents),
            "per_seed_margin_points": found["per_seed_margin_points"]}


def recipe_gain(evaluations: dict[str, dict], recipe: SeedRecipe,
                baseline: SeedRecipe = PLAN_RECIPE) -> dict | None:
    """`recipe`'s T2L minus `baseline`'s, seed by seed on the headline's items (mean_margin's
    fields, seeds by number), over the seeds both have; None with fewer than MIN_SEEDS."""
    ours, theirs = seed_documents(evaluations, recipe), seed_documents(evaluations, baseline)
    pairs = {seed: (ours[recipe.runs[seed][0]][0]["methods"]["t2l"],
                    theirs[baseline.runs[seed][0]][0]["methods"]["t2l"])
             for seed in recipe.runs
             if seed in baseline.runs and recipe.runs[seed][0] in ours
             and baseline.runs[seed][0] in theirs}
    if len(pairs) < MIN_SEEDS:
        return None
    return {"recipe": recipe.config, "baseline": baseline.config,
            **mean_margin(pairs, evaluations[BASELINES]["tasks"])}


def seed_mean_criteria(evaluations: dict[str, dict]) -> list[dict]:
    """The bar's margins over each reference as means over each recipe's seeds, recipe by
    recipe (SEED_RECIPES), leaving out a recipe with fewer than MIN_SEEDS seeds."""
    criteria = []
    for recipe in SEED_RECIPES:
        documents = seed_documents(evaluations, recipe)
        if len(documents) < MIN_SEEDS:
            continue
        found = (seed_mean_criterion(documents, evaluations[BASELINES], reference, goal, recipe)
                 for reference, goal in REFERENCES)
        criteria += [criterion for criterion in found if criterion is not None]
    return criteria
