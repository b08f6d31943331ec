"""`t2l collect-run`: a pipeline run folder into docs/results/ documents, computed, never typed."""

from __future__ import annotations

import json

import pytest
from report_fixtures import HYPERNET_PARAMS, write_json, write_pipeline_run

from t2l.cli import main
from t2l.report.collect_run import collect_run
from t2l.report.reconstruction import lora_parameters
from t2l.report.training_curves import windowed_means

SMOLLM2_TARGETS = {"num_layers": 30, "modules": [
    {"name": "q_proj", "in_features": 576, "out_features": 576},
    {"name": "v_proj", "in_features": 576, "out_features": 192},
]}


@pytest.mark.parametrize(("targets", "rank", "expected"), [
    (SMOLLM2_TARGETS, 8, 460800),  # what train-lora logs as lora_params for SmolLM2-135M
    ({"num_layers": 2, "modules": SMOLLM2_TARGETS["modules"][:1]}, 1, 2 * 1152),
    ({"num_layers": 3, "modules": []}, 8, 0),
])
def test_lora_parameters(targets, rank, expected):
    assert lora_parameters(targets, rank) == expected


def _train(n: int) -> list[dict]:
    return [{"step": s, "loss": float(s)} for s in range(1, n + 1)]


@pytest.mark.parametrize(("n", "window", "steps", "first_last"), [
    (0, 1, [], None),
    (5, 1, [1, 2, 3, 4, 5], (1.0, 5.0)),
    (100, 2, list(range(2, 101, 2)), (1.5, 99.5)),
    (101, 3, [*range(3, 101, 3), 101], (2.0, 100.5)),  # the last window: the 2 steps left
])
def test_windowed_means(n, window, steps, first_last):
    curve = windowed_means(_train(n))  # loss = step, so a window's mean is its middle step
    assert curve["window"] == window and curve["step"] == steps
    assert (curve["loss"][0], curve["loss"][-1]) == first_last if steps else curve["loss"] == []


@pytest.fixture
def run_dir(tmp_path):
    return write_pipeline_run(tmp_path)


def test_collect_writes_copies_reconstruction_and_curves(run_dir, tmp_path):
    out = tmp_path / "docs" / "results"
    written = collect_run(run_dir, out)
    assert sorted(p.name for p in written) == [
        "eval_heldout.json", "eval_heldout_hinge.json", "eval_reconstruction.json",
        "reconstruction.json", "training_curves.json"]
    for name in ("eval_heldout.json", "eval_heldout_hinge.json", "eval_reconstruction.json"):
        assert json.loads((out / name).read_text()) == json.loads(
            (run_dir / "results" / name).read_text())

    recon = json.loads((out / "reconstruction.json").read_text())
    assert recon["schema"] == "t2l.reconstruction/v1"
    # alpha and beta have both scores (gamma has no oracle): oracle 0.6, T2L 0.5 on average.
    assert recon["oracle_avg"] == pytest.approx(0.6) and recon["t2l_avg"] == pytest.approx(0.5)
    assert recon["t2l_over_oracle"] == pytest.approx(0.5 / 0.6, abs=1e-6)
    assert recon["per_task"] == {"alpha": {"oracle": 0.8, "t2l": 0.6, "ratio": 0.75},
                                 "beta": {"oracle": 0.4, "t2l": 0.4, "ratio": 1.0}}
    # Ranks 2 and 4 over 2 layers of (4→4, 4→2): 56 + 112 library parameters.
    assert (recon["library_params"], recon["num_loras"]) == (168, 2)
    assert recon["hypernet_params"] == HYPERNET_PARAMS
    assert recon["compression_ratio"] == pytest.approx(HYPERNET_PARAMS / 168, abs=1e-6)
    assert recon["source"] == {"eval": "eval_reconstruction.json",
                               "run_label": "reconstruction: oracle tasks' eval splits"}

    curves = json.loads((out / "training_curves.json").read_text())
    assert list(curves["runs"]) == ["sft", "hinge", "multitask", "recon", "oracles/alpha",
                                    "oracles/beta"]
    sft = curves["runs"]["sft"]
    assert (sft["steps"], sft["planned_steps"], sft["wall_s"]) == (120, 120, 120.5)
    assert sft["train"]["window"] == 3 and len(sft["train"]["step"]) == 40
    assert sft["train"]["loss"][0] == pytest.approx((10 + 5 + 10 / 3) / 3, abs=1e-5)
    assert sft["val"] == {"step": [30, 60, 90, 120],
                          "val_loss": [round(5 / s, 5) for s in (30, 60, 90, 120)],
                          "heldout_loss": [round(6 / s, 5) for s in (30, 60, 90, 120)]}
    assert curves["runs"]["recon"]["val"]["heldout_loss"] == [None, None]
    assert curves["pipeline"]["status"]["eval-recon"] == -9


def test_reconstruction_only_needs_neither_the_other_evaluations_nor_a_summary(run_dir,
                                                                              tmp_path):
    for name in ("summary.json", "results/eval_heldout.json", "results/eval_heldout_hinge.json",
                 "sft/metrics.jsonl"):
        (run_dir / name).unlink()
    written = collect_run(run_dir, tmp_path / "out", reconstruction_only=True)
    assert sorted(p.name for p in written) == ["eval_reconstruction.json", "reconstruction.json"]


def _remove(path):
    path.unlink()


def _rewrite(change):
    def edit(path):
        document = json.loads(path.read_text())
        change(document)
        path.write_text(json.dumps(document))
    return edit


ERROR_CASES = [
    ("summary.json", _remove, "summary.json is missing; pass --summary"),
    ("results/eval_heldout_hinge.json", _remove, "rerun the `aggregate-hinge` job"),
    ("results/eval_heldout.json", lambda p: p.write_text("{nope"), "is not valid JSON"),
    ("results/eval_heldout.json", _rewrite(lambda d: d["methods"].pop("multitask_lora")),
     "lacks methods ['multitask_lora']"),
    ("results/eval_reconstruction.json", _rewrite(lambda d: d.update(schema="x")),
     "has schema 'x', not 't2l.eval_heldout/v1'"),
    ("results/eval_reconstruction.json",
     _rewrite(lambda d: d["methods"]["oracle_lora"]["per_task"].update(alpha=None, beta=None)),
     "no task has both an oracle_lora and a t2l score"),
    ("recon/metrics.jsonl", _remove, "recon/metrics.jsonl is missing; rerun the reconstruction"),
    ("recon/metrics.jsonl", lambda p: p.write_text(p.read_text().split("\n", 1)[1]),
     "has no start event"),
    ("oracles/beta/config.json", _remove, "oracles/beta/config.json is missing"),
    ("multitask/metrics.jsonl", lambda p: p.write_text(p.read_text() + "{broken\n"),
     "multitask/metrics.jsonl:10 is not valid JSON"),
]


@pytest.mark.parametrize(("relative", "damage", "message"), ERROR_CASES)
def test_bad_inputs_name_the_file_and_write_nothing(run_dir, tmp_path, relative, damage,
                                                    message):
    damage(run_dir / relative)
    out = tmp_path / "out"
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace("[", r"\[")):
        collect_run(run_dir, out)
    assert not out.exists()


def test_a_record_cut_short_by_a_kill_is_dropped(run_dir, tmp_path):
    metrics = run_dir / "sft" / "metrics.jsonl"
    metrics.write_text(metrics.read_text() + '{"step": 121, "split": "tr')
    collect_run(run_dir, tmp_path / "out")
    curves = json.loads((tmp_path / "out" / "training_curves.json").read_text())
    assert curves["runs"]["sft"]["steps"] == 120


def test_cli(run_dir, tmp_path, capsys):
    out = tmp_path / "out"
    summary = write_json(tmp_path / "pack" / "summary.json", {"plan": {}, "status": {}})
    (run_dir / "summary.json").unlink()
    assert main(["collect-run", str(run_dir), "--out", str(out), "--summary", str(summary)]) == 0
    assert "wrote" in capsys.readouterr().out
    assert json.loads((out / "training_curves.json").read_text())["pipeline"]["plan"] == {}
    assert main(["collect-run", str(tmp_path / "nowhere"), "--out", str(out)]) == 2
    assert "is not a folder" in capsys.readouterr().err
