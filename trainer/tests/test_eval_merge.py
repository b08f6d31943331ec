import json

import pytest

from t2l.cli import main
from t2l.eval.config import EvalConfig
from t2l.eval.merge import merge_evaluations, task_sources
from t2l.eval.merge_cli import MergeConfig
from t2l.eval.results import build_results, git_commit
from t2l.report.quality_bar import quality_bar

METRICS = {"piqa": "mc_loglik", "mbpp": "pass_at_1", "gsm8k": "exact_match"}


def _document(folder, items: dict[str, int], methods=("t2l", "multitask_lora"), offset=0.0,
              seed=0, descriptions=None, artifacts=None, spec="spec"):
    """A `t2l eval` document scoring `items[task]` items, item i of method m scoring
    ((i + len(m)) % 3 == 0) + offset, so a merge's every number can be traced to its input; each
    task scored under the spec `f"{task} {spec}"`."""
    config = EvalConfig(methods=methods, hypernet=str(folder), multitask_lora=str(folder),
                        descriptions_per_task=1, seed=seed, tasks=tuple(items))
    per_item = {m: {t: [float((i + len(m)) % 3 == 0) + offset for i in range(n)]
                    for t, n in items.items()} for m in methods}
    drawn = descriptions or {t: [f"describe {t}"] for t in items}
    return build_results(
        config=config, base_model_id="tiny", tasks=list(items),
        metrics={t: METRICS[t] for t in items}, items=items, descriptions=drawn,
        task_specs={t: f"{t} {spec}" for t in items},
        per_condition={m: {t: [sum(s) / len(s)] for t, s in rows.items()}
                       for m, rows in per_item.items()},
        per_item=per_item, artifacts=artifacts or {"hypernet": "h", "multitask_lora": "m"},
        wall_time_s=10.0, scoring_time_s=8.0,
        choices={m: {"piqa": [[i % 2 for i in range(items["piqa"])]]} for m in methods}
        if "piqa" in items else None,
        labels={"piqa": [0] * items["piqa"]} if "piqa" in items else None,
    )


def test_each_task_comes_whole_from_the_run_with_most_items(tmp_path):
    every_choice = _document(tmp_path, {"piqa": 6, "mbpp": 2, "gsm8k": 2})
    every_code = _document(tmp_path, {"mbpp": 5}, methods=("t2l", "multitask_lora", "base"),
                           offset=0.5, spec="edited spec")
    documents = {"all_items.json": every_choice, "mbpp.json": every_code}
    assert task_sources(documents) == {"piqa": ["all_items.json"], "mbpp": ["mbpp.json"],
                                       "gsm8k": ["all_items.json"]}
    merged = merge_evaluations(documents, "every item", "out.json")
    assert merged["tasks"] == ["piqa", "mbpp", "gsm8k"]
    assert merged["run"]["items_per_task"] == {"piqa": 6, "mbpp": 5, "gsm8k": 2}
    t2l = merged["methods"]["t2l"]
    assert t2l["per_item"]["mbpp"] == every_code["methods"]["t2l"]["per_item"]["mbpp"]
    assert t2l["per_item"]["piqa"] == every_choice["methods"]["t2l"]["per_item"]["piqa"]
    assert t2l["choices"] == every_choice["methods"]["t2l"]["choices"]
    assert t2l["avg"] == pytest.approx(sum(t2l["per_task"].values()) / 3)
    # The base model was scored only by the MBPP run: it is there, on that task alone.
    assert merged["methods"]["base"]["per_task"] == {"mbpp": pytest.approx(0.5 + 1 / 5)}
    assert "choices" not in merged["methods"]["base"]
    every_code["run"]["git_commit"] = "a later commit"
    merged = merge_evaluations(documents, "every item", "out.json")
    assert merged["run"]["merged_from"] == [
        {"document": "all_items.json", "label": every_choice["run"]["label"],
         "git_commit": every_choice["run"]["git_commit"], "tasks": ["piqa", "gsm8k"]},
        {"document": "mbpp.json", "label": every_code["run"]["label"],
         "git_commit": "a later commit", "tasks": ["mbpp"]},
    ]
    assert merged["run"]["git_commit"] == git_commit()  # the code that merged them
    assert merged["run"]["task_specs"] == {"piqa": "piqa spec", "mbpp": "mbpp edited spec",
                                           "gsm8k": "gsm8k spec"}
    assert merged["run"]["scoring_time_s"] == 16.0
    assert merged["config"]["label"] == "every item" and merged["config"]["limit"] is None


def test_runs_of_the_same_items_under_the_same_spec_pool_their_methods(tmp_path):
    adapters = _document(tmp_path, {"mbpp": 3, "piqa": 2})
    bases = _document(tmp_path, {"mbpp": 3}, methods=("base", "t2l"), offset=1,
                      artifacts={"hypernet": "h", "multitask_lora": None})
    documents = {"adapters.json": adapters, "bases.json": bases}
    assert task_sources(documents) == {"mbpp": ["adapters.json", "bases.json"],
                                       "piqa": ["adapters.json"]}
    merged = merge_evaluations(documents, "x", "o")
    per_task = {m: row["per_task"] for m, row in merged["methods"].items()}
    assert per_task["multitask_lora"]["mbpp"] == pytest.approx(1 / 3)  # only the first scored it
    assert per_task["base"] == {"mbpp": pytest.approx(1 + 1 / 3)}
    assert per_task["t2l"]["mbpp"] == pytest.approx(1 + 1 / 3)  # both did: the later run's
    assert merged["artifacts"]["multitask_lora"] == "m"  # as recorded by the run that used it
    assert [s["tasks"] for s in merged["run"]["merged_from"]] == [["mbpp", "piqa"], ["mbpp"]]


@pytest.mark.parametrize("unknown", ["first", "second", "both"])
def test_a_tie_with_an_unknown_spec_keeps_the_later_run_whole(tmp_path, unknown):
    first = _document(tmp_path, {"mbpp": 3}, methods=("t2l", "base"))
    second = _document(tmp_path, {"mbpp": 3}, offset=1)
    for name, document in (("first", first), ("second", second)):
        if unknown in (name, "both"):
            del document["run"]["task_specs"]  # a run from before specs were recorded
    merged = merge_evaluations({"a": first, "b": second}, "x", "o")
    assert merged["methods"]["t2l"]["per_task"]["mbpp"] == pytest.approx(1 + 1 / 3)
    assert "base" not in merged["methods"]


def test_a_tie_under_another_spec_keeps_the_later_run_whole(tmp_path):
    first = _document(tmp_path, {"mbpp": 3}, methods=("t2l", "base"))
    edited = _document(tmp_path, {"mbpp": 3}, offset=1, spec="edited spec")
    assert task_sources({"a": first, "b": edited}) == {"mbpp": ["b"]}


def test_a_run_from_before_task_specs_were_recorded_merges_with_its_specs_unknown(tmp_path):
    older = _document(tmp_path, {"mbpp": 3})
    del older["run"]["task_specs"]
    merged = merge_evaluations({"a": older, "b": _document(tmp_path, {"gsm8k": 2})}, "x", "o")
    assert merged["run"]["task_specs"] == {"mbpp": None, "gsm8k": "gsm8k spec"}


def test_artifacts_must_match_only_where_both_runs_used_them(tmp_path):
    base_only = _document(tmp_path, {"mbpp": 2}, methods=("base",), artifacts={"hypernet": None})
    t2l = _document(tmp_path, {"mbpp": 3}, methods=("t2l",))
    other_hypernet = _document(tmp_path, {"gsm8k": 3}, methods=("t2l",),
                               artifacts={"hypernet": "another", "multitask_lora": "m"})
    assert merge_evaluations({"a": base_only, "b": t2l}, "x", "o")["artifacts"]["hypernet"] == "h"
    # Checked pairwise: the first run used no hypernet, the other two used different ones.
    with pytest.raises(ValueError, match=r"--inputs c and b differ in \['artifacts'\]"):
        merge_evaluations({"a": base_only, "b": t2l, "c": other_hypernet}, "x", "o")


def test_the_quality_bar_reads_a_merged_run_with_paired_intervals(tmp_path):
    merged = merge_evaluations({"a": _document(tmp_path, {"piqa": 6, "mbpp": 2}),
                                "b": _document(tmp_path, {"mbpp": 5})}, "every item", "o.json")
    bar = quality_bar({"eval_heldout_every_item": merged, "eval_heldout": merged}, None)
    versus = next(c for c in bar["criteria"] if c["name"] == "t2l_vs_multitask_lora_every_item")
    assert versus["tasks"] == 2 and versus["margin_ci95_points"] is not None


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"seed": 1}, r"differ in \['config.seed'\]"),
        ({"descriptions": {"mbpp": ["another text"]}}, "drew other descriptions for mbpp"),
    ],
)
def test_runs_that_are_not_comparable_are_refused(tmp_path, change, message):
    first = _document(tmp_path, {"mbpp": 2})
    with pytest.raises(ValueError, match=message):
        merge_evaluations({"a": first, "b": _document(tmp_path, {"mbpp": 3}, **change)}, "x", "o")


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda d: {**d, "artifacts": {"hypernet": "other"}}, r"differ in \['artifacts'\]"),
        (lambda d: {**d, "base_model": "other"}, r"differ in \['base_model'\]"),
        (lambda d: {**d, "schema": "t2l.other/v1"}, "not a t2l.eval_heldout/v1 document"),
    ],
)
def test_documents_of_other_artifacts_or_kinds_are_refused(tmp_path, edit, message):
    first = _document(tmp_path, {"mbpp": 2})
    with pytest.raises(ValueError, match=message):
        merge_evaluations({"a": first, "b": edit(_document(tmp_path, {"mbpp": 3}))}, "x", "o")
    with pytest.raises(ValueError, match="at least two"):
        merge_evaluations({"a": first}, "x", "o")


def test_command_writes_the_merge_and_refuses_bad_flags(tmp_path, capsys):
    paths = []
    for name, items in (("a.json", {"piqa": 4, "mbpp": 2}), ("b.json", {"mbpp": 4})):
        paths.append(tmp_path / name)
        paths[-1].write_text(json.dumps(_document(tmp_path, items)))
    output = tmp_path / "merged.json"
    assert main(["merge-evals", "--inputs", f"{paths[0]},{paths[1]}", "--output", str(output),
                 "--label", "every item"]) == 0
    assert json.loads(output.read_text())["run"]["items_per_task"] == {"piqa": 4, "mbpp": 4}
    assert "b.json: mbpp" in capsys.readouterr().out
    assert main(["merge-evals", "--inputs", f"{paths[0]},{paths[1]}", "--output",
                 str(paths[0]), "--label", "x"]) == 2
    assert "is one of --inputs" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"inputs": ("a.json",)}, "at least two"),
        ({"inputs": ("a.json", "a.json")}, "listed twice"),
        ({"inputs": ("a.json", "missing.json")}, "missing.json: no such file"),
        ({"output": ""}, "--output is required"),
        ({"label": " "}, "--label is required"),
    ],
)
def test_bad_merge_config_names_the_flag(tmp_path, monkeypatch, settings, message):
    monkeypatch.chdir(tmp_path)
    for name in ("a.json", "b.json"):
        (tmp_path / name).write_text("{}")
    defaults = {"inputs": ("a.json", "b.json"), "output": "out.json", "label": "merged"}
    with pytest.raises(ValueError, match=message):
        MergeConfig(**{**defaults, **settings})
