"""Tasks made ready for SFT: what a validation-only set keeps."""

from conftest import make_tokenizer
from synthetic_tasks import make_tasks

from t2l.sft_tasks import prepare_tasks


def test_a_validation_only_set_keeps_the_same_val_examples_and_no_training_ones():
    tokenizer, tasks = make_tokenizer(), make_tasks(["reverse", "upper"])
    full = prepare_tasks(tasks, tokenizer, None, 48, 2)
    val_only = prepare_tasks(tasks, tokenizer, None, 48, 2, with_train=False)
    assert all(task.train for task in full)
    assert [task.train for task in val_only] == [[], []]
    assert [task.val for task in val_only] == [task.val for task in full]
    assert [len(task.val) for task in val_only] == [2, 2]
