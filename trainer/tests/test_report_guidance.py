import pytest

from t2l.eval.loss_gap_summary import summarize
from t2l.report.guidance_table import GUIDED_RUNS, guidance_section, guided_rows

DROPOUT = GUIDED_RUNS[0]


def _result(guidance: float, matched: float, other: float) -> dict:
    per_task = {"piqa": {"matched": [matched] * 2, "other": [other] * 2,
                         "random": [matched] * 2}}
    return {"hypernet": "runs/d", "guidance": guidance, "per_task": per_task,
            **summarize(per_task)}


def _calibration(loss: float, scale: float) -> dict:
    return {"schema": "t2l.output_scale/v1", "scales": [1.0, scale], "scale": scale,
            "dev_loss": [9.0, loss]}


@pytest.fixture
def documents() -> dict:
    rows = {
        f"{DROPOUT.label} at guidance 3 (CPU)": _result(3.0, 1.0, 1.5),
        f"{DROPOUT.label} (CPU)": _result(1.0, 1.25, 1.5),
        f"{DROPOUT.label} at guidance 2 (GPU)": _result(2.0, 1.0, 1.0),  # another run's label
        "someone else (CPU)": _result(2.0, 1.0, 1.0),
    }
    return {"description_loss_gap": {"hypernets": rows},
            DROPOUT.calibrations[1.0]: _calibration(1.5, 0.7),
            DROPOUT.calibrations[3.0]: _calibration(1.75, 0.9)}


def test_rows_are_the_runs_own_labels_in_guidance_order(documents):
    assert list(guided_rows(DROPOUT, documents["description_loss_gap"])) == [1.0, 3.0]


def test_section_sets_held_out_gaps_beside_each_guidances_dev_loss(documents):
    section = guidance_section(documents)
    assert section.startswith("## Description dropout and guidance")
    assert ("| dropout, seed 0 | 1 | 1.2500 | +0.2500 [+0.2500, +0.2500] | "
            "+0.0000 [+0.0000, +0.0000] | 1.500 (0.7) |") in section
    assert "| dropout, seed 0 | 3 | 1.0000 | +0.5000 [+0.5000, +0.5000] |" in section
    assert section.index("| dropout, seed 0 | 1 |") < section.index("| dropout, seed 0 | 3 |")
    assert "someone else" not in section and "| 2 |" not in section


def test_no_section_without_a_guided_row(documents):
    rows = documents["description_loss_gap"]["hypernets"]
    plain_only = {label: row for label, row in rows.items() if row["guidance"] == 1.0}
    assert guidance_section({"description_loss_gap": {"hypernets": plain_only}}) is None
    assert guidance_section({}) is None
