"""The quality bar and the description gaps: computed from the documents, verdicts included."""

from __future__ import annotations

import pytest
from report_fixtures import HELDOUT_SCORES, HINGE_SCORES, eval_document

from t2l.report.quality_bar import description_gaps, paired, quality_bar
from t2l.report.quality_tables import quality_bar_section


def _heldout(t2l: float, multitask: float, with_description: float, label: str = "GPU run"):
    scores = {"t2l": {"a": t2l, "b": t2l}, "multitask_lora": {"a": multitask, "b": multitask},
              "base_with_description": {"a": with_description, "b": with_description}}
    return eval_document(scores, label)


def _recon(ratio: float | None) -> dict:
    return {"t2l_over_oracle": ratio, "t2l_avg": 0.5, "oracle_avg": 0.5,
            "per_task": {"a": {}}, "source": {"eval": "x.json", "run_label": "r"}}


@pytest.mark.parametrize(("t2l", "multitask", "with_description", "ratio", "met"), [
    (0.50, 0.40, 0.40, 0.95, [True, True, True]),  # +10 points and 0.95 exactly meet the bar
    (0.45, 0.35, 0.35, 0.96, [True, True, True]),  # 9.999…98 points in floats still counts
    (0.40, 0.40, 0.31, 0.949, [True, False, False]),  # a tie with multi-task LoRA meets it
    (0.39, 0.40, 0.20, 1.2, [False, True, True]),
])
def test_criteria_verdicts(t2l, multitask, with_description, ratio, met):
    bar = quality_bar({"eval_heldout": _heldout(t2l, multitask, with_description)}, _recon(ratio))
    assert [c["met"] for c in bar["criteria"]] == met
    by_name = {c["name"]: c for c in bar["criteria"]}
    assert by_name["t2l_vs_multitask_lora"]["margin_points"] == pytest.approx(
        100 * (t2l - multitask))
    assert by_name["reconstruction_over_oracle"]["ratio"] == ratio


def test_every_item_document_measures_the_margins_again_under_its_own_names():
    bar = quality_bar({"eval_heldout": _heldout(0.40, 0.38, 0.30),
                       "eval_heldout_every_item": _heldout(0.39, 0.40, 0.30, "all items")}, None)
    by_name = {c["name"]: c for c in bar["criteria"]}
    assert list(by_name) == ["t2l_vs_multitask_lora", "t2l_vs_base_with_description",
                             "t2l_vs_multitask_lora_every_item",
                             "t2l_vs_base_with_description_every_item"]
    assert by_name["t2l_vs_multitask_lora"]["met"]
    assert not by_name["t2l_vs_multitask_lora_every_item"]["met"]
    assert "most items scored" in by_name["t2l_vs_multitask_lora_every_item"]["label"]
    assert bar["sources"]["eval_heldout_every_item"] == "all items"
    assert "- most items, the former teacher (4000-step plan, seed 0): **all items**" in (
        quality_bar_section(bar))


@pytest.mark.parametrize(("heldout", "hinge", "recon", "criteria", "variants"), [
    (None, None, None, None, None),
    (_heldout(0.5, 0.4, 0.3, label="smoke: 3 steps"), None, None, None, None),  # measures nothing
    (_heldout(0.5, 0.4, 0.3), None, None, 2, []),  # no t2l controls in this document
    (None, None, _recon(0.9), 1, []),
    (None, eval_document(HINGE_SCORES, "GPU run"), None, 0, ["hinge"]),
    (eval_document(HELDOUT_SCORES, "GPU run"), eval_document(HINGE_SCORES, "GPU run"),
     _recon(None), 2, ["sft", "hinge"]),  # no oracle average: reconstruction not measured
])
def test_what_is_measured(heldout, hinge, recon, criteria, variants):
    evaluations = {stem: document for stem, document in
                   (("eval_heldout", heldout), ("eval_heldout_hinge", hinge)) if document}
    bar = quality_bar(evaluations, recon)
    if criteria is None:
        assert bar is None
        return
    assert len(bar["criteria"]) == criteria
    assert list(bar["description_gaps"]) == variants


def test_averages_are_paired_over_tasks_both_methods_scored():
    document = eval_document({"t2l": {"a": 0.9, "b": 0.1, "c": 0.5},
                              "multitask_lora": {"a": 0.8, "b": None, "c": 0.3}}, "GPU run")
    tasks, avg = paired(document, ("t2l", "multitask_lora"))
    assert tasks == ["a", "c"]
    assert avg == {"t2l": pytest.approx(0.7), "multitask_lora": pytest.approx(0.55)}
    assert paired(document, ("t2l", "base")) is None


def test_description_gaps_per_task_and_on_average():
    gaps = description_gaps(eval_document(HELDOUT_SCORES, "GPU run"))
    assert gaps["tasks"] == 3 and gaps["run_label"] == "GPU run"
    assert gaps["t2l"] == pytest.approx(0.4)
    assert gaps["gap_other_points"] == pytest.approx(100 * (0.4 - 0.3))
    assert gaps["gap_random_points"] == pytest.approx(100 * (0.4 - 0.2))
    assert gaps["per_task"]["gsm8k"] == {
        "t2l": 0.3, "other": 0.1, "random": 0.0,
        "gap_other_points": pytest.approx(20.0), "gap_random_points": pytest.approx(30.0)}


def test_gap_rows_follow_the_variant_order_and_carry_their_labels():
    bar = quality_bar({"eval_heldout_hinge_warm": eval_document(HINGE_SCORES, "warm run"),
                       "eval_heldout": eval_document(HELDOUT_SCORES, "GPU run")}, None)
    assert [(key, gap["label"]) for key, gap in bar["description_gaps"].items()] == [
        ("sft", "default teacher (SFT, schedule sized to 250 steps, seed 3), dev-calibrated scale"),
        ("hinge_warm", "SFT, then fine-tuned with the hinge")]
    assert bar["sources"]["eval_heldout_hinge_warm"] == "warm run"
    assert bar["sources"]["eval_heldout_hinge"] is None
