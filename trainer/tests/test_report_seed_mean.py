"""The bar's margins as a mean over training seeds: which runs are seeds, the margins, the rows."""

import pytest
from report_fixtures import headline_document, variant_document

from t2l.report.quality_bar import quality_bar
from t2l.report.quality_tables import quality_bar_section
from t2l.report.seed_dev_loss_table import gain_sentence
from t2l.report.seed_mean_margins import recipe_gain, seed_documents, seed_mean_criteria
from t2l.report.seed_recipes import SCHEDULE_250_RECIPE

# Seed 0 of the first recipes holds the baselines every seed is paired on (the headline before
# the default teacher changed), as the fixtures' headline document.
HEADLINE = "eval_heldout"
SEED0, SEED1, SEED2 = "eval_heldout_seed0", "eval_heldout_seed1", "eval_heldout_seed2"
# The schedule-sized recipe's T2L alone, paired with the multi-task LoRA of each seed above.
SIZED0, SIZED1 = "eval_heldout_sft_250_seed0", "eval_heldout_sft_250_seed1"
SIZED_SCORES = {"t2l": {"piqa": 0.9, "gsm8k": 0.3, "mbpp": 0.3}}
# A retrain scored on the headline's items: T2L 0.5 and its own multi-task LoRA 0.5 on average.
SEED_SCORES = {"t2l": {"piqa": 0.8, "gsm8k": 0.4, "mbpp": 0.3},
               "multitask_lora": {"piqa": 0.7, "gsm8k": 0.5, "mbpp": 0.3}}


def seed(label: str = "seed run", scores: dict | None = None, **run: object) -> dict:
    return variant_document(label, scores or SEED_SCORES, **run)


@pytest.mark.parametrize(("documents", "seeds"), [
    ({}, []),
    ({SEED1: seed()}, []),  # no seed 0: nothing says which items are the bar's
    ({SEED0: headline_document()}, [SEED0]),
    # Seed order, whatever the documents' order.
    ({SEED2: seed(), SEED1: seed(), SEED0: headline_document()}, [SEED0, SEED1, SEED2]),
    ({SEED0: headline_document(), SEED1: seed("smoke run")}, [SEED0]),
    ({SEED0: headline_document("smoke run"), SEED1: seed()}, []),
    ({SEED0: headline_document(), SEED1: seed(scores={"t2l": SEED_SCORES["t2l"]})},
     [SEED0]),  # no multi-task LoRA of its own
    ({SEED0: headline_document(),
      SEED1: seed(items_per_task={"piqa": 4, "gsm8k": 3, "mbpp": 4})}, [SEED0]),
    ({SEED0: headline_document(), "eval_heldout_recon": seed()}, [SEED0]),  # not a seed
])
def test_a_seed_counts_only_beside_its_own_lora_on_seed_0s_items(documents, seeds):
    assert list(seed_documents(documents)) == seeds


def test_one_seed_is_no_mean():
    assert seed_mean_criteria({SEED0: headline_document()}) == []


def test_each_seed_against_its_own_lora_and_seed_0s_base_with_description():
    lora, described = seed_mean_criteria({SEED0: headline_document(), SEED1: seed()})
    # Seed 0: T2L 0.4, multi-task LoRA 0.3, base + description 0.2 (report_fixtures).
    assert lora["name"] == "t2l_vs_multitask_lora_seed_mean"
    assert lora["label"] == ("T2L vs multi-task LoRA (held-out avg, 4000-step plan stopped at "
                             "250, mean over 2 training seeds)")
    assert lora["per_seed_margin_points"] == pytest.approx({SEED0: 10.0, SEED1: 0.0})
    assert (lora["t2l"], lora["reference"]) == pytest.approx((0.45, 0.4))
    assert lora["margin_points"] == pytest.approx(5.0) and lora["met"]
    assert described["per_seed_margin_points"] == pytest.approx({SEED0: 20.0, SEED1: 30.0})
    assert described["margin_points"] == pytest.approx(25.0) and described["met"]
    assert lora["seeds"] == [SEED0, SEED1] and lora["tasks"] == 3
    assert lora["margin_ci95_points"] is None  # no item scores kept


def test_the_interval_covers_items_and_seeds_when_items_were_kept():
    documents = {SEED0: headline_document(), SEED1: seed()}
    for stem, document in documents.items():
        for method, row in document["methods"].items():
            won = method == "t2l" and stem == SEED0
            row["per_item"] = {t: [1.0, 0.0, 1.0, 1.0] if won else [0.0, 0.0, 1.0, 1.0]
                               for t in document["tasks"]}
    lora = seed_mean_criteria(documents)[0]
    low, high = lora["margin_ci95_points"]
    assert low == pytest.approx(0.0) and high > 25.0  # the seed without a win, and one with


def test_the_bar_shows_the_seed_means_after_the_headlines_rows_and_names_each_seed():
    evaluations = {HEADLINE: headline_document(), SEED0: headline_document(), SEED1: seed()}
    bar = quality_bar(evaluations, None, seed_mean_criteria(evaluations))
    names = [c["name"] for c in bar["criteria"]]
    assert names == ["t2l_vs_multitask_lora", "t2l_vs_base_with_description",
                     "t2l_vs_multitask_lora_seed_mean", "t2l_vs_base_with_description_seed_mean"]
    assert bar["sources"]["seed_mean"] == {"seed_mean": [SEED0, SEED1]}
    section = quality_bar_section(bar)
    assert ("| T2L vs multi-task LoRA (held-out avg, 4000-step plan stopped at 250, mean over its "
            "training seeds) | 45.0 | 40.0 (`multitask_lora`) | 3 | +5.0 pts | ≥ +0.0 pts | met |"
            ) in section
    assert ("T2L − multi-task LoRA by seed: +10.0 (`eval_heldout_seed0`), +0.0 "
            "(`eval_heldout_seed1`)") in section
    assert "schedule sized to 250 steps" not in section.split("| criterion |")[0]


def test_without_seeds_the_bar_says_their_rows_are_not_measured():
    section = quality_bar_section(quality_bar({HEADLINE: headline_document()}, None))
    assert ("| T2L vs base + description in prompt (held-out avg, 4000-step plan stopped at 250, "
            "mean over its training seeds) | — | — | — | not measured (no non-smoke "
            "`eval_heldout_seed*.json` that scores it) |") in section
    assert "by seed" not in section


@pytest.mark.parametrize(("documents", "seeds"), [
    ({SEED0: headline_document(), SIZED0: seed(scores=SIZED_SCORES)}, [SIZED0]),
    # Seed 1's T2L without seed 1's multi-task LoRA: nothing to pair it with.
    ({SEED0: headline_document(), SIZED1: seed(scores=SIZED_SCORES)}, []),
    ({SEED0: headline_document(), SEED1: seed(), SIZED0: seed(scores=SIZED_SCORES),
      SIZED1: seed(scores=SIZED_SCORES)}, [SIZED0, SIZED1]),
    ({SEED0: headline_document(), SIZED0: seed("smoke run", SIZED_SCORES)}, []),
])
def test_a_recipe_scored_alone_pairs_each_seed_with_that_seeds_lora(documents, seeds):
    assert list(seed_documents(documents, SCHEDULE_250_RECIPE)) == seeds


def test_each_recipe_gets_its_own_rows_and_note():
    evaluations = {SEED0: headline_document(), SEED1: seed(),
                   SIZED0: seed(scores=SIZED_SCORES), SIZED1: seed(scores=SIZED_SCORES)}
    criteria = seed_mean_criteria(evaluations)
    assert [c["name"] for c in criteria] == [
        "t2l_vs_multitask_lora_seed_mean", "t2l_vs_base_with_description_seed_mean",
        "t2l_vs_multitask_lora_sft_250_seed_mean", "t2l_vs_base_with_description_sft_250_seed_mean"]
    sized = criteria[2]
    # T2L 0.5 on both seeds; seed 0's LoRA 0.3, seed 1's 0.5.
    assert sized["per_seed_margin_points"] == pytest.approx({SIZED0: 20.0, SIZED1: 0.0})
    assert sized["label"] == ("T2L vs multi-task LoRA (held-out avg, schedule sized to 250 "
                              "steps, mean over 2 training seeds)")
    bar = quality_bar(evaluations, None, criteria)
    assert bar["sources"]["seed_mean"] == {"seed_mean": [SEED0, SEED1],
                                           "sft_250_seed_mean": [SIZED0, SIZED1]}
    section = quality_bar_section(bar)
    assert ("| T2L vs multi-task LoRA (held-out avg, schedule sized to 250 steps, mean over its "
            "training seeds) | 50.0 | 40.0 (`multitask_lora`) | 3 | +10.0 pts |") in section
    assert ("by seed: +20.0 (`eval_heldout_sft_250_seed0`), +0.0 "
            "(`eval_heldout_sft_250_seed1`)") in section


def test_a_recipes_gain_pairs_its_t2l_with_the_first_recipes_of_the_same_seed():
    evaluations = {SEED0: headline_document(), SEED1: seed(),
                   SIZED0: seed(scores=SIZED_SCORES)}
    assert recipe_gain(evaluations, SCHEDULE_250_RECIPE) is None  # one seed
    evaluations[SIZED1] = seed(scores=SIZED_SCORES)
    gain = recipe_gain(evaluations, SCHEDULE_250_RECIPE)
    # Sized T2L 0.5 on both seeds; seed 0's T2L 0.4, seed 1's 0.5.
    assert gain["per_seed_margin_points"] == pytest.approx({0: 10.0, 1: 0.0})
    assert gain["margin_points"] == pytest.approx(5.0) and gain["tasks"] == 3
    sentence = gain_sentence(gain)
    assert "T2L from sft-smollm2-250.yaml minus T2L from sft-smollm2.yaml" in sentence
    assert sentence.endswith(
        "3 tasks): +10.0 (seed 0), +0.0 (seed 1); mean +5.0 points over 2 seeds ([low, high]: "
        "95% bootstrap over items and seeds crossed).")
