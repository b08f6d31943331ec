"""Held-out loss over the first recipes' training seeds: which documents are seeds, each method's
excess over T2L by seed and on average, and the table."""

import pytest

from t2l.eval.method_losses import summarize
from t2l.report.method_loss_seeds import (
    method_loss_seeds_section,
    seed_excess,
    seed_loss_documents,
)
from t2l.report.method_loss_table import METHOD_LOSS_SCHEMA

SEED0, SEED1, SEED2 = ("heldout_method_loss_seed0", "heldout_method_loss_seed1",
                       "heldout_method_loss_seed2")


def loss_document(max_length: int = 64, **losses: list[float]) -> dict:
    """One task, its examples' losses by method, as `t2l eval-loss` writes it."""
    per_task = {"a": losses}
    return {"schema": METHOD_LOSS_SCHEMA, "created": "2026-12-01T00:00:00+00:00",
            "base_model": "tiny", "per_task": per_task, **summarize(per_task),
            "config": {"heldout_tasks": "library", "heldout_task_args": {"val_limit": 2},
                       "descriptions_per_task": 1, "max_length": max_length, "seed": 0}}


FIRST = loss_document(t2l=[1.0, 1.0], multitask_lora=[0.5, 0.5], base=[2.0, 2.0])
RETRAIN = loss_document(t2l=[1.5, 1.5], multitask_lora=[1.0, 1.0])


@pytest.mark.parametrize(("documents", "seeds"), [
    ({}, []),
    ({SEED1: RETRAIN}, []),  # no seed 0: no examples to hold the seeds to
    ({SEED1: RETRAIN, SEED0: FIRST}, [SEED0, SEED1]),
    ({SEED0: FIRST, SEED1: loss_document(128, t2l=[1.0, 1.0], base=[2.0, 2.0])}, [SEED0]),
    ({SEED0: FIRST, "heldout_method_loss_other": RETRAIN}, [SEED0]),  # not a seed
    # The default teacher's own document is no seed of the first recipes.
    ({SEED0: FIRST, "heldout_method_loss": RETRAIN}, [SEED0]),
    ({SEED0: FIRST, SEED1: {"schema": "something/v1"}}, [SEED0]),
])
def test_a_seed_counts_only_on_seed_0s_examples(documents, seeds):
    assert list(seed_loss_documents(documents)) == seeds


def test_trained_methods_are_each_seeds_own_and_the_base_is_seed_0s():
    seeds = seed_loss_documents({SEED0: FIRST, SEED1: RETRAIN})
    lora = seed_excess(seeds, "multitask_lora")
    assert lora["by_seed"] == pytest.approx({SEED0: -0.5, SEED1: -0.5})
    assert lora["mean"] == pytest.approx(-0.5) and lora["ci95"] == pytest.approx([-0.5, -0.5])
    base = seed_excess(seeds, "base")
    assert base["by_seed"] == pytest.approx({SEED0: 1.0, SEED1: 0.5})
    assert base["mean"] == pytest.approx(0.75) and base["ci95"] == pytest.approx([0.5, 1.0])


def test_a_method_one_seed_scored_has_no_mean():
    controls = loss_document(t2l=[1.0, 1.0], t2l_random_descriptions=[1.2, 1.2])
    seeds = seed_loss_documents({SEED0: FIRST, SEED1: controls})
    assert seed_excess(seeds, "t2l_random_descriptions") is None
    assert "random strings" not in method_loss_seeds_section({SEED0: FIRST, SEED1: controls})


def test_the_table_has_a_column_a_seed_and_dashes_where_a_seed_did_not_score_a_method():
    assert method_loss_seeds_section({SEED0: FIRST}) is None
    without_lora = loss_document(t2l=[0.5, 0.5])
    section = method_loss_seeds_section({SEED0: FIRST, SEED1: RETRAIN, SEED2: without_lora})
    assert "| method | seed 0 | seed 1 | seed 2 | mean over seeds |" in section
    assert ("| multi-task LoRA (`multitask_lora`) | -0.5000 | -0.5000 | — "
            "| -0.5000 [-0.5000, -0.5000] |") in section
    assert "| base model (`base`) | +1.0000 | +0.5000 | +1.5000 | +1.0000 [" in section
