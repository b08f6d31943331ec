"""Task spec validation: a good spec parses; each mistake names the file and the key."""

from __future__ import annotations

import copy

import pytest

from t2l.tasks.spec import parse_slice, parse_task_spec

GOOD = {
    "schema": "t2l.task/v1",
    "name": "toy",
    "source": {"dataset": "toy", "files": ["toy/data.jsonl"]},
    "descriptions": [f"Description number {i}." for i in range(10)],
    "prompt_template": "Q: {question}",
    "answer_field": "answer",
    "metric": "exact_match",
    "split": {"eval": ":4", "train": "4:"},
}


def with_changes(**changes):
    spec = copy.deepcopy(GOOD)
    for key, value in changes.items():
        if value is None:
            spec.pop(key)
        else:
            spec[key] = value
    return spec


def test_good_spec_parses():
    spec = parse_task_spec(GOOD, "toy.yaml")
    assert spec.trainable and spec.source.files == ("toy/data.jsonl",)
    assert len(spec.descriptions) == 10


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"schema": "t2l.task/v0"}, "schema: t2l.task/v1"),
        ({"metric": "bleu"}, "metric 'bleu'"),
        ({"name": "Bad Name"}, "lower_snake_case"),
        ({"descriptions": ["only one"]}, "at least 10"),
        ({"descriptions": ["same"] * 12}, "1 distinct descriptions"),
        ({"descriptions": [{"Note": "colon"}, *(f"d{i}" for i in range(10))]}, "must be a string"),
        ({"prompt_template": None}, "missing required key `prompt_template`"),
        ({"color": "blue"}, r"unknown key\(s\) \['color'\]"),
        ({"source": {"dataset": "toy"}}, "needs `files` or `eval_files`"),
        ({"source": {"dataset": "toy", "files": ["a"], "format": "csv"}}, "source: unknown key"),
        ({"metric": "mc_loglik"}, "`options` is required for mc_loglik"),
        ({"options": {"fixed": ["a", "b"]}}, "only for it"),
        ({"metric": "mc_loglik", "options": {"fixed": ["a", "b"], "fields": ["x"]}}, "exactly one"),
        ({"metric": "pass_at_1"}, "`code_harness` is required"),
        ({"metric": "pass_at_1", "code_harness": "java"}, "code_harness 'java'"),
        ({"split": {"eval": "1-4"}}, "not a slice"),
        ({"answer_pattern": "(unclosed"}, "bad regex"),
        ({"answer_type": "date"}, "answer_type 'date'"),
    ],
)
def test_bad_specs_are_refused_with_the_key_named(changes, message):
    with pytest.raises(ValueError, match=message):
        parse_task_spec(with_changes(**changes), "toy.yaml")


def test_file_name_must_match_the_task_name():
    with pytest.raises(ValueError, match=r"file name must be the task name \(toy.yaml\)"):
        parse_task_spec(GOOD, "other.yaml")


@pytest.mark.parametrize(
    ("text", "expected"),
    [(":", slice(None, None)), (":50", slice(None, 50)), ("10:510", slice(10, 510)),
     ("-5:", slice(-5, None))],
)
def test_slices(text, expected):
    assert parse_slice(text, "here") == expected
