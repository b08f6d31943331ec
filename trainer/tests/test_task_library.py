"""The committed task library against the real data pack, and the split's guarantees."""

from __future__ import annotations

import copy

import pytest
import yaml

from t2l.tasks import (
    default_tasks_dir,
    eval_examples,
    load_split,
    load_task_library,
    resolve_data_dir,
    task_descriptions,
    train_examples,
)
from t2l.tasks.split import MIN_HELDOUT, parse_split

LIBRARY = load_task_library(default_tasks_dir())
SPLIT_FILE = default_tasks_dir() / "split.yaml"


@pytest.fixture(scope="module")
def data_dir():
    return resolve_data_dir()


def test_split_is_valid_and_covers_the_library():
    split = load_split(SPLIT_FILE, LIBRARY)
    assert len(split.heldout) >= MIN_HELDOUT
    assert set(split.train) | set(split.heldout) | set(split.dev) == set(LIBRARY)
    assert len(split.dev) >= 3 and all(split.reasons[n] for n in split.dev)
    heldout_datasets = {LIBRARY[n].source.dataset for n in split.heldout}
    assert not heldout_datasets & {LIBRARY[n].source.dataset for n in split.train}
    assert {"bbh", "self_instruct_user"} <= set(split.never_train_datasets)
    # In T0's training data: never a held-out task (README overlap notes).
    assert {"commonsense_qa", "social_i_qa"} <= set(split.train)


@pytest.mark.parametrize("name", sorted(LIBRARY))
def test_every_task_builds_from_the_data_pack(name, data_dir):
    spec = LIBRARY[name]
    assert len(task_descriptions(spec, data_dir)) >= 10
    items = eval_examples(spec, data_dir, limit=3)
    assert len(items) == 3 and all(item.prompt and item.reference for item in items)
    if spec.options is not None:
        assert all(item.options[item.label] == item.reference for item in items)
    if spec.trainable:
        assert all(ex.completion for ex in train_examples(spec, data_dir, limit=3))


def raw_split():
    return yaml.safe_load(SPLIT_FILE.read_text())


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda s: s["train"].append("bbh_navigate"), "both train and held-out"),
        (lambda s: s["train"].append("no_such_task"), "has no spec"),
        (lambda s: s.update(heldout=s["heldout"][:MIN_HELDOUT - 1]), "need >= 8"),
        (lambda s: s["heldout"].append({"name": "imdb", "reason": "x"}), "both train"),
        (lambda s: s["heldout"].append({"name": "piqa"}), "each heldout entry"),
        (lambda s: s["dev"].append({"name": "bbh_navigate", "reason": "x"}),
         "both held-out and development"),
        (lambda s: s["dev"].append({"name": "imdb", "reason": "x"}), "both train and development"),
        (lambda s: s["dev"].append(s["dev"][0]), "dev lists a task twice"),
        (lambda s: s["dev"].append("bbh_hyperbaton"), "each dev entry"),
        (lambda s: s.update(never_train_datasets=["imdb"]), "evaluation-only"),
        (lambda s: s.update(schema="v0"), "schema"),
    ],
)
def test_split_mistakes_are_refused(mutate, message):
    raw = copy.deepcopy(raw_split())
    mutate(raw)
    with pytest.raises(ValueError, match=message):
        parse_split(raw, LIBRARY, "split.yaml")


def test_heldout_dataset_used_by_a_training_task_is_refused():
    raw = raw_split()
    library = dict(LIBRARY)
    imdb = library["imdb"]
    library["imdb"] = type(imdb)(**{**imdb.__dict__,
                                    "source": type(imdb.source)(**{**imdb.source.__dict__,
                                                                   "dataset": "piqa"})})
    with pytest.raises(ValueError, match="held-out task piqa comes from dataset 'piqa'"):
        parse_split(raw, library, "split.yaml")
