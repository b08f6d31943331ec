"""Every hypernetwork on the headline's items: which variants pair with the headline's
baselines, the margins, and the table."""

import copy

import pytest
from report_fixtures import HEADLINE_DESCRIPTIONS
from report_fixtures import headline_document as headline
from report_fixtures import variant_document as variant

from t2l.report.headline_items_margins import (
    BASELINES,
    headline_items_margins,
    headline_items_section,
)

HEADLINE, RECON = BASELINES, "eval_heldout_recon"


def edited(document: dict, path: tuple[str, ...], value: object) -> dict:
    document = copy.deepcopy(document)
    *parents, key = path
    node = document
    for parent in parents:
        node = node[parent]
    node[key] = value
    return document


@pytest.mark.parametrize(("documents", "rows"), [
    ({}, []),
    ({RECON: variant()}, []),  # no headline, nothing to pair with
    ({HEADLINE: headline()}, [HEADLINE]),
    ({HEADLINE: headline(), RECON: variant()}, [HEADLINE, RECON]),
    ({HEADLINE: headline(), RECON: variant("smoke run")}, [HEADLINE]),
    # Not the headline's items: fewer of them, other descriptions, another PIQA protocol.
    ({HEADLINE: headline(),
      RECON: variant(items_per_task={"piqa": 4, "gsm8k": 3, "mbpp": 4})}, [HEADLINE]),
    ({HEADLINE: headline(),
      RECON: variant(descriptions={**HEADLINE_DESCRIPTIONS, "mbpp": ["other"]})}, [HEADLINE]),
    ({HEADLINE: headline(),
      RECON: variant(task_specs={"piqa": "spec-listed", "gsm8k": "g", "mbpp": "m"})}, [HEADLINE]),
    ({HEADLINE: headline(), RECON: variant(task_specs={})}, [HEADLINE]),
    # Scored elsewhere or otherwise: another kind of device, seed, decoding budget or base
    # model. "auto" is an older run's flag, not a device, so it pairs with either.
    ({HEADLINE: headline(), RECON: edited(variant(), ("config", "device"), "cuda")}, [HEADLINE]),
    ({HEADLINE: headline(), RECON: variant(device="cuda:0")}, [HEADLINE]),
    ({HEADLINE: headline(), RECON: edited(variant(device="cpu"), ("config", "device"), "auto")},
     [HEADLINE, RECON]),
    ({HEADLINE: headline(), RECON: edited(variant(), ("config", "device"), "auto")},
     [HEADLINE, RECON]),
    ({HEADLINE: headline(), RECON: edited(variant(), ("config", "seed"), 1)}, [HEADLINE]),
    ({HEADLINE: headline(), RECON: edited(variant(), ("config", "max_new_tokens"), 8)},
     [HEADLINE]),
    ({HEADLINE: headline(), RECON: edited(variant(), ("base_model",), "other")}, [HEADLINE]),
    # A task the variant never scored.
    ({HEADLINE: headline(), RECON: edited(variant(), ("tasks",), ["piqa", "gsm8k"])}, [HEADLINE]),
    # Not a variant of the description-gap table.
    ({HEADLINE: headline(), "eval_heldout_other": variant()}, [HEADLINE]),
])
def test_a_variant_is_a_row_only_on_every_one_of_the_headlines_items(documents, rows):
    assert list(headline_items_margins(documents)) == rows


def test_the_variants_t2l_is_paired_item_by_item_with_the_headlines_baselines():
    base, other = headline(), variant()
    for method, row in base["methods"].items():
        row["per_item"] = {t: [0.0, 0.0] if method != "t2l" else [1.0, 1.0] for t in base["tasks"]}
    other["methods"]["t2l"]["per_item"] = {t: [1.0, 0.0] for t in other["tasks"]}
    row = headline_items_margins({HEADLINE: base, RECON: other})[RECON]
    # Variant T2L 0.4 on average (HINGE_SCORES), multi-task LoRA 0.3, base + description 0.2.
    assert row["multitask_lora"]["t2l"] == pytest.approx(0.4)
    assert row["multitask_lora"]["margin_points"] == pytest.approx(10.0)
    assert row["base_with_description"]["margin_points"] == pytest.approx(20.0)
    assert row["multitask_lora"]["margin_ci95_points"] is not None
    assert row["run_label"] == "recon run"


def test_the_table_names_the_headlines_baselines_and_each_rows_margins():
    margins = headline_items_margins({HEADLINE: headline(), RECON: variant()})
    table = headline_items_section(margins)
    assert "multi-task LoRA (30.0) and base + description (20.0), paired" in table
    assert "The bar's goals: ≥ +0.0 and ≥ +10.0 points." in table
    assert ("| plain SFT (4000-step plan stopped at 250), seed 0, dev-calibrated scale | 3 | 40.0 "
            "| +10.0 | +20.0 |") in table
    assert "| T2L by reconstruction of 9 oracle LoRAs, trained strength | 3 | 40.0 | +10.0 |" in (
        table)
