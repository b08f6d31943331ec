"""The margin's bootstrap interval: where it sits, how wide, and when there is none."""

from __future__ import annotations

import pytest
from report_fixtures import eval_document

from t2l.report.bootstrap import margin_interval, seed_margin_interval
from t2l.report.quality_bar import quality_bar


def test_equal_item_differences_give_a_zero_width_interval_and_tasks_weigh_equally():
    a = {"x": [1.0, 1.0, 0.0, 0.0], "y": [0.5, 0.5]}
    b = {"x": [0.0, 0.0, 0.0, 0.0], "y": [0.5, 0.5]}
    assert margin_interval(a, b, ["y"]) == (0.0, 0.0)
    low, high = margin_interval(a, b, ["x", "y"])
    assert 0.0 <= low < 25.0 < high <= 50.0  # x's mean difference 0.5, halved over two tasks


def test_interval_brackets_the_margin_and_narrows_with_more_items():
    few = {"t": [1.0, 0.0] * 10}
    many = {"t": [1.0, 0.0] * 200}
    zeros_few, zeros_many = {"t": [0.0] * 20}, {"t": [0.0] * 400}
    low_few, high_few = margin_interval(few, zeros_few, ["t"])
    low_many, high_many = margin_interval(many, zeros_many, ["t"])
    assert low_few < 50.0 < high_few and low_many < 50.0 < high_many
    assert high_many - low_many < (high_few - low_few) / 3


def test_interval_is_reproducible():
    a, b = {"t": [0.1, 0.9, 0.4, 0.7, 0.2]}, {"t": [0.3, 0.2, 0.4, 0.1, 0.0]}
    assert margin_interval(a, b, ["t"]) == margin_interval(a, b, ["t"])


@pytest.mark.parametrize("b", [
    {},  # no item scores for the task (a run that predates them)
    {"t": []},
    {"t": [0.0, 1.0, 0.0]},  # other items than a's
])
def test_no_interval_without_paired_items(b):
    assert margin_interval({"t": [1.0, 0.0]}, b, ["t"]) is None


def test_seeds_that_agree_add_no_width_and_one_seed_is_the_items_interval():
    a, b = {"t": [0.1, 0.9, 0.4, 0.7, 0.2]}, {"t": [0.3, 0.2, 0.4, 0.1, 0.0]}
    items_only = margin_interval(a, b, ["t"])
    assert seed_margin_interval([(a, b)], ["t"]) == items_only
    assert seed_margin_interval([(a, b)] * 3, ["t"]) == items_only


def test_seeds_that_disagree_widen_the_interval_to_their_spread():
    # Every item agrees within a seed, so only the seed draw varies: one seed +100, one 0.
    ones, zeros = {"t": [1.0] * 6}, {"t": [0.0] * 6}
    assert seed_margin_interval([(ones, zeros), (zeros, zeros)], ["t"]) == (0.0, 100.0)


@pytest.mark.parametrize("second", [
    ({"t": [1.0, 0.0]}, {"t": [1.0, 0.0]}),  # other items than the first seed's
    ({"t": [1.0, 0.0, 1.0]}, {}),  # a seed without the reference's items
])
def test_no_seed_interval_unless_every_seed_scored_the_same_items(second):
    first = ({"t": [1.0, 0.0, 1.0]}, {"t": [0.0, 0.0, 1.0]})
    assert seed_margin_interval([first, second], ["t"]) is None
    assert seed_margin_interval([], ["t"]) is None


def test_quality_bar_reports_the_interval_when_items_were_kept():
    document = eval_document({"t2l": {"a": 0.75}, "multitask_lora": {"a": 0.25},
                              "base_with_description": {"a": 0.5}}, "CPU run")
    rows = document["methods"]
    rows["t2l"]["per_item"] = {"a": [1.0, 1.0, 1.0, 0.0]}
    rows["multitask_lora"]["per_item"] = {"a": [0.0, 1.0, 0.0, 0.0]}
    rows["base_with_description"]["per_item"] = {"a": None}
    by_name = {c["name"]: c for c in quality_bar({"eval_heldout": document}, None)["criteria"]}
    low, high = by_name["t2l_vs_multitask_lora"]["margin_ci95_points"]
    assert low < by_name["t2l_vs_multitask_lora"]["margin_points"] == 50.0 < high
    assert by_name["t2l_vs_base_with_description"]["margin_ci95_points"] is None
