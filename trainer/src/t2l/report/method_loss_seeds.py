"""Held-out loss over the training seeds of the first recipes (`t2l results`, section
"Held-out loss over the first recipes' training seeds").

Each seed's `t2l eval-loss` document scores its own retrained T2L and multi-task LoRA on the same
examples, so each method's excess over T2L is averaged over the seeds with an interval that
resamples examples and seeds crossed (`bootstrap.seed_margin_interval`). The base model, with or
without the description, is not trained: seed 0's losses serve every seed, as in the
quality bar's seed means.
"""

from __future__ import annotations

from statistics import fmean

from t2l.eval.methods import UNTRAINED_METHODS
from t2l.report.bootstrap import seed_margin_interval
from t2l.report.method_loss_table import METHOD_LOSS_STEM, is_method_loss
from t2l.report.seed_recipes import SEEDS
from t2l.report.tables import METHOD_LABELS

SEED_LOSS_DOCUMENTS = {f"{METHOD_LOSS_STEM}_seed{seed}": seed for seed in SEEDS}
FIRST_SEED = next(iter(SEED_LOSS_DOCUMENTS))  # its untrained methods' losses serve every seed
# What must agree for two documents to have scored the same examples the same way.
SAME_EXAMPLES = ("heldout_tasks", "heldout_task_args", "descriptions_per_task", "max_length",
                 "seed")
REFERENCE = "t2l"
MIN_SEEDS = 2


def _same_examples(document: dict, first: dict) -> bool:
    return (document.get("base_model") == first.get("base_model")
            and document["tasks"] == first["tasks"]
            and all(document["config"].get(k) == first["config"].get(k)
                    for k in SAME_EXAMPLES))


def seed_loss_documents(documents: dict[str, dict]) -> dict[str, dict]:
    """stem -> document for every seed of SEED_LOSS_DOCUMENTS present that scored seed 0's
    examples, seed 0 first; empty without seed 0."""
    first = documents.get(FIRST_SEED)
    if first is None or not is_method_loss(first):
        return {}
    return {stem: document for stem in SEED_LOSS_DOCUMENTS
            if (document := documents.get(stem)) is not None and is_method_loss(document)
            and _same_examples(document, first)}


def _losses(document: dict, method: str) -> dict[str, list[float]]:
    return {task: document["per_task"][task][method] for task in document["tasks"]}


def seed_excess(seeds: dict[str, dict], method: str) -> dict | None:
    """`method`'s excess loss over T2L by seed and averaged over them (nats/token), or None
    with fewer than MIN_SEEDS scoring it."""
    first = seeds[FIRST_SEED]
    pairs = {}
    for stem, document in seeds.items():
        source = first if method in UNTRAINED_METHODS else document
        if method in source["mean_loss"] and REFERENCE in document["mean_loss"]:
            pairs[stem] = (_losses(source, method), _losses(document, REFERENCE))
    if len(pairs) < MIN_SEEDS:
        return None
    tasks = first["tasks"]
    by_seed = {stem: fmean(fmean(a[t]) - fmean(b[t]) for t in tasks)
               for stem, (a, b) in pairs.items()}
    interval = seed_margin_interval(list(pairs.values()), tasks, scale=1.0)
    return {"by_seed": by_seed, "mean": fmean(by_seed.values()),
            "ci95": None if interval is None else list(interval)}


def method_loss_seeds_section(documents: dict[str, dict]) -> str | None:
    """The section, or None with fewer than MIN_SEEDS seeds of seed 0's examples."""
    seeds = seed_loss_documents(documents)
    if len(seeds) < MIN_SEEDS:
        return None
    methods = dict.fromkeys(m for d in seeds.values() for m in d["mean_loss"] if m != REFERENCE)
    header = " | ".join(f"seed {SEED_LOSS_DOCUMENTS[stem]}" for stem in seeds)
    rows = [f"| method | {header} | mean over seeds |", "|---|" + "---:|" * (len(seeds) + 1)]
    for method in methods:
        if (excess := seed_excess(seeds, method)) is None:
            continue
        cells = " | ".join(f"{excess['by_seed'][stem]:+.4f}" if stem in excess["by_seed"]
                           else "—" for stem in seeds)
        interval = excess["ci95"]
        mean = f"{excess['mean']:+.4f}" + (
            "" if interval is None else f" [{interval[0]:+.4f}, {interval[1]:+.4f}]")
        rows.append(f"| {METHOD_LABELS.get(method, method)} (`{method}`) | {cells} | {mean} |")
    intro = (
        "Each method's held-out loss minus T2L's (nats/token; positive: T2L's adapters make the "
        "references likelier), for the first recipes (`sft-smollm2.yaml` stopped at step 250 "
        "of its 4000-step plan, and the multi-task LoRA's) trained with each seed (only the "
        "seed changed) and scored on the same examples: "
        + ", ".join(f"seed {SEED_LOSS_DOCUMENTS[stem]} `{stem}.json`" for stem in seeds)
        + ". Each seed's multi-task LoRA and T2L controls are its own; the base model's "
        "losses, untrained, are seed 0's. The mean is over the seeds that scored the "
        "method; [low, high]: 95% bootstrap resampling examples within each task and seeds, "
        "crossed (with a handful of seeds, a floor on the uncertainty).")
    return "\n\n".join(["## Held-out loss over the first recipes' training seeds", intro,
                        "\n".join(rows)])
