"""`t2l results` headline sections: present only when their documents are, numbers from them."""

from __future__ import annotations

import json

import pytest
from report_fixtures import (
    HELDOUT_SCORES,
    HELDOUT_TASKS,
    eval_document,
    write_json,
    write_pipeline_run,
)

from t2l.report.collect_run import collect_run
from t2l.report.render import render
from t2l.tasks import default_tasks_dir, load_task_library

PNG = b"\x89PNG\r\n\x1a\n"
HEADLINES = ("## Quality bar", "## Matched vs mismatched", "## Reconstruction",
             "## Training curves")


@pytest.fixture
def results_dir(tmp_path):
    out = tmp_path / "docs" / "results"
    collect_run(write_pipeline_run(tmp_path), out)
    write_json(out / "train_step.json", {"benchmark": "train_step", "ratio": 1.03})
    return out


def test_all_sections_from_a_collected_run(results_dir):
    output = results_dir.parent / "RESULTS.md"
    written = render(results_dir, output)
    text = output.read_text()
    positions = [text.index(h) for h in HEADLINES]
    assert positions == sorted(positions) and positions[-1] < text.index("## eval_heldout (")
    # Quality bar: T2L 40.0 vs multi-task 30.0 (+10) and vs base+description 20.0 (+20);
    # reconstruction 0.5 / 0.6.
    assert ("| T2L vs multi-task LoRA (held-out avg) | 40.0 | 30.0 (`multitask_lora`) | 3 "
            "| +10.0 pts | ≥ +0.0 pts | met |") in text
    assert "| 40.0 | 20.0 (`base_with_description`) | 3 | +20.0 pts | ≥ +10.0 pts | met |" in text
    assert ("| reconstruction T2L / oracle LoRAs (oracles' own tasks) | 50.0 | 60.0 "
            "(`oracle_lora`) | 2 | 0.833× | ≥ 0.95× | **missed** |") in text
    # Gaps: the default teacher 40.0 / 30.0 / 20.0, hinge 40.0 / 20.0 / 13.3.
    teacher = "default teacher (SFT, schedule sized to 250 steps, seed 3), dev-calibrated scale"
    assert f"| {teacher} | 3 | 40.0 | 30.0 | 20.0 | +10.0 | +20.0 |" in text
    assert "| SFT + mismatch hinge | 3 | 40.0 | 20.0 | 13.3 | +20.0 | +26.7 |" in text
    assert (f"| piqa | {teacher} | 70.0 | 60.0 | 50.0 | +10.0 | +20.0 |\n"
            "| piqa | SFT + mismatch hinge | 80.0 | 50.0 | 40.0 | +30.0 | +40.0 |") in text
    assert "| alpha | 80.0 | 60.0 | 0.750 |" in text and "| beta | 40.0 | 40.0 | 1.000 |" in text
    assert "library of 2 oracle LoRAs, 168 parameters = **5.952**" in text
    assert "| sft | 120 (120) | 120.5 | 6.11111 → 0.08404 | 3 | 0.04167 | 0.05 |" in text
    assert "not exit 0: eval-recon -9" in text
    # A method that missed a task says how many its average covers (gamma has no oracle).
    assert "| — | **60.0** (2 of 3 tasks) |" in text and "| 30.0 | **43.3** |" in text
    assert "![training curves](results/training_curves.png)" in text
    # The evaluations keep their own tables and bars; derived documents are not dumped.
    for stem in ("eval_heldout", "eval_heldout_hinge", "eval_reconstruction"):
        assert f"## {stem} (`results/{stem}.json`)" in text
        assert (results_dir / f"{stem}.png").read_bytes()[:8] == PNG
    for stem in ("reconstruction", "training_curves", "quality_bar"):
        assert f"## {stem} (" not in text
    assert (results_dir / "training_curves.png").read_bytes()[:8] == PNG
    bar = json.loads((results_dir / "quality_bar.json").read_text())
    assert [c["met"] for c in bar["criteria"]] == [True, True, False]
    assert {results_dir / "quality_bar.json", results_dir / "training_curves.png"} <= set(written)


def test_regenerating_is_byte_identical(results_dir):
    output = results_dir.parent / "RESULTS.md"
    files = [output, *(results_dir / n for n in ("quality_bar.json", "training_curves.png"))]
    render(results_dir, output)
    first = [f.read_bytes() for f in files]
    render(results_dir, output)
    assert [f.read_bytes() for f in files] == first


def test_sections_are_skipped_without_their_documents(tmp_path):
    """Only a smoke evaluation: no headline section and no quality_bar.json (a stale one goes)."""
    results = tmp_path / "results"
    write_json(results / "eval_heldout.json", eval_document(HELDOUT_SCORES, "smoke: 3 steps"))
    write_json(results / "quality_bar.json", {"schema": "t2l.quality_bar/v1", "criteria": []})
    render(results, tmp_path / "RESULTS.md")
    text = (tmp_path / "RESULTS.md").read_text()
    assert not any(h in text for h in HEADLINES)
    assert "## eval_heldout (`results/eval_heldout.json`)" in text
    assert not (results / "quality_bar.json").exists()


def test_partial_inputs_show_unmeasured_criteria(tmp_path):
    results = tmp_path / "results"
    write_json(results / "eval_heldout.json", eval_document(HELDOUT_SCORES, "GPU run"))
    render(results, tmp_path / "RESULTS.md")
    text = (tmp_path / "RESULTS.md").read_text()
    assert "## Quality bar" in text and "## Matched vs mismatched" in text
    assert ("| not measured (no non-smoke `reconstruction.json` that scores it) | ≥ 0.95× | — |"
            in text)
    assert "SFT + mismatch hinge" not in text.split("## Matched")[1].split("Per task")[0]
    assert "## Reconstruction" not in text and "## Training curves" not in text


def test_a_headline_document_of_another_schema_is_an_error(results_dir):
    write_json(results_dir / "training_curves.json", {"schema": "other/v1"})
    with pytest.raises(ValueError, match="training_curves.json has schema 'other/v1'.*"
                                         "t2l collect-run"):
        render(results_dir, results_dir.parent / "RESULTS.md")


def test_loss_gap_section_sits_after_the_accuracy_gaps(results_dir):
    from t2l.eval.loss_gap_summary import summarize
    from t2l.report.loss_gap_table import LOSS_GAP_SCHEMA

    per_task = {"piqa": {"matched": [1.0, 1.2], "other": [1.5, 1.5], "random": [1.0, 1.3]},
                "gsm8k": {"matched": [0.8, 0.8], "other": [0.9, 0.9], "random": [0.7, 0.7]}}
    result = {"hypernet": "bundles/x", "training": {"mode": "sft", "steps": 250},
              "per_task": per_task, **summarize(per_task)}
    noisy = {"piqa": {"matched": [1.0, 1.2], "other": [1.1, 1.1], "random": [1.0, 1.2]}}
    second = {"hypernet": "runs/y", "training": {"mode": "sft", "steps": 9}, "guidance": 2.0,
              "per_task": noisy, **summarize(noisy)}
    write_json(results_dir / "description_loss_gap.json",
               {"schema": LOSS_GAP_SCHEMA, "hypernets": {"plain SFT": result, "other": second}})
    output = results_dir.parent / "RESULTS.md"
    render(results_dir, output)
    text = output.read_text()
    heading = "## Description gap in held-out loss (`results/description_loss_gap.json`)"
    assert text.index("## Matched vs mismatched") < text.index(heading)
    assert text.index(heading) < text.index("## Reconstruction")
    # matched (1.1 + 0.8) / 2 = 0.95; other +0.4 on piqa (+0.5, +0.3 per example), +0.1 on
    # gsm8k: +0.25, and resampling piqa's two examples spans +0.2 to +0.3.
    assert ("| 1 | plain SFT (`bundles/x`) | sft, 250 steps | 2 | 0.9500 | "
            "+0.2500 [+0.2000, +0.3000] | -0.0250 [-0.0500, +0.0000] |") in text
    assert "| 2 | other (`runs/y`) | sft, 9 steps, guidance 2 | 1 |" in text
    # Per task: piqa's interval [+0.3, +0.5] clears zero, gsm8k's +0.1 on both examples too;
    # the second hypernetwork's piqa straddles zero and it never scored gsm8k.
    assert "| piqa | **+0.400** | +0.000 |" in text and "| gsm8k | **+0.100** | — |" in text
    assert "## description_loss_gap (" not in text
    write_json(results_dir / "description_loss_gap.json", {"schema": "other/v1"})
    with pytest.raises(ValueError, match="description_loss_gap.json has schema.*t2l loss-gap"):
        render(results_dir, output)


def test_training_task_gap_groups_tasks_by_what_each_hypernet_trained_on(results_dir):
    from t2l.eval.loss_gap_summary import summarize
    from t2l.report.loss_gap_table import LOSS_GAP_SCHEMA

    def result(folder, per_task, trained):
        return {"hypernet": folder, "training": {"tasks": trained}, "per_task": per_task,
                **summarize(per_task)}

    # imdb: other +0.5 and random +0.3 on both examples; addsub (not trained on): -0.1 and 0.
    training = {"imdb": {"matched": [1.0, 1.0], "other": [1.5, 1.5], "random": [1.3, 1.3]},
                "addsub": {"matched": [2.0, 2.0], "other": [1.9, 1.9], "random": [2.0, 2.0]}}
    heldout = {"piqa": {"matched": [1.0, 1.0], "other": [1.0, 1.0], "random": [1.1, 1.1]}}
    write_json(results_dir / "description_loss_gap_training_tasks.json",
               {"schema": LOSS_GAP_SCHEMA, "hypernets": {
                   "teacher": result("bundles/t", training, ["imdb", "wiki_qa"]),
                   "all": result("runs/a", training, ["imdb", "addsub"])}})
    write_json(results_dir / "description_loss_gap.json",
               {"schema": LOSS_GAP_SCHEMA, "hypernets": {
                   "an earlier teacher, republished since": result("bundles/t", training, []),
                   "teacher, another label": result("bundles/t", heldout, ["imdb", "wiki_qa"])}})
    output = results_dir.parent / "RESULTS.md"
    render(results_dir, output)
    text = output.read_text()
    heading = ("## Description gap on tasks trained on and not "
               "(`results/description_loss_gap_training_tasks.json`)")
    assert text.index("## Description gap in held-out loss") < text.index(heading)
    assert text.index(heading) < text.index("## Reconstruction")
    section = text[text.index(heading):text.index("## Reconstruction")]
    assert ("| 1 | teacher (`bundles/t`) | trained on | 1 | 1.0000 | "
            "+0.5000 [+0.5000, +0.5000] | +0.3000 [+0.3000, +0.3000] |") in section
    assert ("| 1 | teacher (`bundles/t`) | not trained on | 1 | 2.0000 | "
            "-0.1000 [-0.1000, -0.1000] | +0.0000 [+0.0000, +0.0000] |") in section
    # Its held-out row comes from the other document, found by folder and training record
    # (the same weights), not label.
    assert ("| 1 | teacher (`bundles/t`) | held out | 1 | 1.0000 | "
            "+0.0000 [+0.0000, +0.0000] | +0.1000 [+0.1000, +0.1000] |") in section
    # The second trained on both tasks and has no held-out row.
    assert "| 2 | all (`runs/a`) | trained on | 2 | 1.5000 | +0.2000" in section
    assert "| 2 | all (`runs/a`) | not trained on" not in section
    assert "| 2 | all (`runs/a`) | held out" not in section
    assert "| addsub | **-0.100** † | **-0.100** |" in section
    assert "| imdb | **+0.500** | **+0.500** |" in section
    assert "## description_loss_gap_training_tasks (" not in text


def test_rule_task_gap_has_its_own_section_after_the_training_task_gap(results_dir):
    from t2l.eval.loss_gap_summary import summarize
    from t2l.report.loss_gap_table import LOSS_GAP_SCHEMA

    per_task = {"initials": {"matched": [0.5, 0.5], "other": [2.5, 2.5], "random": [1.5, 1.5]}}
    write_json(results_dir / "description_loss_gap_rule_tasks.json", {
        "schema": LOSS_GAP_SCHEMA, "hypernets": {"rules": {
            "hypernet": "runs/r", "training": {"mode": "sft", "steps": 120},
            "per_task": per_task, **summarize(per_task)}}})
    output = results_dir.parent / "RESULTS.md"
    render(results_dir, output)
    text = output.read_text()
    heading = "## Description gap on rule tasks (`results/description_loss_gap_rule_tasks.json`)"
    assert text.index(heading) < text.index("## Reconstruction")
    assert ("| 1 | rules (`runs/r`) | sft, 120 steps | 1 | 0.5000 | +2.0000 [+2.0000, +2.0000] "
            "| +1.0000 [+1.0000, +1.0000] |") in text
    assert "| initials | **+2.000** |" in text
    assert "## description_loss_gap_rule_tasks (" not in text


def test_output_scale_documents_show_their_loss_at_every_scale(tmp_path):
    out = tmp_path / "results"
    write_json(out / "output_scale_teacher.json", {
        "schema": "t2l.output_scale/v1", "kind": "hypernet", "source": "bundles/t",
        "out": "bundles/t",
        "scale": 0.5, "trained_lora_alpha": 16.0, "lora_alpha": 8.0, "scales": [1.0, 0.5],
        "dev_loss": [1.5, 1.25], "per_task": {"a": [1.0, 1.1], "b": [2.0, 1.4]}})
    render(out, tmp_path / "RESULTS.md")
    text = (tmp_path / "RESULTS.md").read_text()
    assert "hypernet `bundles/t`: s = 0.5, LoRA alpha 16 → 8, written to `bundles/t`." in text
    assert ("| s | dev loss | a | b |\n|---:|---:|---:|---:|\n| 1 | 1.5000 | 1.0000 | 2.0000 |\n"
            "| **0.5** | **1.2500** | 1.1000 | 1.4000 |") in text
    write_json(out / "output_scale_guided.json", {
        "schema": "t2l.output_scale/v1", "kind": "hypernet", "source": "runs/d", "out": "runs/g",
        "guidance": 2.0, "scale": 1.0, "trained_lora_alpha": 16.0, "lora_alpha": 16.0,
        "scales": [1.0], "dev_loss": [1.5], "per_task": {"a": [1.5]}})
    render(out, tmp_path / "RESULTS.md")
    assert ("hypernet `runs/d` at description guidance 2: s = 1, LoRA alpha 16 → 16, written to "
            "`runs/g`.") in (tmp_path / "RESULTS.md").read_text()
    write_json(out / "output_scale_ensemble.json", {
        "schema": "t2l.output_scale/v1", "kind": "hypernet", "source": "runs/a,runs/b", "out": "",
        "training": {"ensemble": [{"path": "runs/a"}, {"path": "runs/b"}]}, "scale": 1.0,
        "trained_lora_alpha": 16.0, "lora_alpha": 16.0, "scales": [1.0], "dev_loss": [1.5],
        "per_task": {"a": [1.5]}})
    render(out, tmp_path / "RESULTS.md")
    assert ("seed ensemble of 2 hypernetworks `runs/a,runs/b`: s = 1, LoRA alpha 16 → 16, "
            "measured only (an ensemble is distilled into one hypernetwork to serve).") in (
        tmp_path / "RESULTS.md").read_text()


def test_an_evaluation_says_which_tasks_it_scored_under_an_earlier_spec(tmp_path):
    library = load_task_library(default_tasks_dir())
    now = {t: library[t].digest() for t in HELDOUT_TASKS}
    recorded = {**now, "gsm8k": "a digest of an earlier gsm8k.yaml", "mbpp": None}
    results = tmp_path / "results"
    old = eval_document(HELDOUT_SCORES, "earlier", run_extra={"task_specs": recorded})
    current = eval_document(HELDOUT_SCORES, "current", run_extra={"task_specs": now})
    write_json(results / "eval_heldout_earlier.json", old)
    write_json(results / "eval_heldout_current.json", current)
    render(results, tmp_path / "RESULTS.md")
    text = (tmp_path / "RESULTS.md").read_text()
    def section(stem: str) -> str:
        return text.split(f"## {stem} (")[1].split("\n## ")[0]

    assert ("**Scored under an earlier task spec** than `trainer/tasks/` holds now: gsm8k."
            in section("eval_heldout_earlier"))
    assert "earlier task spec" not in section("eval_heldout_current")
