"""T2L against baselines trained on the same data: which documents count, and the table."""

import pytest
from report_fixtures import HELDOUT_SCORES, eval_document

from t2l.report.same_data_margins import (
    SAME_DATA_EVALUATIONS,
    same_data_margins,
    same_data_section,
    seed_spread,
)

RULES, CONTROL = "eval_heldout_rules600_merged", "eval_heldout_continued_merged"


def without(method: str) -> dict:
    return {m: s for m, s in HELDOUT_SCORES.items() if m != method}


@pytest.mark.parametrize(("documents", "measured"), [
    ({}, []),
    ({RULES: eval_document(HELDOUT_SCORES, "rules")}, [RULES]),
    # Table order is SAME_DATA_EVALUATIONS', not the documents'.
    ({RULES: eval_document(HELDOUT_SCORES, "rules"),
      CONTROL: eval_document(HELDOUT_SCORES, "control")}, [CONTROL, RULES]),
    ({RULES: eval_document(HELDOUT_SCORES, "smoke run")}, []),
    ({RULES: eval_document(without("multitask_lora"), "no LoRA")}, []),
    ({RULES: eval_document(without("base_with_description"), "no base")}, [RULES]),
    # The headline opens the table, its retrained seed beside it; other variants never count.
    ({RULES: eval_document(HELDOUT_SCORES, "rules"),
      "eval_heldout_seed1": eval_document(HELDOUT_SCORES, "seed 1"),
      "eval_heldout": eval_document(HELDOUT_SCORES, "headline")},
     ["eval_heldout", "eval_heldout_seed1", RULES]),
    ({"eval_heldout_recon": eval_document(HELDOUT_SCORES, "recon")}, []),
])
def test_only_measured_documents_that_score_every_method_count(documents, measured):
    assert list(same_data_margins(documents)) == measured


def test_margins_over_both_references_with_item_intervals():
    scores = {m: HELDOUT_SCORES[m] for m in ("t2l", "multitask_lora", "base_with_description")}
    document = eval_document(scores, "rules run")
    for method in scores:
        document["methods"][method]["per_item"] = {
            task: [1.0, 0.0] if method == "t2l" else [0.0, 0.0] for task in document["tasks"]}
    row = same_data_margins({RULES: document})[RULES]
    assert row["label"] == SAME_DATA_EVALUATIONS[RULES] and row["run_label"] == "rules run"
    # t2l 0.4, multi-task LoRA 0.3, base + description 0.2 on average (report_fixtures).
    assert row["multitask_lora"]["margin_points"] == pytest.approx(10.0)
    assert row["base_with_description"]["margin_points"] == pytest.approx(20.0)
    assert row["multitask_lora"]["margin_ci95_points"] is not None
    table = same_data_section({RULES: row})
    assert "| 3 | 40.0 | 30.0 | 20.0 | +10.0 [" in table
    assert "**rules run**" in table


def test_a_reference_not_scored_shows_as_dashes():
    row = same_data_margins({RULES: eval_document(without("base_with_description"), "r")})[RULES]
    assert row["base_with_description"] is None
    assert "| 3 | 40.0 | 30.0 | — | +10.0 | — |" in same_data_section({RULES: row})


def lora_margin(points: float) -> dict:
    return {"multitask_lora": {"margin_points": points}}


@pytest.mark.parametrize(("margins", "sentence"), [
    ({}, None),
    ({"eval_heldout_seed0": lora_margin(-0.6)}, None),
    # Rows that are not a seed of the first recipes (the headline's default teacher among
    # them) never enter the spread.
    ({"eval_heldout_seed0": lora_margin(-0.6), RULES: lora_margin(5.0),
      "eval_heldout": lora_margin(9.0)}, None),
    ({"eval_heldout_seed0": lora_margin(-0.6), "eval_heldout_seed1": lora_margin(1.4), RULES:
      lora_margin(5.0)},
     "Over the 2 seeds of the first recipes, T2L − multi-task LoRA averages +0.4 points "
     "(standard deviation 1.4, from -0.6 to +1.4)."),
    ({"eval_heldout_seed1": lora_margin(1.0), "eval_heldout_seed0": lora_margin(3.0)},
     "Over the 2 seeds of the first recipes, T2L − multi-task LoRA averages +2.0 points "
     "(standard deviation 1.4, from +1.0 to +3.0)."),
])
def test_seed_spread_summarises_the_first_recipes_seeds_only(margins, sentence):
    assert seed_spread(margins) == sentence


def test_the_section_ends_with_the_seed_spread_when_seeds_are_present():
    documents = {stem: eval_document(HELDOUT_SCORES, stem)
                 for stem in ("eval_heldout_seed0", "eval_heldout_seed1")}
    section = same_data_section(same_data_margins(documents))
    assert section.endswith("from +10.0 to +10.0).")
    no_seed = same_data_margins({RULES: documents["eval_heldout_seed0"]})
    assert "Over the" not in same_data_section(no_seed)
