"""A run folder's metrics log, read back."""

import json

from t2l.run_dir import METRICS_FILE, validation_losses_at


def test_validation_losses_at_a_step_or_none(tmp_path):
    rows = [{"step": 0, "event": "start"}, {"step": 5, "split": "train", "loss": 2.0},
            {"step": 5, "split": "val", "val_loss": 1.5, "heldout_loss": 1.7}]
    (tmp_path / METRICS_FILE).write_text("".join(json.dumps(r) + "\n" for r in rows))
    assert validation_losses_at(tmp_path, 5) == {"val_loss": 1.5, "heldout_loss": 1.7}
    assert validation_losses_at(tmp_path, 4) is None
