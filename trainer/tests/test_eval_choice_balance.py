"""Balanced accuracy and the most frequent answer's share: what a multiple-choice score is made
of."""

from __future__ import annotations

import pytest

from t2l.eval.choice_balance import balanced_accuracy, choice_summary, modal_choice_share


@pytest.mark.parametrize(("choices", "labels", "balanced", "modal"), [
    ([1, 1, 1, 1], [1, 1, 0, 0], 0.5, 1.0),  # one answer for all: 1 / gold answers that occur
    ([1, 1, 1, 1], [1, 1, 1, 0], 0.5, 1.0),  # ... whatever the accuracy (here 0.75)
    ([1, 1, 0, 0], [1, 1, 0, 0], 1.0, 0.5),
    ([0, 1, 1, 2], [0, 1, 2, 2], 2.5 / 3, 0.5),  # (1 + 1 + 1/2) / 3
    ([2, 2, 2], [0, 1, 2], 1 / 3, 1.0),
    ([], [], 0.0, 0.0),
])
def test_balanced_accuracy_and_modal_share(choices, labels, balanced, modal):
    assert balanced_accuracy(choices, labels) == pytest.approx(balanced)
    assert modal_choice_share(choices) == pytest.approx(modal)


def test_lengths_must_agree():
    with pytest.raises(ValueError, match="3 choices for 2 labels"):
        balanced_accuracy([0, 1, 1], [0, 1])


@pytest.mark.parametrize(("rows", "expected"), [
    ([[1, 1], [0, 1]], {"balanced_accuracy": 0.75, "modal_choice_share": 0.75}),
    ([[1, 1], None], None),  # a condition scored before choices were recorded
    ([[1, 1, 1]], None),  # choices for other items than the labels
    ([], None),
])
def test_summary_averages_conditions_or_says_unknown(rows, expected):
    assert choice_summary(rows, [0, 1]) == expected
