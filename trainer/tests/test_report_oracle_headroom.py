"""The headroom section: oracle LoRAs beside the bar's methods on the tasks they could train on."""

import pytest
from report_fixtures import HELDOUT_SCORES, eval_document

from t2l.report.oracle_headroom_table import oracle_headroom_section

# Oracles on piqa and gsm8k only: mbpp is treated as evaluation-only here.
ORACLE = {"piqa": 0.9, "gsm8k": 0.4, "mbpp": None}


@pytest.mark.parametrize("documents", [
    {},
    {"eval_heldout": eval_document(HELDOUT_SCORES, "no oracle")},
    {"eval_heldout": eval_document({**HELDOUT_SCORES,
                                    "oracle_lora": dict.fromkeys(ORACLE)}, "no task")},
    # Another evaluation's oracles are not the headline's.
    {"eval_heldout_seed1": eval_document({**HELDOUT_SCORES, "oracle_lora": ORACLE}, "seed 1")},
])
def test_no_section_until_the_headline_scores_an_oracle(documents):
    assert oracle_headroom_section(documents) is None


def test_rows_cover_the_tasks_with_an_oracle_and_average_them():
    document = eval_document({**HELDOUT_SCORES, "oracle_lora": ORACLE}, "headline")
    text = oracle_headroom_section({"eval_heldout": document})
    # base + description 50.0 / 10.0, multi-task 60.0 / 20.0, T2L 70.0 / 30.0.
    assert "| piqa | 50.0 | 60.0 | 70.0 | 90.0 | +40.0 |" in text
    assert "| gsm8k | 10.0 | 20.0 | 30.0 | 40.0 | +30.0 |" in text
    assert "| mbpp |" not in text
    assert "| **average** | **30.0** | **40.0** | **50.0** | **65.0** | **+35.0** |" in text
    assert "2 of the headline's 3 tasks have an oracle" in text
    # No item scores in the document: the margins come without intervals.
    assert "Oracle LoRA − base + description over these tasks: +35.0 points." in text
    assert "T2L − base + description over these tasks: +20.0 points." in text
    assert "+10.0 points over base + description" in text


def test_margins_carry_item_bootstrap_intervals_when_items_are_recorded():
    items = {"base_with_description": {"piqa": [1.0, 0.0], "gsm8k": [0.0, 0.0]},
             "multitask_lora": {"piqa": [1.0, 0.0], "gsm8k": [0.0, 1.0]},
             "oracle_lora": {"piqa": [1.0, 1.0], "gsm8k": [1.0, 1.0]},
             "t2l": {"piqa": [1.0, 0.0], "gsm8k": [0.0, 0.0]}}
    document = eval_document({m: {t: sum(v) / len(v) for t, v in per_task.items()}
                              for m, per_task in items.items()}, "headline")
    for method, per_item in items.items():
        document["methods"][method]["per_item"] = per_item
    text = oracle_headroom_section({"eval_heldout": document})
    # The oracle gains 100 points on every gsm8k resample and 0, 50 or 100 on piqa's (one of its
    # two items differs), so the mean over the two tasks spans +50 to +100; T2L never differs.
    assert "Oracle LoRA − base + description over these tasks: +75.0 [+50.0, +100.0] points." \
        in text
    assert "T2L − base + description over these tasks: +0.0 [+0.0, +0.0] points." in text
