"""The bar's margins as a mean over training seeds of the headline's recipes (`t2l results`,
rows of the quality bar).

One training run's margin mixes the recipe with that run's luck: retrained with only the seed
changed, the headline's T2L − multi-task LoRA moves by about as much as its item interval is
wide. The recipe's margin is the mean over its seeds. Every seed is scored on the headline's
items (`headline_items_margins.comparable`), so the interval resamples items and seeds crossed
(`bootstrap.seed_margin_interval`). The multi-task LoRA is trained, so each seed is compared
with its own; base + description is not, so the headline's scores serve every seed.
"""

from __future__ import annotations

import statistics

from t2l.eval.methods import UNTRAINED_METHODS
from t2l.report.bootstrap import seed_margin_interval
from t2l.report.headline_items_margins import HEADLINE, comparable
from t2l.report.quality_bar import (
    REFERENCE_NAMES,
    REFERENCES,
    SEED_MEAN_SUFFIX,
    as_points,
    is_smoke,
)
from t2l.report.same_data_margins import SEED_EVALUATIONS

MIN_SEEDS = 2


def seed_documents(evaluations: dict[str, dict]) -> dict[str, dict]:
    """stem -> document for every seed of SEED_EVALUATIONS present, measured, scored on the
    headline's items and scoring T2L beside its own multi-task LoRA, in SEED_EVALUATIONS' order."""
    headline = evaluations.get(HEADLINE)
    if headline is None or is_smoke(headline):
        return {}
    found = {}
    for stem in SEED_EVALUATIONS:
        document = evaluations.get(stem)
        if (document is not None and not is_smoke(document)
                and "multitask_lora" in document["methods"] and comparable(document, headline)):
            found[stem] = document
    return found


def _task_mean(row: dict, tasks: list[str]) -> float:
    return statistics.fmean(row["per_task"][t] for t in tasks)


def seed_mean_criterion(documents: dict[str, dict], headline: dict, reference: str,
                        goal_points: float) -> dict | None:
    """T2L's margin over `reference` averaged over the seeds in `documents`, like
    quality_bar.margin_criterion's, with each seed's margin; None where a seed lacks it."""
    sources = [headline if reference in UNTRAINED_METHODS else document
               for document in documents.values()]
    if any(reference not in source["methods"] for source in sources):
        return None
    pairs = [(document["methods"]["t2l"], source["methods"][reference])
             for document, source in zip(documents.values(), sources, strict=True)]
    tasks = [t for t in headline["tasks"]
             if all(row["per_task"].get(t) is not None for pair in pairs for row in pair)]
    if not tasks:
        return None
    t2l = statistics.fmean(_task_mean(a, tasks) for a, _ in pairs)
    reference_score = statistics.fmean(_task_mean(b, tasks) for _, b in pairs)
    margin = as_points(t2l - reference_score)
    found = seed_margin_interval(
        [(a.get("per_item") or {}, b.get("per_item") or {}) for a, b in pairs], tasks)
    return {"name": f"t2l_vs_{reference}{SEED_MEAN_SUFFIX}",
            "label": (f"T2L vs {REFERENCE_NAMES[reference]} (held-out avg, mean over "
                      f"{len(pairs)} training seeds)"),
            "t2l": t2l, "reference": reference_score, "reference_method": reference,
            "tasks": len(tasks), "margin_points": margin,
            "margin_ci95_points": None if found is None else list(found),
            "goal_margin_points": goal_points, "met": margin >= goal_points,
            "seeds": list(documents),
            "per_seed_margin_points": {
                stem: as_points(_task_mean(a, tasks) - _task_mean(b, tasks))
                for stem, (a, b) in zip(documents, pairs, strict=True)}}


def seed_mean_criteria(evaluations: dict[str, dict]) -> list[dict]:
    """The bar's margins over each reference as means over the headline's seeds, or none with
    fewer than MIN_SEEDS of them."""
    documents = seed_documents(evaluations)
    if len(documents) < MIN_SEEDS:
        return []
    headline = evaluations[HEADLINE]
    found = (seed_mean_criterion(documents, headline, reference, goal)
             for reference, goal in REFERENCES)
    return [criterion for criterion in found if criterion is not None]
