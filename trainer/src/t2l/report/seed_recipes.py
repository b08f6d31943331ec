"""The recipes trained with several seeds, and which result documents hold each seed's scores.

A seed's T2L and its own multi-task LoRA (the LoRA trained with the same seed) may sit in one
evaluation or in two: a hypernetwork recipe trained after the LoRAs were scored is evaluated
alone and paired with the LoRA's earlier document on the same items.
"""

from __future__ import annotations

from dataclasses import dataclass

# The seeds every recipe below was trained with, seed 0 first.
SEEDS = (0, 1, 2, 3)


def plan_seed_stem(seed: int) -> str:
    """The evaluation that scored the first recipes (sft-smollm2.yaml stopped at step 250 of
    its 4000-step plan, lora-smollm2-multitask.yaml) trained with `seed`: their T2L and their
    multi-task LoRA, which every T2L recipe of that seed is paired with."""
    return f"eval_heldout_seed{seed}"


SEED_EVALUATIONS = tuple(plan_seed_stem(seed) for seed in SEEDS)


@dataclass(frozen=True)
class SeedRecipe:
    """A hypernetwork recipe's seeds, each with T2L's evaluation and its own multi-task LoRA's."""

    key: str  # in quality_bar.json; its criteria are named t2l_vs_<reference>_<key>
    config: str  # the T2L recipe's file in trainer/configs
    scope: str  # its rows in the bar: "T2L vs <reference> (<scope>)"
    counted_scope: str  # the same with the seeds counted, "{n}": in quality_bar.json's labels
    what: str  # the bar's note: what was trained
    sources: str  # where its evaluations are, for "not measured"
    runs: dict[int, tuple[str, str]]  # seed -> (T2L's evaluation stem, its LoRA's)

    @property
    def suffix(self) -> str:
        return f"_{self.key}"


PLAN_RECIPE = SeedRecipe(
    key="seed_mean",
    config="sft-smollm2.yaml",
    scope="held-out avg, 4000-step plan stopped at 250, mean over its training seeds",
    counted_scope="held-out avg, 4000-step plan stopped at 250, mean over {n} training seeds",
    what="the first SFT recipe (sft-smollm2.yaml, stopped at step 250 of its 4000-step plan) and "
         "the multi-task LoRA's, trained with {n} seeds (only the seed changed), each seed's "
         "pair scored on the headline's items",
    sources="eval_heldout_seed*.json",
    runs={seed: (plan_seed_stem(seed),) * 2 for seed in SEEDS})
# sft-smollm2.yaml plans 4000 steps and is stopped at 250, still at its peak learning rate;
# sft-smollm2-250.yaml sizes the same schedule to the 250 steps. The default bundle's teacher is
# its seed 3, chosen by dev loss (bundles/README.md).
SCHEDULE_250_RECIPE = SeedRecipe(
    key="sft_250_seed_mean",
    config="sft-smollm2-250.yaml",
    scope="held-out avg, schedule sized to 250 steps, mean over its training seeds",
    counted_scope="held-out avg, schedule sized to 250 steps, mean over {n} training seeds",
    what="the SFT recipe with its learning-rate schedule sized to the 250 steps it trains "
         "(sft-smollm2-250.yaml), trained with {n} seeds, each beside the multi-task LoRA of "
         "its seed on the headline's items",
    sources="eval_heldout_sft_250_seed*.json",
    runs={seed: (f"eval_heldout_sft_250_seed{seed}", plan_seed_stem(seed)) for seed in SEEDS})
SEED_RECIPES = (PLAN_RECIPE, SCHEDULE_250_RECIPE)
