"""The one-GPU run's section: parity rows, accuracy along training read from its evaluations,
and the CPU's recomputation of the logged losses."""

from report_fixtures import HELDOUT_SCORES, eval_document

from t2l.report.gpu_steps_table import (
    agreement_table,
    gpu_steps_section,
    parity_table,
    recheck_table,
)

PARITY = {
    "image": {"environment": {"transformers": "5.17.0"},
              "max_relative_difference_to_reference": {"cpu": 9.43, "cuda-tf32": 9.43}},
    "pinned": {"environment": {"transformers": "5.24.0"},
               "max_relative_difference_to_reference": {"cpu": 0.0, "cuda-tf32": 0.00204}},
}


def steps_document() -> dict:
    return {
        "schema": "t2l.gpu_steps/v1",
        "run": {"label": "gpu run", "device": "NVIDIA H200", "transformers": "5.24.0"},
        "parity": PARITY,
        "steps": [
            {"step": 250, "heldout_eval": "heldout_250", "dev_eval": "dev_250",
             "losses": {"t2l": {"heldout_loss": 1.3345, "dev_loss": 1.3553},
                        "multitask_lora": {"heldout_loss": 1.2581}}},
            {"step": 1000, "heldout_eval": "heldout_1000", "dev_eval": "dev_1000",
             "losses": {"t2l": {"heldout_loss": 1.3867}, "multitask_lora": {}}},
        ],
        "rechecks": [{"weights": "runs/x/step-250", "step": 250,
                      "logged": {"heldout_loss": 1.25}, "this_cpu": {"heldout_loss": 1.2501}}],
    }


def test_parity_rows_name_the_library_version_and_device():
    table = parity_table(PARITY)
    assert "| 5.17.0 | cuda-tf32 | 9.43e+00 |" in table
    assert "| 5.24.0 | cuda-tf32 | 2.04e-03 |" in table


def test_steps_read_accuracy_from_their_evaluations_and_dash_what_is_missing():
    evaluations = {"heldout_250": eval_document(HELDOUT_SCORES, "step 250"),
                   "dev_250": eval_document(HELDOUT_SCORES, "dev 250")}
    section = gpu_steps_section(steps_document(), evaluations)
    # t2l 0.4 and the multi-task LoRA 0.3 on average (report_fixtures); no item scores, so
    # margins come without intervals.
    assert "| 250 | 1.335 | 1.355 | 1.258 | 40.0 | 30.0 | +10.0 | 40.0 | 30.0 | +10.0 |" in section
    assert "| 1000 | 1.387 | — | — | — | — | — | — | — | — |" in section
    assert "**gpu run** (NVIDIA H200, transformers 5.24.0)" in section


def test_recheck_rows_give_the_relative_difference():
    assert "| `runs/x/step-250` | 250 | heldout_loss | 1.2500 | 1.2501 | 8.0e-05 |" in (
        recheck_table(steps_document()["rechecks"]))


def test_agreement_rows_count_items_scored_the_same():
    table = agreement_table({"base": {"tasks": ["piqa"], "items": 900, "same": 898}})
    assert "| base | 900 | 898 |" in table
