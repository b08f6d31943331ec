import json

import pytest
import torch
from conftest import make_llama, make_tokenizer
from peft import PeftModel
from synthetic_tasks import RECIPE_SETTINGS, make_tasks

from t2l.recipe_config import LoRATrainConfig
from t2l.recipes.train_lora import train_lora
from t2l.run_dir import read_metrics


def run(tmp_path, name, tasks, **overrides):
    settings = {
        **RECIPE_SETTINGS,
        "tasks": "given-in-memory",
        "out_dir": str(tmp_path / name),
        "lr": 1e-2,
        "max_length": 48,
        **overrides,
    }
    return train_lora(
        LoRATrainConfig(**settings), model=make_llama(), tokenizer=make_tokenizer(), tasks=tasks
    )


def train_losses(folder):
    return [m["loss"] for m in read_metrics(folder) if m.get("split") == "train"]


def test_per_task_lora_learns_and_writes_a_loadable_library_entry(tmp_path):
    tasks = make_tasks(["reverse", "upper"], examples=2)
    adapter = run(tmp_path, "per-task", tasks, task="upper")
    losses = train_losses(tmp_path / "per-task")
    assert len(losses) == 3 and losses[2] < losses[0]
    assert json.loads((adapter / "task.json").read_text())["name"] == "upper"
    peft_model = PeftModel.from_pretrained(make_llama(), adapter)
    with torch.no_grad():
        changed = peft_model(input_ids=torch.tensor([[10, 11, 12]])).logits
        base = make_llama()(input_ids=torch.tensor([[10, 11, 12]])).logits
    assert (changed - base).abs().max() > 0


def test_multi_task_lora_resumes_exactly(tmp_path):
    tasks = make_tasks(["reverse", "upper", "double"])
    full = run(tmp_path, "full", tasks, max_steps=4)
    run(tmp_path, "split", tasks, max_steps=4, stop_at_step=2)
    resumed = run(tmp_path, "split", tasks, max_steps=4, resume=True)
    assert not (resumed / "task.json").exists()
    assert train_losses(tmp_path / "split") == train_losses(tmp_path / "full")
    assert (full / "adapter_model.safetensors").read_bytes() == (
        resumed / "adapter_model.safetensors"
    ).read_bytes()


def test_unknown_task_is_named(tmp_path):
    with pytest.raises(ValueError, match="--task 'nope' is not among"):
        run(tmp_path, "x", make_tasks(["reverse"]), task="nope")
