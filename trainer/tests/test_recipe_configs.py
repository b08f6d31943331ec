"""Every committed recipe (`trainer/configs/*.yaml`) resolves, tasks included, on the real pack.

A typo in a task list (`names`, `exclude`) or a key the config no longer knows fails here, not
after a recipe has loaded a base model in a long background run."""

import json

import pytest

from t2l.config_io import build_config, read_config_file
from t2l.recipe_config import DistillConfig, LoRATrainConfig, SFTConfig
from t2l.task_data import load_tasks
from t2l.tasks import default_tasks_dir, load_split, load_task_library
from t2l.tasks.paths import repo_root

CONFIG_DIR = default_tasks_dir().parent / "configs"
CONFIGS = sorted(CONFIG_DIR.glob("*.yaml"))
# Which recipe reads a config, by the file name's first word (the recipe's command).
CONFIG_CLASSES = {"distill": DistillConfig, "lora": LoRATrainConfig, "sft": SFTConfig}


@pytest.mark.parametrize("path", CONFIGS, ids=lambda path: path.stem)
def test_committed_recipe_resolves_with_its_tasks(path):
    config_cls = CONFIG_CLASSES[path.stem.split("-")[0]]
    config = build_config(config_cls, read_config_file(path))
    library = load_task_library(default_tasks_dir())
    split = load_split(default_tasks_dir() / "split.yaml", library)
    train = load_tasks(config.tasks, {**config.task_args, "train_limit": 1, "val_limit": 0})
    assert all(t.train for t in train)
    if config.task_args.get("split") == "heldout":
        # An oracle recipe: held-out tasks' own training splits, validated on themselves.
        assert {t.name for t in train} <= set(split.heldout)
        assert config.heldout_tasks is None
        return
    heldout = load_tasks(config.heldout_tasks or "", {**config.heldout_task_args, "val_limit": 1})
    assert {t.name for t in heldout} == set(split.heldout)
    # Template tasks are named after their T0 file; every other task is a split training task.
    assert {t.name for t in train} & set(library) <= set(split.train)


def test_the_bundle_recipe_still_resolves_to_the_tasks_the_bundle_was_trained_on():
    bundle = json.loads((repo_root() / "bundles/smollm2-135m-instruct-t2l-sft/hypernet.json")
                        .read_text())
    config = build_config(SFTConfig, read_config_file(CONFIG_DIR / "sft-smollm2-250.yaml"))
    tasks = load_tasks(config.tasks, {**config.task_args, "train_limit": 1, "val_limit": 0})
    assert [t.name for t in tasks] == bundle["meta"]["training"]["tasks"]
