"""Dev loss over training seeds, recipe by recipe, and the schedule-sized SFT recipe's held-out
gain (`t2l results`, section "Recipes over training seeds").

`t2l calibrate-scale` scores every trained adapter on the development tasks at a range of
output scales and keeps the lowest loss; that loss is the selection metric the bundle is chosen
by, measured without touching a held-out item. Laid out by seed it shows how much a recipe's
result depends on its seed: the spread over seeds of one recipe is the noise any change to it
has to beat.
"""

from __future__ import annotations

from statistics import fmean, stdev

from t2l.report.output_scale_table import is_output_scale
from t2l.report.quality_tables import points, with_interval
from t2l.report.seed_recipes import SEEDS

# recipe -> its output_scale document stem by seed.
DEV_LOSS_RECIPES = {
    "T2L, sft-smollm2.yaml (4000-step schedule, stopped at step 250)": {
        seed: f"output_scale_sft_seed{seed}" for seed in SEEDS},
    "T2L, sft-smollm2-250.yaml (the same schedule sized to 250 steps)": {
        seed: f"output_scale_sft_250_seed{seed}" for seed in SEEDS},
    "T2L, sft-smollm2-500.yaml (the same schedule sized to 500 steps)": {
        seed: f"output_scale_sft_500_seed{seed}" for seed in SEEDS},
    "multi-task LoRA, lora-smollm2-multitask.yaml (250-step schedule)": {
        seed: "output_scale_multitask" if seed == 0 else f"output_scale_multitask_seed{seed}"
        for seed in SEEDS},
}
MIN_SEEDS = 2


def chosen(document: dict) -> tuple[float, float]:
    """(dev loss at the chosen scale, the scale)."""
    return document["dev_loss"][document["scales"].index(document["scale"])], document["scale"]


def recipe_dev_losses(documents: dict[str, dict]) -> dict[str, dict[int, tuple[float, float]]]:
    """recipe -> seed -> (dev loss, scale) for every recipe with at least MIN_SEEDS seeds
    calibrated."""
    found = {}
    for recipe, stems in DEV_LOSS_RECIPES.items():
        seeds = {seed: chosen(documents[stem]) for seed, stem in stems.items()
                 if stem in documents and is_output_scale(documents[stem])}
        if len(seeds) >= MIN_SEEDS:
            found[recipe] = seeds
    return found


def lowest_seed(seeds: dict[int, tuple[float, float]]) -> int:
    """The seed with the least dev loss: the one a bundle is chosen as."""
    return min(seeds, key=lambda seed: seeds[seed][0])


def gain_sentence(gain: dict) -> str:
    """seed_mean_margins.recipe_gain's result in words."""
    per_seed = ", ".join(f"{points(margin)} (seed {seed})"
                         for seed, margin in gain["per_seed_margin_points"].items())
    return (f"Held-out accuracy on the headline's items, T2L from {gain['recipe']} minus T2L "
            f"from {gain['baseline']} trained with the same seed (both dev-calibrated, "
            f"{gain['tasks']} tasks): {per_seed}; mean "
            f"{with_interval(gain['margin_points'], gain['margin_ci95_points'])} points over "
            f"{len(gain['per_seed_margin_points'])} seeds ([low, high]: 95% bootstrap over "
            f"items and seeds crossed).")


def seed_dev_loss_section(documents: dict[str, dict], gain: dict | None = None) -> str | None:
    """The section, with `gain` (seed_mean_margins.recipe_gain of the schedule-sized recipe)
    in words, or None when no recipe has MIN_SEEDS seeds calibrated."""
    recipes = recipe_dev_losses(documents)
    if not recipes:
        return None
    header = " | ".join(f"seed {seed}" for seed in SEEDS)
    rows = [f"| recipe | {header} | mean | sd | lowest |",
            "|---|" + "---:|" * (len(SEEDS) + 3)]
    for recipe, seeds in recipes.items():
        cells = " | ".join(f"{seeds[s][0]:.3f} (s {seeds[s][1]:g})" if s in seeds else "—"
                           for s in SEEDS)
        losses = [loss for loss, _ in seeds.values()]
        rows.append(f"| {recipe} | {cells} | {fmean(losses):.3f} | {stdev(losses):.3f} "
                    f"| seed {lowest_seed(seeds)} |")
    intro = ("Completion loss (nats/token) on the development tasks at each adapter's "
             "dev-calibrated output scale s (`t2l calibrate-scale`, the bundle's selection "
             "metric; no held-out item is used), by training seed. The standard deviation over "
             "seeds is what a retrain alone moves a recipe by. The headline (`eval_heldout.json`) "
             "is chosen by this table alone: the default teacher is the lowest seed of the T2L "
             "recipe with the lower mean (a recipe is chosen on its mean, which one lucky seed "
             "moves less), the multi-task LoRA its recipe's lowest seed.")
    sources = ", ".join(f"`{stem}.json`" for stems in DEV_LOSS_RECIPES.values()
                        for stem in stems.values() if stem in documents)
    parts = ["## Recipes over training seeds", intro, f"Sources: {sources}.", "\n".join(rows)]
    if gain is not None:
        parts.append(gain_sentence(gain))
    return "\n\n".join(parts)
