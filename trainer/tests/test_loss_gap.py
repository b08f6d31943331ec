import json

import pytest
import torch
from conftest import make_encoder, make_llama, make_tokenizer, perturb
from synthetic_tasks import make_tasks

from t2l.eval.loss_gap import condition_texts, loss_gap
from t2l.eval.loss_gap_cli import LossGapConfig, appended
from t2l.eval.loss_gap_summary import summarize
from t2l.eval.methods import held_out_descriptions
from t2l.hypernet import HyperNetConfig, HyperNetwork
from t2l.recipes.frozen_base import frozen_base
from t2l.report.loss_gap_table import LOSS_GAP_SCHEMA
from t2l.sft_batch import collate, completion_loss, completion_loss_per_example
from t2l.sft_tasks import prepare_tasks


def test_conditions_are_the_evals_own_descriptions():
    tasks = make_tasks(["reverse", "upper", "double"])
    texts = condition_texts(tasks, seed=0)
    drawn = {t.name: held_out_descriptions(t.descriptions, 1, 0, t.name)[0] for t in tasks}
    assert [texts[n]["matched"] for n in drawn] == list(drawn.values())
    assert [texts[n]["other"] for n in drawn] == [drawn["upper"], drawn["double"], drawn["reverse"]]
    for name, matched in drawn.items():
        random_text = texts[name]["random"]
        assert random_text not in drawn.values() and 0 < len(random_text) <= len(matched)
    assert condition_texts(tasks, seed=0) == texts  # seeded: the same strings every run
    with pytest.raises(ValueError, match="--heldout-tasks.*>= 2 tasks"):
        condition_texts(tasks[:1], seed=0)


def test_per_example_loss_averages_each_examples_own_tokens():
    tokenizer = make_tokenizer()
    examples = prepare_tasks(make_tasks(["reverse"]), tokenizer, None, 48, 2)[0].train[:3]
    batch = collate(examples, tokenizer.pad_token_id)
    logits = torch.randn(*batch["input_ids"].shape, 40, generator=torch.Generator().manual_seed(0))
    per_example = completion_loss_per_example(logits, batch["labels"])  # (3,)
    for row in range(3):
        alone = completion_loss(logits[row : row + 1], batch["labels"][row : row + 1])
        assert per_example[row] == pytest.approx(alone.item(), rel=1e-5)


def _setup(seed: int | None):
    tasks = make_tasks(["reverse", "upper", "double"], examples=4)
    base, tokenizer = frozen_base(make_llama(), make_tokenizer(), "tiny", "q_proj,v_proj",
                                  torch.device("cpu"))
    encoder = make_encoder()
    hypernet = HyperNetwork(HyperNetConfig(targets=base.targets, embed_dim=encoder.dim, rank=4,
                                           hidden_dim=32))
    if seed is not None:  # give it weights so descriptions matter
        perturb(hypernet, seed)
    val = {t.name: t.train for t in prepare_tasks(tasks, tokenizer, None, 48, 0)}
    return base, hypernet, encoder, val, condition_texts(tasks, seed=0)


def test_an_untrained_hypernet_has_no_gap_and_a_trained_one_does():
    gap = loss_gap(*_setup(seed=None), batch_size=3)  # every description: the zero LoRA
    assert gap["tasks"] == ["reverse", "upper", "double"]
    assert all(len(gap["per_task"][n]["random"]) == 4 for n in gap["tasks"])
    for condition in ("other", "random"):
        assert gap["gap_over_matched"][condition]["excess_loss"] == pytest.approx(0, abs=1e-6)
        assert gap["gap_over_matched"][condition]["ci95"] == pytest.approx([0, 0], abs=1e-4)
    perturbed = loss_gap(*_setup(seed=1), batch_size=3)
    assert perturbed["gap_over_matched"]["other"]["excess_loss"] != pytest.approx(0, abs=1e-4)
    # Batching is bookkeeping: per-example losses do not depend on the batch size.
    again = loss_gap(*_setup(seed=1), batch_size=1)
    for name in perturbed["tasks"]:
        assert again["per_task"][name]["other"] == pytest.approx(
            perturbed["per_task"][name]["other"], rel=1e-4)


def test_guidance_zero_gives_every_condition_the_null_adapter():
    plain = loss_gap(*_setup(seed=1), batch_size=3)
    null = loss_gap(*_setup(seed=1), batch_size=3, guidance=0.0)
    assert (plain["guidance"], null["guidance"]) == (1.0, 0.0)
    for condition in ("other", "random"):
        assert null["gap_over_matched"][condition]["excess_loss"] == pytest.approx(0, abs=1e-6)
    guided = loss_gap(*_setup(seed=1), batch_size=3, guidance=2.0)
    assert guided["mean_loss"]["matched"] != pytest.approx(plain["mean_loss"]["matched"])


def test_summary_averages_tasks_not_examples():
    per_task = {
        "a": {"matched": [1.0, 1.0], "other": [2.0, 2.0], "random": [1.0, 1.0]},
        "b": {"matched": [1.0, 1.0, 1.0, 1.0], "other": [1.0] * 4, "random": [0.0] * 4},
    }
    summary = summarize(per_task)
    assert summary["mean_loss"] == {"matched": 1.0, "other": 1.5, "random": 0.5}
    assert summary["gap_over_matched"]["other"]["excess_loss"] == 0.5
    assert summary["gap_over_matched"]["other"]["ci95"] == [0.5, 0.5]  # no item noise
    assert summary["gap_over_matched"]["random"]["excess_loss"] == -0.5
    with pytest.raises(ValueError, match="no validation examples"):
        summarize({"a": {"matched": [], "other": [], "random": []}})


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"hypernets": ""}, "--hypernets is required"),
        ({"hypernets": "nolabel"}, "--hypernets 'nolabel': write LABEL=FOLDER"),
        ({"hypernets": "a=.,a=."}, "label 'a' given twice"),
        ({"hypernets": "a=/no/such/folder"}, "--hypernets a=/no/such/folder: not a folder"),
        ({"hypernets": "a=.", "batch_size": 0}, "--batch-size"),
        ({"hypernets": "a=.", "max_length": 4}, "--max-length"),
        ({"hypernets": "a=.", "device": "tpu"}, "--device"),
        ({"hypernets": "a=.", "guidance": -1.0}, "--guidance must be >= 0"),
    ],
)
def test_bad_config_names_the_flag(overrides, message):
    with pytest.raises(ValueError, match=message):
        LossGapConfig(**overrides)


def _document(rows, **config):
    return {"schema": LOSS_GAP_SCHEMA, "base_model": "tiny",
            "descriptions": {"t": {"matched": "m"}},
            "hypernets": {label: {"mean": value} for label, value in rows.items()},
            "config": {"heldout_tasks": "x:y", "heldout_task_args": {"val_limit": 2},
                       "max_length": 160, "seed": 0, **config}}


def test_append_adds_rows_and_replaces_same_label(tmp_path):
    path = tmp_path / "gap.json"
    path.write_text(json.dumps(_document({"a": 1, "b": 2})))
    merged = appended(_document({"b": 3, "c": 4}), path)
    assert merged["hypernets"] == {"a": {"mean": 1}, "b": {"mean": 3}, "c": {"mean": 4}}


@pytest.mark.parametrize(
    ("existing", "message"),
    [
        (None, "does not exist yet"),
        ({**_document({"a": 1}), "schema": "other/v1"}, "is not a t2l.description_loss_gap"),
        (_document({"a": 1}, max_length=256), r"other \['max_length'\]"),
        ({**_document({"a": 1}), "descriptions": {"t": {"matched": "n"}}}, "'descriptions'"),
    ],
)
def test_append_refuses_documents_scored_otherwise(tmp_path, existing, message):
    path = tmp_path / "gap.json"
    if existing is not None:
        path.write_text(json.dumps(existing))
    with pytest.raises(ValueError, match=f"--append: .*{message}"):
        appended(_document({"b": 2}), path)
