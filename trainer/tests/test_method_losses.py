import copy
import json

import pytest
import torch
from conftest import make_encoder, make_llama, make_tokenizer
from peft import PeftModel
from random_loras import random_lora
from synthetic_tasks import make_tasks

from t2l.eval.method_losses import (
    LOSS_METHODS,
    AdapterSources,
    condition_losses,
    method_losses,
    summarize,
)
from t2l.eval.method_losses_cli import MethodLossConfig
from t2l.eval.methods import Condition
from t2l.hypernet import HyperNetConfig, HyperNetwork
from t2l.peft_io import save_peft_adapter
from t2l.recipes.frozen_base import frozen_base
from t2l.report.method_loss_table import METHOD_LOSS_SCHEMA, method_loss_section
from t2l.report.render import render
from t2l.sft_batch import collate, completion_loss_per_example, tokenize_example
from t2l.task_data import Example


def _base():
    return frozen_base(make_llama(), make_tokenizer(), "tiny", "q_proj,v_proj",
                       torch.device("cpu"))


def _reference_losses(model, tokenizer, examples):
    """Per-example completion loss of `model` itself, one forward for the batch."""
    batch = collate([tokenize_example(tokenizer, e, 64) for e in examples],
                    tokenizer.pad_token_id)
    with torch.no_grad():
        logits = model(input_ids=batch["input_ids"],
                       attention_mask=batch["attention_mask"]).logits  # (B, T, V)
    return completion_loss_per_example(logits, batch["labels"]).tolist()


def test_each_condition_scores_what_the_eval_loads(tmp_path):
    """Base, description in the prompt and the multi-task adapter, each against the model a
    user would run: the plain model, the prefixed prompt, and `PeftModel.from_pretrained`."""
    base, tokenizer = _base()
    pristine = copy.deepcopy(base.model)
    examples = make_tasks(["reverse"])[0].train[:3]
    multitask = random_lora(base.targets, seed=3)
    sources = AdapterSources(multitask=multitask)

    def score(condition, batch_size=2):
        return condition_losses(base, tokenizer, examples, condition, sources, 64, batch_size)

    plain = _reference_losses(pristine, tokenizer, examples)
    assert score(Condition("base")) == pytest.approx(plain, rel=1e-5)
    assert score(Condition("base"), batch_size=1) == pytest.approx(plain, rel=1e-5)
    prefixed = [Example(f"Spell it backwards.\n\n{e.prompt}", e.completion) for e in examples]
    described = score(Condition("d0", prompt_description="Spell it backwards."))
    assert described == pytest.approx(_reference_losses(pristine, tokenizer, prefixed), rel=1e-5)
    save_peft_adapter(tmp_path / "multitask", multitask)
    peft_model = PeftModel.from_pretrained(copy.deepcopy(pristine), tmp_path / "multitask")
    adapted = score(Condition("multitask", adapter="multitask"))
    assert adapted == pytest.approx(_reference_losses(peft_model, tokenizer, examples), rel=1e-4)
    assert adapted != pytest.approx(plain, rel=1e-3)


def test_t2l_conditions_use_the_hypernets_adapter_and_need_one():
    base, tokenizer = _base()
    encoder = make_encoder()
    hypernet = HyperNetwork(HyperNetConfig(targets=base.targets, embed_dim=encoder.dim, rank=4,
                                           hidden_dim=32))
    examples = make_tasks(["upper"])[0].train[:2]
    condition = Condition("d0", t2l_description="Write the word in capitals.")
    untrained = condition_losses(base, tokenizer, examples, condition,
                                 AdapterSources(hypernet=hypernet, encoder=encoder), 64, 2)
    # B heads start at zero: an untrained hypernet's adapter leaves the base model as it is.
    assert untrained == pytest.approx(_reference_losses(base.model, tokenizer, examples),
                                      rel=1e-5)
    with pytest.raises(ValueError, match="need --hypernet"):
        condition_losses(base, tokenizer, examples, condition, AdapterSources(), 64, 2)
    with pytest.raises(ValueError, match="needs --multitask-lora"):
        condition_losses(base, tokenizer, examples, Condition("m", adapter="multitask"),
                         AdapterSources(), 64, 2)


def test_methods_average_their_conditions_and_pair_examples():
    tasks = make_tasks(["reverse", "upper", "double"], descriptions=2)
    seen: list[Condition] = []

    def score(examples, condition):  # a loss per example that says which condition made it
        seen.append(condition)
        offset = 1.0 if condition.t2l_description else 2.0
        return [offset + i for i in range(len(examples))]

    per_task = method_losses(("t2l", "base", "t2l_other_descriptions"), tasks, 2, 0, score)
    assert list(per_task) == ["reverse", "upper", "double"]
    assert per_task["upper"] == {"t2l": [1.0, 2.0], "base": [2.0, 3.0],
                                 "t2l_other_descriptions": [1.0, 2.0]}
    others = [c.key for c in seen if c.key.startswith("double:")]
    assert others == ["double:d0", "double:d1"]  # upper borrows the next task's descriptions


def test_summary_compares_every_method_with_t2l_by_task():
    per_task = {
        "a": {"t2l": [1.0, 1.0], "multitask_lora": [2.0, 2.0], "base": [1.0, 1.0]},
        "b": {"t2l": [1.0] * 4, "multitask_lora": [1.0] * 4, "base": [0.0] * 4},
    }
    summary = summarize(per_task)
    assert summary["mean_loss"] == {"t2l": 1.0, "multitask_lora": 1.5, "base": 0.5}
    assert summary["excess_over_t2l"]["multitask_lora"] == {"excess_loss": 0.5,
                                                            "ci95": [0.5, 0.5]}
    assert summary["excess_over_t2l"]["base"]["excess_loss"] == -0.5
    assert "t2l" not in summary["excess_over_t2l"]
    with pytest.raises(ValueError, match="no validation examples"):
        summarize({"a": {"t2l": [], "base": []}})


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"hypernet": ""}, "--hypernet \\(missing\\)"),
        ({"hypernet": "/no/such/folder"}, "--hypernet /no/such/folder"),
        ({"methods": ("t2l", "oracle_lora")}, "--methods t2l,oracle_lora: choose"),
        ({"methods": ("t2l", "t2l")}, "choose each at most once"),
        ({"methods": ("base", "multitask_lora")}, "must include t2l"),
        ({"methods": ("t2l",)}, "at least one method"),
        ({"multitask_lora": None}, "--multitask-lora \\(missing\\)"),
        ({"batch_size": 0}, "--batch-size must be >= 1"),
        ({"max_length": 4}, "--max-length must be >= 8"),
        ({"descriptions_per_task": 0}, "--descriptions-per-task"),
        ({"device": "tpu"}, "--device"),
    ],
)
def test_bad_config_names_the_flag(tmp_path, overrides, message):
    settings = {"hypernet": str(tmp_path), "multitask_lora": str(tmp_path), **overrides}
    with pytest.raises(ValueError, match=message):
        MethodLossConfig(**settings)


def test_config_without_the_multitask_method_needs_no_folder(tmp_path):
    config = MethodLossConfig(hypernet=str(tmp_path), methods=("t2l", "base"))
    assert config.multitask_lora is None and "oracle_lora" not in LOSS_METHODS


def method_loss_document(label: str) -> dict:
    per_task = {"a": {"t2l": [1.0, 1.2, 0.8], "base": [2.0, 2.1, 1.9],
                      "multitask_lora": [1.1, 1.1, 0.8]}}
    return {"schema": METHOD_LOSS_SCHEMA, "created": "2026-11-29T00:00:00+00:00",
            "per_task": per_task, **summarize(per_task),
            "config": {"label": label, "hypernet": "h", "multitask_lora": "m",
                       "heldout_task_args": {"val_limit": 3}, "descriptions_per_task": 1,
                       "max_length": 64}}


def test_section_lists_methods_and_marks_clear_task_differences():
    section = method_loss_section(method_loss_document("tiny run"))
    assert "**tiny run**" in section and "up to 3 examples each" in section
    assert "| T2L (adapters from held-out descriptions) (`t2l`) | 1 | 1.0000 | (reference) |" \
        in section
    assert "| a | 1.000 | **2.000** | 1.000 |" in section  # base is clearly worse on task a


def test_a_run_without_the_multitask_lora_does_not_name_one():
    document = method_loss_document("controls only")
    document["config"]["multitask_lora"] = None
    assert "hypernet `h`; 1 tasks" in method_loss_section(document)
    assert "hypernet `h`, multi-task LoRA `m`; 1 tasks" in method_loss_section(
        method_loss_document("both"))


def test_every_method_loss_document_gets_its_section_headline_first(tmp_path):
    results = tmp_path / "results"
    results.mkdir()
    for stem, label in (("heldout_method_loss_seed1", "seed 1"), ("heldout_method_loss", "seed 0")):
        (results / f"{stem}.json").write_text(json.dumps(method_loss_document(label)))
    render(results, tmp_path / "RESULTS.md")
    text = (tmp_path / "RESULTS.md").read_text()
    title = "## Every method in held-out loss (`results/{}.json`)"
    first = text.index(title.format("heldout_method_loss"))
    second = text.index(title.format("heldout_method_loss_seed1"))
    assert first < text.index("**seed 0**") < second < text.index("**seed 1**")
    assert "## heldout_method_loss" not in text  # no generic key-value section besides
