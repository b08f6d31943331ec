import math

import pytest
import torch
from test_hypernet import make_config

from t2l.best_checkpoint import BEST_FOLDER, BestCheckpoint
from t2l.checkpoint import load_hypernet, save_hypernet
from t2l.hypernet import HyperNetwork


def hypernet(seed: int) -> HyperNetwork:
    """Weights that differ with `seed` (a fresh hypernetwork's initialisation does not)."""
    weights = HyperNetwork(make_config())
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for parameter in weights.parameters():
            parameter.normal_(generator=generator)
    return weights


def saver(weights: HyperNetwork):
    def save(folder, selected_by):
        save_hypernet(folder, weights, {"training": {"selected_by": selected_by}})

    return save


def test_offer_writes_only_improvements(tmp_path):
    best = BestCheckpoint(tmp_path, "dev_loss")
    assert best.offer(1, {"dev_loss": 2.0, "val_loss": 9.0}, saver(hypernet(1)))
    assert not best.offer(2, {"dev_loss": 2.0}, saver(hypernet(2)))  # a tie is no improvement
    assert best.offer(3, {"dev_loss": 1.5}, saver(hypernet(3)))
    assert not best.offer(4, {"dev_loss": 1.7}, saver(hypernet(4)))
    kept, meta = load_hypernet(tmp_path / BEST_FOLDER)
    assert meta["training"]["selected_by"] == {"metric": "dev_loss", "value": 1.5, "step": 3}
    assert all(torch.equal(v, hypernet(3).state_dict()[k]) for k, v in kept.state_dict().items())


@pytest.mark.parametrize(
    ("metric", "resumed_step", "expected"),
    [
        ("dev_loss", 6, (1.5, 3)),  # written before the resumed checkpoint: kept
        ("dev_loss", 3, (1.5, 3)),
        ("dev_loss", 2, (math.inf, None)),  # written after it: the replay finds it again
        ("val_loss", 6, (math.inf, None)),  # chosen by another metric: not comparable
    ],
)
def test_restore_takes_over_only_a_best_the_resumed_run_has_passed(
    tmp_path, metric, resumed_step, expected
):
    BestCheckpoint(tmp_path, "dev_loss").offer(3, {"dev_loss": 1.5}, saver(hypernet(0)))
    resumed = BestCheckpoint(tmp_path, metric)
    resumed.restore(resumed_step)
    assert (resumed.value, resumed.step) == expected


def test_restore_without_a_best_folder_starts_empty(tmp_path):
    best = BestCheckpoint(tmp_path, "val_loss")
    best.restore(10)
    assert (best.value, best.step) == (math.inf, None)


def test_offer_refuses_a_metric_the_evaluation_did_not_log(tmp_path):
    with pytest.raises(ValueError, match=r"--keep-best dev_loss: .* logged \['val_loss'\]"):
        BestCheckpoint(tmp_path, "dev_loss").offer(1, {"val_loss": 1.0}, saver(hypernet(0)))
