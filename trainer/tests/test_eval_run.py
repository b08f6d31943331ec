
"""`t2l eval` end to end on tiny in-memory models and the real task library and data pack:
all seven methods, PEFT adapters in and out, the results document, and exact resume."""

from __future__ import annotations

import json
import os
import shutil

import pytest
import torch
import yaml
from conftest import VOCAB, make_encoder, make_qwen2, make_tokenizer
from random_loras import random_lora
from safetensors.torch import load_file, save_file
from transformers import LlamaConfig, LlamaForCausalLM

from t2l.checkpoint import HYPERNET_SCHEMA, save_hypernet
from t2l.eval import run as eval_run
from t2l.eval.config import EvalConfig
from t2l.eval.methods import METHODS
from t2l.hypernet import HyperNetConfig, HyperNetwork
from t2l.peft_io import save_peft_adapter
from t2l.targets import discover_targets
from t2l.tasks import default_tasks_dir

TASKS = ("bbh_boolean_expressions", "bbh_object_counting", "mbpp", "self_instruct_user")


@pytest.fixture(scope="module")
def artifacts(tmp_path_factory):
    root = tmp_path_factory.mktemp("eval-artifacts")
    torch.manual_seed(0)
    model = LlamaForCausalLM(LlamaConfig(
        vocab_size=len(VOCAB), hidden_size=32, intermediate_size=48, num_hidden_layers=2,
        num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=4096,
        pad_token_id=0, bos_token_id=2, eos_token_id=3,
    ))
    model.save_pretrained(root / "base")
    make_tokenizer().save_pretrained(root / "base")
    targets = discover_targets(model, "q_proj,v_proj")

    encoder = make_encoder()
    encoder.model.save_pretrained(root / "encoder")
    encoder.tokenizer.save_pretrained(root / "encoder")
    hypernet = HyperNetwork(HyperNetConfig(targets=targets, embed_dim=encoder.dim, rank=2,
                                           lora_alpha=4.0, hidden_dim=16, num_blocks=1))
    torch.nn.init.normal_(next(iter(hypernet.parameters())))
    save_hypernet(root / "hypernet", hypernet, {
        "encoder": {"name": str(root / "encoder"), "pooling": "mean", "normalize": True,
                    "max_length": 64},
        "training": {"mode": "test", "steps": 0},
    })
    save_peft_adapter(root / "multitask", random_lora(targets, 1))
    save_peft_adapter(root / "oracles" / "mbpp" / "adapter", random_lora(targets, 2))  # run layout
    return root


def config(artifacts, tmp_path, **overrides) -> EvalConfig:
    values = dict(
        base_model=str(artifacts / "base"), tasks=TASKS, limit=1, descriptions_per_task=2,
        max_new_tokens=4, batch_size=2, code_timeout_s=5.0,
        multitask_lora=str(artifacts / "multitask"), oracle_loras=str(artifacts / "oracles"),
        hypernet=str(artifacts / "hypernet"), run_dir=str(tmp_path / "run"),
        output=str(tmp_path / "eval_heldout.json"), label="test",
    )
    return EvalConfig(**{**values, **overrides})


def test_all_methods_end_to_end_then_resume_without_rescoring(artifacts, tmp_path, monkeypatch):
    results = eval_run.run_eval(config(artifacts, tmp_path))

    written = json.loads((tmp_path / "eval_heldout.json").read_text())
    assert written == json.loads(json.dumps(results))
    assert written["base_model"] == str(artifacts / "base")
    assert written["tasks"] == list(TASKS)
    assert list(written["methods"]) == list(METHODS)
    for method, row in written["methods"].items():
        assert set(row["per_task"]) == set(TASKS)
        for task, score in row["per_task"].items():
            if method == "oracle_lora" and task != "mbpp":
                assert score is None  # eval-only tasks have no oracle
            else:
                assert 0.0 <= score <= 1.0
                # Item scores, averaged over conditions, for the bar's paired intervals.
                assert len(row["per_item"][task]) == 1
                assert row["per_item"][task][0] == pytest.approx(score, abs=1e-6)
        scored = [v for v in row["per_task"].values() if v is not None]
        assert row["avg"] == pytest.approx(sum(scored) / len(scored))
    assert len(written["methods"]["t2l"]["per_condition"]["mbpp"]) == 2
    # Multiple-choice tasks say what the answers were made of: one item has one answer, and
    # balanced accuracy over one gold answer is plain accuracy.
    for method, row in written["methods"].items():
        summary = row["choices"]["bbh_boolean_expressions"]
        if method == "oracle_lora":
            assert row["choices"] == {"bbh_boolean_expressions": None}
            continue
        assert list(row["choices"]) == ["bbh_boolean_expressions"]
        assert summary["modal_choice_share"] == 1.0
        assert summary["balanced_accuracy"] == row["per_task"]["bbh_boolean_expressions"]
    assert written["run"]["label"] == "test"
    assert written["run"]["items_per_task"] == dict.fromkeys(TASKS, 1)
    assert written["run"]["device"] == "cpu"  # what the flag resolved to, whatever it said
    assert written["artifacts"]["hypernet_training"] == {"mode": "test", "steps": 0}

    # Every generated T2L adapter is a PEFT folder on disk, as users receive it.
    adapters = list((tmp_path / "run" / "adapters").rglob("adapter_config.json"))
    assert len(adapters) == 3 * len(TASKS) * 2

    monkeypatch.setattr(eval_run, "score_items", _must_not_score)
    again = eval_run.run_eval(config(artifacts, tmp_path))
    assert again["methods"] == results["methods"]
    assert results["run"]["scoring_time_s"] > 0  # resumed work still counts its first cost
    assert again["run"]["scoring_time_s"] == pytest.approx(results["run"]["scoring_time_s"],
                                                           abs=0.5)

    # Conditions recorded before choices were kept still resume; their summary is unknown.
    progress = tmp_path / "run" / "progress.jsonl"
    rows = [json.loads(line) for line in progress.read_text().splitlines()]
    progress.write_text("".join(json.dumps({k: v for k, v in row.items() if k != "item_choices"})
                                + "\n" for row in rows))
    older = eval_run.run_eval(config(artifacts, tmp_path))
    assert older["methods"]["t2l"]["choices"] == {"bbh_boolean_expressions": None}
    assert older["methods"]["t2l"]["per_task"] == results["methods"]["t2l"]["per_task"]


def test_t2l_adapters_depend_on_the_description(artifacts, tmp_path):
    results = eval_run.run_eval(config(
        artifacts, tmp_path, methods=("t2l",), tasks=("self_instruct_user", "bbh_navigate"),
        limit=2, max_new_tokens=8))
    folders = sorted((tmp_path / "run" / "adapters" / "t2l").rglob("adapter_model.safetensors"))
    blobs = {f.read_bytes() for f in folders}
    assert len(folders) == 4 and len(blobs) == 4
    assert set(results["methods"]) == {"t2l"}


def test_generation_limit_sets_the_items_of_generated_answer_tasks_only(artifacts, tmp_path):
    # boolean_expressions is scored by option likelihood, object_counting by its generated answer.
    results = eval_run.run_eval(config(
        artifacts, tmp_path, methods=("base",), limit=3, generation_limit=1, label=None,
        tasks=("bbh_boolean_expressions", "bbh_object_counting")))
    assert results["run"]["items_per_task"] == {"bbh_boolean_expressions": 3,
                                                "bbh_object_counting": 1}
    assert [len(results["methods"]["base"]["per_item"][t]) for t in results["tasks"]] == [3, 1]
    assert results["run"]["label"] == ("quick (limit 3 items per task, 1 where the answer is "
                                       "generated)")


@pytest.mark.parametrize(
    ("limit", "generation_limit", "label"),
    [
        (None, None, "full"),
        (20, None, "quick (limit 20 items per task)"),
        (None, 20, "quick (limit all items per task, 20 where the answer is generated)"),
    ],
)
def test_default_label_names_the_limits(artifacts, tmp_path, limit, generation_limit, label):
    assert config(artifacts, tmp_path, limit=limit, generation_limit=generation_limit,
                  label=None).run_label == label


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"methods": ("base", "magic")}, "--methods magic"),
        ({"hypernet": None}, "method t2l needs --hypernet"),
        ({"multitask_lora": None}, "needs --multitask-lora"),
        ({"limit": 0}, "--limit must be >= 1"),
        ({"generation_limit": 0}, "--generation-limit must be >= 1"),
        ({"descriptions_per_task": 0}, "--descriptions-per-task must be >= 1"),
        ({"oracle_loras": "/nonexistent"}, "--oracle-loras /nonexistent is not a folder"),
        ({"guidance": -0.5}, "--guidance must be >= 0"),
    ],
)
def test_bad_config_names_the_flag(artifacts, tmp_path, overrides, message):
    with pytest.raises(ValueError, match=message):
        config(artifacts, tmp_path, **overrides)


def test_missing_oracle_for_a_trainable_task_is_refused_before_any_scoring(artifacts, tmp_path):
    with pytest.raises(ValueError, match="--oracle-loras .*piqa: not a PEFT LoRA folder"):
        eval_run.run_eval(config(artifacts, tmp_path, tasks=("piqa", "mbpp")))


def test_hypernet_for_another_base_model_is_refused(artifacts, tmp_path):
    other = discover_targets(make_qwen2(), "q_proj,v_proj")  # 3 layers, not 2
    save_hypernet(tmp_path / "other", HyperNetwork(HyperNetConfig(targets=other, embed_dim=16,
                                                                  hidden_dim=16, num_blocks=1)))
    with pytest.raises(ValueError, match="trained for other LoRA targets"):
        eval_run.run_eval(config(artifacts, tmp_path, hypernet=str(tmp_path / "other"),
                                 methods=("t2l",)))


def test_runs_splitting_the_methods_share_scores_and_a_new_artifact_rescores_only_its_methods(
    artifacts, tmp_path, monkeypatch
):
    # Two runs take half the methods each (as parallel workers would); a third with all of them
    # on another device and batch size only aggregates.
    eval_run.run_eval(config(artifacts, tmp_path, methods=("base", "multitask_lora")))
    eval_run.run_eval(config(artifacts, tmp_path, methods=("t2l",)))
    scored = _record_scoring(monkeypatch)
    methods = ("base", "multitask_lora", "t2l")
    eval_run.run_eval(config(artifacts, tmp_path, methods=methods, batch_size=3, device="cpu"))
    assert scored == []

    # The same weights elsewhere, touched, with a bundle's exported files beside them: the
    # scores still hold.
    moved = tmp_path / "bundle"
    shutil.copytree(artifacts / "hypernet", moved)
    os.utime(moved / "hypernet.safetensors", ns=(0, 0))
    (moved / "encoder.onnx").write_bytes(b"graph")
    (moved / "manifest.json").write_text("{}")
    eval_run.run_eval(config(artifacts, tmp_path, methods=methods, hypernet=str(moved)))
    assert scored == []

    # A retrained hypernetwork (other weights) invalidates the T2L scores and nothing else.
    weights = load_file(moved / "hypernet.safetensors")
    save_file({k: v + 0.01 for k, v in weights.items()}, moved / "hypernet.safetensors",
              metadata={"format": "pt", "schema": HYPERNET_SCHEMA})
    eval_run.run_eval(config(artifacts, tmp_path, methods=methods, hypernet=str(moved)))
    assert len(scored) == 2 * len(TASKS)  # two descriptions per task, T2L only


def test_guidance_writes_rank_2r_peft_adapters_and_rescores_only_t2l(
    artifacts, tmp_path, monkeypatch
):
    methods, tasks = ("base", "t2l"), ("bbh_boolean_expressions",)
    plain = eval_run.run_eval(config(artifacts, tmp_path, methods=methods, tasks=tasks))
    assert "guidance" not in plain["artifacts"]
    scored = _record_scoring(monkeypatch)
    guided = eval_run.run_eval(config(artifacts, tmp_path, methods=methods, tasks=tasks,
                                      guidance=2.0))
    assert len(scored) == 2 and guided["artifacts"]["guidance"] == 2.0  # T2L's two descriptions
    adapter = next((tmp_path / "run" / "adapters" / "t2l").rglob("adapter_config.json"))
    peft_config = json.loads(adapter.read_text())
    # Rank 2r at alpha 2 * alpha: PEFT's scaling alpha / r is the hypernetwork's own.
    assert (peft_config["r"], peft_config["lora_alpha"]) == (4, 8.0)
    # Back at guidance 1, the earlier plain scores still hold: nothing is scored again.
    scored.clear()
    eval_run.run_eval(config(artifacts, tmp_path, methods=methods, tasks=tasks))
    assert scored == []


def _edit_spec(tasks_dir, task: str, key: str, value: str) -> None:
    path = tasks_dir / f"{task}.yaml"
    spec = yaml.safe_load(path.read_text())
    path.write_text(yaml.safe_dump({**spec, key: value}, sort_keys=False))


def test_a_changed_task_spec_rescores_that_task_alone(artifacts, tmp_path, monkeypatch):
    tasks_dir = tmp_path / "tasks"
    shutil.copytree(default_tasks_dir(), tasks_dir)
    run = dict(methods=("base", "t2l"), tasks_dir=str(tasks_dir))
    first = eval_run.run_eval(config(artifacts, tmp_path, **run))
    scored = _record_scoring(monkeypatch)
    # Prose and layout are not the protocol: nothing is scored again.
    _edit_spec(tasks_dir, "mbpp", "notes", "reworded")
    again = eval_run.run_eval(config(artifacts, tmp_path, **run))
    assert scored == []
    assert again["run"]["task_specs"] == first["run"]["task_specs"]

    # Another prompt is another protocol: that task's conditions alone (base 1, T2L 2) rescore,
    # and the document names the spec each task was scored under.
    _edit_spec(tasks_dir, "mbpp", "prompt_template", "Python, please.\n{text}")
    changed = eval_run.run_eval(config(artifacts, tmp_path, **run))
    assert scored == ["mbpp"] * 3
    specs, before = changed["run"]["task_specs"], first["run"]["task_specs"]
    assert specs["mbpp"] != before["mbpp"]
    assert {t: d for t, d in specs.items() if t != "mbpp"} == \
        {t: d for t, d in before.items() if t != "mbpp"}


def test_scoring_some_held_out_tasks_plans_the_conditions_of_scoring_them_all(
    artifacts, tmp_path, monkeypatch
):
    # The control borrows along the split's order, so a run of mbpp alone (no second task to
    # borrow from among its own) scores what a wider run already did.
    wider = eval_run.run_eval(config(artifacts, tmp_path, methods=("t2l_other_descriptions",),
                                     tasks=("bbh_boolean_expressions", "mbpp")))
    monkeypatch.setattr(eval_run, "score_items", _must_not_score)
    alone = eval_run.run_eval(config(artifacts, tmp_path, methods=("t2l_other_descriptions",),
                                     tasks=("mbpp",)))
    assert alone["methods"]["t2l_other_descriptions"]["per_condition"]["mbpp"] == \
        wider["methods"]["t2l_other_descriptions"]["per_condition"]["mbpp"]
    assert alone["run"]["descriptions"] == {"mbpp": wider["run"]["descriptions"]["mbpp"]}
    # mbpp borrows from humaneval, the next held-out task in split.yaml, not from the run's
    # next task.
    made = tmp_path / "run" / "predictions" / "t2l_other_descriptions" / "mbpp"
    assert sorted(p.name for p in made.iterdir()) == ["humaneval_d0.jsonl", "humaneval_d1.jsonl"]


def _must_not_score(*args, **kwargs):
    raise AssertionError("a finished condition was scored again")


def _record_scoring(monkeypatch) -> list[str]:
    """The tasks of every condition scored from now on, in order (resumed ones are not)."""
    scored: list[str] = []
    real_score_items = eval_run.score_items

    def recording(model, tokenizer, spec, *args, **kwargs):
        scored.append(spec.name)
        return real_score_items(model, tokenizer, spec, *args, **kwargs)

    monkeypatch.setattr(eval_run, "score_items", recording)
    return scored
