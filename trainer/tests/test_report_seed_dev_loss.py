"""Dev loss over training seeds: the loss each calibration chose, laid out recipe by seed."""

import pytest

from t2l.report.ensemble_table import ensemble_section
from t2l.report.seed_dev_loss_table import chosen, recipe_dev_losses, seed_dev_loss_section

SIZED = "T2L, sft-smollm2-250.yaml (the same schedule sized to 250 steps)"


def calibration(losses: list[float], scale: float) -> dict:
    """t2l calibrate-scale's document over scales 1.0, 0.5, 0.25 with `scale` chosen."""
    return {"schema": "t2l.output_scale/v1", "scales": [1.0, 0.5, 0.25], "scale": scale,
            "dev_loss": losses}


@pytest.mark.parametrize(("losses", "scale", "expected"), [
    ([1.5, 1.25, 1.4], 0.5, (1.25, 0.5)),
    ([1.0, 1.25, 1.4], 1.0, (1.0, 1.0)),
])
def test_the_chosen_loss_is_the_one_at_the_chosen_scale(losses, scale, expected):
    assert chosen(calibration(losses, scale)) == expected


def test_a_recipe_needs_two_calibrated_seeds_and_a_calibration_document():
    documents = {"output_scale_sft_250_seed0": calibration([1.5, 1.25, 1.4], 0.5),
                 "output_scale_sft_250_seed1": {"schema": "something else"},
                 "output_scale_sft_seed0": calibration([1.5, 1.25, 1.4], 0.5)}
    assert recipe_dev_losses(documents) == {}
    assert seed_dev_loss_section(documents) is None
    documents["output_scale_sft_250_seed2"] = calibration([1.0, 1.25, 1.4], 1.0)
    assert recipe_dev_losses(documents) == {SIZED: {0: (1.25, 0.5), 2: (1.0, 1.0)}}


def test_the_table_has_a_row_per_recipe_with_mean_and_spread():
    documents = {"output_scale_sft_250_seed0": calibration([1.5, 1.25, 1.4], 0.5),
                 "output_scale_sft_250_seed2": calibration([1.0, 1.25, 1.4], 1.0)}
    section = seed_dev_loss_section(documents)
    # The lowest seed is the one with the least loss, not the first or the largest scale.
    assert (f"| {SIZED} | 1.250 (s 0.5) | — | 1.000 (s 1) | — | 1.125 | 0.177 | seed 2 |"
            in section)
    assert "`output_scale_sft_250_seed0.json`, `output_scale_sft_250_seed2.json`" in section
    assert "| multi-task LoRA" not in section


def test_the_ensemble_section_waits_for_the_ensemble_and_compares_it_with_its_seeds():
    def by_task(losses, scale):
        return {**calibration(losses, scale), "per_task": {"a": losses, "b": losses}}

    documents = {"output_scale_sft_250_seed3": by_task([1.5, 1.25, 1.4], 0.5),
                 "output_scale_sft_250_seed0": by_task([1.5, 1.75, 1.8], 1.0)}
    assert ensemble_section(documents) is None
    documents["output_scale_sft_250_ensemble"] = by_task([1.0, 1.25, 1.4], 1.0)
    section = ensemble_section(documents)
    assert ("| mean adapter of sft-smollm2-250.yaml's seeds (the ensemble) "
            "(`output_scale_sft_250_ensemble.json`) | 1.000 | 1 | 1.000 | 1.000 |") in section
    assert ("| seed 3 (the default bundle's teacher) (`output_scale_sft_250_seed3.json`) | "
            "1.250 | 0.5 | 1.250 | 1.250 |") in section
    assert "| default bundle" not in section  # not measured: no row
    assert "seeds' mean: -0.375; minus their lowest: -0.250" in section
