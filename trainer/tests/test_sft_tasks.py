"""Tasks made ready for SFT (what a validation-only set keeps), and how far two runs' validation
losses differ."""

import pytest
from conftest import make_tokenizer
from synthetic_tasks import make_tasks

from t2l.sft_tasks import max_relative_difference, prepare_tasks


def test_a_validation_only_set_keeps_the_same_val_examples_and_no_training_ones():
    tokenizer, tasks = make_tokenizer(), make_tasks(["reverse", "upper"])
    full = prepare_tasks(tasks, tokenizer, None, 48, 2)
    val_only = prepare_tasks(tasks, tokenizer, None, 48, 2, with_train=False)
    assert all(task.train for task in full)
    assert [task.train for task in val_only] == [[], []]
    assert [task.val for task in val_only] == [task.val for task in full]
    assert [len(task.val) for task in val_only] == [2, 2]


def test_max_relative_difference_is_the_worst_metric_and_misses_none():
    reference = {"val_loss": 2.0, "heldout_loss": 1.0}
    assert max_relative_difference({"val_loss": 2.1, "heldout_loss": 0.99}, reference) == (
        pytest.approx(0.05))
    assert max_relative_difference(dict(reference), reference) == 0.0
    with pytest.raises(KeyError):
        max_relative_difference({"val_loss": 2.0}, reference)
