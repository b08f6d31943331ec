"""`t2l results`: every number in RESULTS.md comes from the JSON documents."""

from __future__ import annotations

import json

import pytest

from t2l.cli import main
from t2l.report.render import render
from t2l.report.tables import description_spread, is_eval_heldout

EVAL = {
    "schema": "t2l.eval_heldout/v1",
    "base_model": "HuggingFaceTB/SmolLM2-135M-Instruct",
    "tasks": ["piqa", "bbh_navigate"],
    "metrics": {"piqa": "mc_loglik", "bbh_navigate": "mc_loglik"},
    "methods": {
        "base": {"avg": 0.5, "per_task": {"piqa": 0.6, "bbh_navigate": 0.4}, "tasks_scored": 2},
        "oracle_lora": {"avg": 0.7125, "per_task": {"piqa": 0.7125, "bbh_navigate": None},
                        "tasks_scored": 1},
    },
    "run": {"label": "smoke", "created_at": "2026-01-01T00:00:00+00:00", "git_commit": "abc",
            "wall_time_s": 1.0, "items_per_task": {"piqa": 4, "bbh_navigate": 4}},
    "config": {"descriptions_per_task": 3, "seed": 0, "max_new_tokens": None},
    "artifacts": {"hypernet_training": {"mode": "sft", "steps": 3, "tasks": ["a", "b"],
                                        "metrics": {"val_loss": 1.5}}},
}
BENCH = {"benchmark": "train_step", "median_s": {"hypernet_step": 3.7}, "seconds": list(range(20)),
         "note": "a|b"}


@pytest.fixture
def results_dir(tmp_path):
    folder = tmp_path / "docs" / "results"
    folder.mkdir(parents=True)
    (folder / "eval_heldout.json").write_text(json.dumps(EVAL))
    (folder / "train_step.json").write_text(json.dumps(BENCH))
    return folder


def test_renders_eval_table_plot_and_generic_documents(results_dir):
    output = results_dir.parent / "RESULTS.md"
    written = render(results_dir, output)
    text = output.read_text()
    assert "| base model (`base`) | 60.0 | 40.0 | **50.0** |" in text
    # Not applicable stays visibly empty, and the average says what it covers.
    assert "| 71.2 | — | **71.2** (1 of 2 tasks) |" in text
    assert "run: **smoke**" in text and "**Smoke configuration.**" in text
    assert "hypernet training: sft, 3 steps, 2 tasks, val_loss 1.5" in text
    assert "![eval_heldout](results/eval_heldout.png)" in text
    assert text.index("## eval_heldout") < text.index("## train_step")
    assert "| `median_s.hypernet_step` | 3.7 |" in text
    assert "| `seconds` | 20 values |" in text and "a\\|b" in text
    png = results_dir / "eval_heldout.png"
    assert png in written and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_regenerating_is_byte_identical(results_dir):
    output = results_dir.parent / "RESULTS.md"
    render(results_dir, output)
    first = (output.read_bytes(), (results_dir / "eval_heldout.png").read_bytes())
    render(results_dir, output)
    assert (output.read_bytes(), (results_dir / "eval_heldout.png").read_bytes()) == first


def test_cli_and_errors(results_dir, capsys):
    output = results_dir.parent / "OUT.md"
    assert main(["results", "--results-dir", str(results_dir), "--output", str(output)]) == 0
    assert output.is_file() and "wrote" in capsys.readouterr().out
    (results_dir / "broken.json").write_text("{nope")
    assert main(["results", "--results-dir", str(results_dir), "--output", str(output)]) == 2
    assert "broken.json is not valid JSON" in capsys.readouterr().err
    assert main(["results", "--results-dir", str(results_dir / "missing")]) == 2


def test_description_spread_averages_each_description_slot_over_tasks():
    document = {"methods": {
        "base": {"per_condition": {"piqa": [0.5], "bbh_navigate": [0.4]}},
        "t2l": {"per_condition": {"piqa": [0.6, 0.8, 0.7], "bbh_navigate": [0.2, 0.4, 0.3]}},
        "oracle_lora": {"per_condition": {"piqa": [0.9], "bbh_navigate": None}},
    }}
    assert description_spread(document) == ("- average with each task's first, second, ... "
                                            "description: `t2l` 40.0 / 60.0 / 50.0")
    assert description_spread({"methods": {"base": document["methods"]["base"]}}) is None
    assert description_spread(EVAL) is None  # documents without per-condition scores


def test_shape_detection():
    assert is_eval_heldout(EVAL)
    assert not is_eval_heldout(BENCH)
    assert not is_eval_heldout({"methods": {"x": {"avg": 1}}, "tasks": []})
