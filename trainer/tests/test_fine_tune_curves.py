"""The fine-tune curves document, from real (tiny) train-sft runs, and its RESULTS section."""

from __future__ import annotations

import json

import pytest
from synthetic_tasks import make_tasks
from test_train_sft import run

from t2l.cli import main
from t2l.report.fine_tune_cli import parse_runs
from t2l.report.fine_tune_curves import fine_tune_curves
from t2l.report.render import render
from t2l.run_dir import read_metrics


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """A warm-started run choosing by dev loss, and the plain run it started from."""
    root = tmp_path_factory.mktemp("runs")
    tasks, heldout, dev = make_tasks(["reverse"]), make_tasks(["upper"]), make_tasks(["double"])
    source = run(root, "source", tasks, heldout, max_steps=2, eval_every=1)
    run(root, "tuned", tasks, heldout, dev, init_from=str(source), max_steps=4, eval_every=2,
        lr=3e-2, dev_tasks="given-in-memory", keep_best="dev_loss")
    return {"plain": root / "source", "tuned with dev": root / "tuned"}


def test_every_evaluation_and_the_kept_checkpoint_are_recorded(runs):
    document = fine_tune_curves(runs)
    plain, tuned = document["runs"]["plain"], document["runs"]["tuned with dev"]
    assert plain["evals"]["step"] == [1, 2] and plain["evals"]["dev_loss"] == [None, None]
    assert plain["best"] is None and plain["init_from"] is None
    # The warm start's own evaluation is step 0; every metric of every logged evaluation follows.
    logged = [m for m in read_metrics(runs["tuned with dev"])
              if "dev_loss" in m and m.get("event") != "best"]
    assert tuned["evals"]["step"] == [0, 2, 4] == [m["step"] for m in logged]
    assert tuned["evals"]["dev_loss"] == [round(m["dev_loss"], 5) for m in logged]
    best_step = min(logged, key=lambda m: m["dev_loss"])["step"]
    assert tuned["best"]["metric"] == "dev_loss" and tuned["best"]["step"] == best_step
    assert (tuned["steps"], tuned["planned_steps"]) == (4, 4)


def test_results_section_names_where_each_loss_bottomed_out(runs, tmp_path):
    results = tmp_path / "results"
    results.mkdir()
    (results / "fine_tune_curves.json").write_text(json.dumps(fine_tune_curves(runs)))
    written = render(results, tmp_path / "RESULTS.md")
    text = (tmp_path / "RESULTS.md").read_text()
    assert "## Fine-tune curves" in text and results / "fine_tune_curves.png" in written
    tuned_row = next(line for line in text.splitlines() if line.startswith("| tuned with dev"))
    assert "by dev_loss" in tuned_row and "(step " in tuned_row
    plain_row = next(line for line in text.splitlines() if line.startswith("| plain"))
    assert "| scratch |" in plain_row and "| — |" in plain_row and "last step" in plain_row


def test_cli_writes_the_document(runs, tmp_path, capsys):
    output = tmp_path / "curves.json"
    assert main(["collect-curves", "--output", str(output),
                 "--runs", *(f"{label}={folder}" for label, folder in runs.items())]) == 0
    assert list(json.loads(output.read_text())["runs"]) == ["plain", "tuned with dev"]
    assert "npm run results" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("items", "message"),
    [(["runs/x"], "give LABEL=RUN_DIR"), (["=runs/x"], "give LABEL=RUN_DIR"),
     (["a=runs/x", "a=runs/y"], "label 'a' given twice")],
)
def test_bad_runs_are_refused(items, message):
    with pytest.raises(ValueError, match=message):
        parse_runs(items)


def test_a_folder_that_is_no_run_names_itself(tmp_path):
    with pytest.raises(ValueError, match=r"metrics.jsonl is missing; pass the output folder"):
        fine_tune_curves({"x": tmp_path})


def test_append_keeps_earlier_runs_and_replaces_a_label_given_again(runs, tmp_path, capsys):
    output = tmp_path / "curves.json"
    plain, tuned = f"plain={runs['plain']}", f"tuned with dev={runs['tuned with dev']}"
    assert main(["collect-curves", "--append", "--output", str(output), "--runs", plain]) != 0
    assert "does not exist yet; run without --append" in capsys.readouterr().err
    main(["collect-curves", "--output", str(output), "--runs", plain,
          f"tuned with dev={runs['plain']}"])
    main(["collect-curves", "--append", "--output", str(output), "--runs", tuned,
          f"again={runs['plain']}"])
    document = json.loads(output.read_text())
    assert list(document["runs"]) == ["plain", "tuned with dev", "again"]
    assert document["runs"]["tuned with dev"]["run_dir"] == str(runs["tuned with dev"])
    output.write_text(json.dumps({"schema": "other/v1", "runs": {}}))
    assert main(["collect-curves", "--append", "--output", str(output), "--runs", plain]) != 0
    assert "is not a t2l.fine_tune_curves/v1 document" in capsys.readouterr().err
