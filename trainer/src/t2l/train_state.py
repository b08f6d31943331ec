"""Everything beyond the weights that an exact resume needs.

`trainer_state.pt` holds optimizer and scheduler state and the torch RNG (tensors, loadable
with `weights_only=True`); `trainer_state.json` holds the step, the Python and NumPy RNG
states and the data sampler state. Restoring all of them replays the run bit for bit.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np
import torch

from t2l.run_dir import RunDir
from t2l.task_sampler import TaskSampler

STATE_TENSORS = "trainer_state.pt"
STATE_JSON = "trainer_state.json"


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def save_train_state(
    directory: Path,
    step: int,
    optimizer: torch.optim.Optimizer,
    scheduler: torch.optim.lr_scheduler.LRScheduler,
    sampler: TaskSampler,
) -> None:
    torch.save(
        {
            "optimizer": optimizer.state_dict(),
            "scheduler": scheduler.state_dict(),
            "torch_rng": torch.get_rng_state(),
        },
        directory / STATE_TENSORS,
    )
    np_name, np_keys, np_pos, np_has_gauss, np_gauss = np.random.get_state()
    version, internal, gauss = random.getstate()
    state = {
        "step": step,
        "python_rng": [version, list(internal), gauss],
        "numpy_rng": [np_name, np_keys.tolist(), np_pos, np_has_gauss, np_gauss],
        "sampler": sampler.state_dict(),
    }
    (directory / STATE_JSON).write_text(json.dumps(state) + "\n")


def resume_from_checkpoint(
    checkpoint: Path,
    *,
    optimizer: torch.optim.Optimizer,
    scheduler: torch.optim.lr_scheduler.LRScheduler,
    sampler: TaskSampler,
    run: RunDir,
) -> int:
    """Restore optimizer, scheduler, RNGs and sampler; drop later metrics -> the step."""
    state = load_train_state(checkpoint, optimizer=optimizer, scheduler=scheduler)
    sampler.load_state_dict(state["sampler"])
    run.rewind_metrics(state["step"])
    return int(state["step"])


def load_train_state(
    directory: Path,
    *,
    optimizer: torch.optim.Optimizer,
    scheduler: torch.optim.lr_scheduler.LRScheduler,
) -> dict:
    """Restore optimizer, scheduler and every RNG; returns the JSON part (step, sampler)."""
    tensors = torch.load(directory / STATE_TENSORS, weights_only=True)
    optimizer.load_state_dict(tensors["optimizer"])
    scheduler.load_state_dict(tensors["scheduler"])
    torch.set_rng_state(tensors["torch_rng"])
    state = json.loads((directory / STATE_JSON).read_text())
    version, internal, gauss = state["python_rng"]
    random.setstate((version, tuple(internal), gauss))
    np_name, np_keys, np_pos, np_has_gauss, np_gauss = state["numpy_rng"]
    np.random.set_state(
        (np_name, np.array(np_keys, dtype=np.uint32), np_pos, np_has_gauss, np_gauss)
    )
    return state
