"""Builders on a tiny data pack written per test: every record format and option source."""

from __future__ import annotations

import gzip
import json

import pytest

from t2l.tasks import (
    build_task_data,
    build_template_tasks,
    eval_examples,
    parse_task_spec,
    train_examples,
)
from t2l.tasks.records import task_descriptions

DESCRIPTIONS = [f"Toy description {i}." for i in range(10)]


def spec(**fields):
    base = {"schema": "t2l.task/v1", "name": "toy", "descriptions": DESCRIPTIONS,
            "metric": "exact_match", "prompt_template": "{q}", "answer_field": "a"}
    return parse_task_spec({**base, **fields}, "toy.yaml")


def write_jsonl(path, rows):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))


@pytest.fixture
def data(tmp_path):
    write_jsonl(tmp_path / "t0/a.jsonl", [{"prompt": f"a{i}", "completion": f"A{i}<|endoftext|>"}
                                          for i in range(3)])
    write_jsonl(tmp_path / "t0/b.jsonl", [{"prompt": f"b{i}", "completion": f"B{i}<|endoftext|>"}
                                          for i in range(3)])
    write_jsonl(tmp_path / "math/rows.jsonl", [
        {"q": f"What is {i}+{i}?", "a": f"{i}+{i}=<<{i}+{i}={2 * i}>>{2 * i}\n#### {2 * i}"}
        for i in range(6)])
    (tmp_path / "mc").mkdir()
    (tmp_path / "mc/items.json").write_text(json.dumps({"examples": [
        {"input": "Pick one.\nOptions:\n(A) x\n(B) y", "target": "(B)"}]}))
    write_jsonl(tmp_path / "pairs/valid.jsonl", [{"goal": "g", "s1": "one", "s2": "two"}] * 2)
    (tmp_path / "pairs/labels.lst").write_text("1\n0\n")
    with gzip.open(tmp_path / "pairs/code.jsonl.gz", "wt") as handle:
        handle.write(json.dumps({"q": "def f():", "a": "return 1"}) + "\n")
    write_jsonl(tmp_path / "user/rows.jsonl", [
        {"instruction": "Echo.", "instances": [{"input": "x", "output": "x"},
                                                {"input": "y", "output": "y"}]}])
    return tmp_path


def test_interleaved_t0_files_cover_every_template_in_each_slice(data):
    task = spec(source={"dataset": "t0", "files": ["t0/a.jsonl", "t0/b.jsonl"], "interleave": True},
                prompt_template="{prompt}", answer_field="completion",
                strip_suffix="<|endoftext|>", split={"eval": ":2", "train": "2:"})
    assert [e.prompt for e in eval_examples(task, data)] == ["a0", "b0"]
    assert [(e.prompt, e.completion) for e in train_examples(task, data, limit=2)] == [
        ("a1", "A1"), ("b1", "B1")]


def test_templates_split_a_pooled_task_into_its_files_with_the_pooled_records(data):
    write_jsonl(data / "t0/c.jsonl", [{"prompt": "c0", "completion": "C0<|endoftext|>"}])
    task = spec(source={"dataset": "t0", "files": ["t0/a.jsonl", "t0/b.jsonl", "t0/c.jsonl"],
                        "interleave": True},
                prompt_template="{prompt}", answer_field="completion",
                strip_suffix="<|endoftext|>", split={"eval": ":4", "train": "4:"})
    templates = build_template_tasks(task, data, descriptions_per_template=2)
    # Pooled order a0 b0 c0 a1 | b1 a2 b2: c's one record is eval, so c has no template task.
    assert [(t.name, [e.prompt for e in t.train], [e.prompt for e in t.val]) for t in templates] \
        == [("a", ["a2"], ["a0", "a1"]), ("b", ["b1", "b2"], ["b0"])]
    pooled = build_task_data(task, data)
    assert sorted(e.prompt for t in templates for e in t.train) == sorted(
        e.prompt for e in pooled.train)
    assert templates[1].descriptions[1].startswith(DESCRIPTIONS[0])
    assert len(templates[1].descriptions) == 3


@pytest.mark.parametrize(
    "source",
    [{"dataset": "math", "files": ["math/rows.jsonl"]},
     {"dataset": "t0", "eval_files": ["t0/a.jsonl"], "train_files": ["t0/b.jsonl"]}],
)
def test_templates_need_a_trainable_task_pooling_files(data, source):
    task = spec(source=source, split={"eval": ":1", "train": "1:"})
    with pytest.raises(ValueError, match="pooling several `source.files`"):
        build_template_tasks(task, data)


def test_answer_pattern_and_completion_cleanup(data):
    task = spec(source={"dataset": "math", "files": ["math/rows.jsonl"]},
                answer_pattern=r"####\s*(\S+)\s*$", answer_type="number",
                completion_template="{a}", completion_remove=["<<[^>]*>>"],
                split={"eval": ":2", "train": "2:"})
    first = eval_examples(task, data)[1]
    assert (first.prompt, first.reference) == ("What is 1+1?", "2")
    assert train_examples(task, data)[0].completion == "2+2=4\n#### 4"


def test_number_answers_train_on_their_canonical_form(data):
    write_jsonl(data / "floats/rows.jsonl", [
        {"q": "7/2?", "a": "3.5000"}, {"q": "2*4?", "a": "8.0"}, {"q": "Why?", "a": "because"}])
    source = {"dataset": "floats", "files": ["floats/rows.jsonl"]}
    task = spec(source=source, answer_type="number", split={"eval": ":0", "train": ":2"})
    assert [e.completion for e in train_examples(task, data)] == ["3.5", "8"]
    assert eval_examples(spec(source=source, answer_type="number"), data)[1].reference == "8.0"
    broken = spec(source=source, answer_type="number", split={"eval": ":0", "train": "2:"})
    with pytest.raises(ValueError, match="is not a number .*answer_type: text"):
        train_examples(broken, data)


def test_overlapping_slices_of_one_file_are_refused(data):
    task = spec(source={"dataset": "math", "files": ["math/rows.jsonl"]},
                split={"eval": ":4", "train": "3:"})
    with pytest.raises(ValueError, match="share 1 records"):
        eval_examples(task, data)


def test_eval_only_tasks_refuse_training(data):
    task = spec(source={"dataset": "math", "files": ["math/rows.jsonl"]})
    with pytest.raises(ValueError, match="evaluation-only"):
        train_examples(task, data)
    task_data = build_task_data(task, data, val_limit=2)  # held-out validation only
    assert (task_data.train, len(task_data.val)) == ([], 2)


def test_options_from_a_pattern_with_the_answer_as_label(data):
    task = spec(source={"dataset": "mc", "files": ["mc/items.json"], "records_key": "examples"},
                prompt_template="{input}", answer_field="target", metric="mc_loglik",
                options={"pattern": r"(?m)^\([A-Z]\)"})
    item = eval_examples(task, data)[0]
    assert (item.options, item.label, item.reference) == (("(A)", "(B)"), 1, "(B)")


def test_options_from_fields_with_a_labels_file(data):
    task = spec(source={"dataset": "pairs", "files": ["pairs/valid.jsonl"],
                        "labels_file": "pairs/labels.lst"},
                prompt_template="{goal}", answer_field="label", metric="mc_loglik",
                options={"fields": ["s1", "s2"], "label_field": "label"})
    assert [(e.label, e.reference) for e in eval_examples(task, data)] == [(1, "two"), (0, "one")]


def test_gzip_jsonl_and_exploded_instances(data):
    code = spec(source={"dataset": "c", "files": ["pairs/code.jsonl.gz"]})
    assert eval_examples(code, data)[0].reference == "return 1"
    user = spec(source={"dataset": "u", "files": ["user/rows.jsonl"], "explode": "instances"},
                prompt_template="{instruction}\n\n{input}", answer_field="output")
    assert [(e.prompt, e.reference) for e in eval_examples(user, data)] == [
        ("Echo.\n\nx", "x"), ("Echo.\n\ny", "y")]


def test_list_fields_render_as_lines(data):
    write_jsonl(data / "code/rows.jsonl", [{"q": "f", "tests": ["assert f(1)", "assert f(2)"]}])
    task = spec(source={"dataset": "c", "files": ["code/rows.jsonl"]},
                prompt_template="{q}\n{tests_lines}", answer_field="q")
    assert eval_examples(task, data)[0].prompt == "f\nassert f(1)\nassert f(2)"


@pytest.mark.parametrize(
    ("fields", "message"),
    [({"prompt_template": "{missing}"}, "template field 'missing'"),
     ({"answer_field": "nope"}, "answer_field 'nope'"),
     ({"source": {"dataset": "x", "files": ["absent.jsonl"]}}, "absent.jsonl is missing")],
)
def test_record_mismatches_name_the_problem(data, fields, message):
    task = spec(**{"source": {"dataset": "math", "files": ["math/rows.jsonl"]}, **fields})
    with pytest.raises(ValueError, match=message):
        eval_examples(task, data)


def test_task_data_carries_descriptions_train_and_val(data):
    task = spec(source={"dataset": "math", "files": ["math/rows.jsonl"]},
                split={"eval": ":2", "train": "2:"})
    task_data = build_task_data(task, data, train_limit=3)
    assert task_data.name == "toy" and task_data.descriptions == DESCRIPTIONS
    assert (len(task_data.train), len(task_data.val)) == (3, 2)


def test_descriptions_from_the_t2l_metadata(data):
    folder = data / "t2l_task_descriptions/toy"
    folder.mkdir(parents=True)
    folder.joinpath("metadata.yaml").write_text(
        "descriptions:\n" + "".join(f"- Loaded   description {i}.\n" for i in range(12)))
    task = spec(source={"dataset": "math", "files": ["math/rows.jsonl"]}, descriptions=None,
                descriptions_from="t2l_task_descriptions/toy")
    texts = task_descriptions(task, data)
    assert len(texts) == 12 and texts[0] == "Loaded description 0."
