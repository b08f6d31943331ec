"""The task-library loader for `--tasks`, on the real offline data pack."""

import pytest

from t2l.recipes.library_tasks import split_tasks


def test_heldout_tasks_load_with_and_without_a_training_split():
    tasks = split_tasks("heldout", names=["bbh_navigate", "piqa"], train_limit=3, val_limit=2)
    by_name = {t.name: t for t in tasks}
    assert sorted(by_name) == ["bbh_navigate", "piqa"]
    assert by_name["bbh_navigate"].train == [] and len(by_name["bbh_navigate"].val) == 2
    assert len(by_name["piqa"].train) == 3
    assert all(t.descriptions and all(e.completion for e in t.val) for t in tasks)


def test_by_template_partitions_a_dataset_into_its_templates():
    pooled = split_tasks("train", names=["ag_news"], val_limit=None)[0]
    templates = split_tasks("train", names=["ag_news"], val_limit=None, by_template=True)
    assert len(templates) == 7 and all(t.name.startswith("ag_news_") for t in templates)
    assert sorted(e.prompt for t in templates for e in t.train) == sorted(
        e.prompt for e in pooled.train)
    assert {e.prompt for t in templates for e in t.val} == {e.prompt for e in pooled.val}
    # Each says what its template asks; two pairs ask the same with the text in another order.
    assert len({t.descriptions[0] for t in templates}) == 5
    # ...and names its dataset, which `--balance-by dataset` draws by.
    assert {t.source_dataset for t in templates} == {"ag_news"} and pooled.dataset is None


def test_dev_tasks_are_evaluation_only_bbh_tasks_kept_apart_from_heldout():
    dev = split_tasks("dev", val_limit=2)
    heldout = {t.name for t in split_tasks("heldout", val_limit=1)}
    assert len(dev) == 5 and not {t.name for t in dev} & heldout
    assert all(t.name.startswith("bbh_") and not t.train and len(t.val) == 2 for t in dev)


def test_exclude_pins_a_recipe_to_the_tasks_it_was_trained_on():
    tasks = split_tasks("train", names=["addsub", "ag_news", "svamp"], exclude=["ag_news"],
                        train_limit=2, val_limit=1)
    assert [t.name for t in tasks] == ["addsub", "svamp"]
    assert all(e.completion.isdigit() for t in tasks for e in t.train)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"split": "test"}, "split must be one of"),
     ({"split": "train", "names": ["bbh_navigate"]}, "are not train tasks"),
     ({"split": "train", "exclude": ["gsm8k"]}, r"exclude \['gsm8k'\] are not chosen")],
)
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        split_tasks(**kwargs)
