import json

import pytest
import torch
from conftest import make_llama, make_tokenizer
from peft import PeftModel
from safetensors.torch import load_file
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


def adapter_tensors(folder):
    return load_file(folder / "adapter_model.safetensors")


def test_init_from_starts_at_the_source_adapter_and_records_it(tmp_path):
    tasks = make_tasks(["reverse", "upper"])
    source = run(tmp_path, "source", tasks)
    # A rate too small to move fp32 weights: the warm-started adapter is the source's.
    warm = run(tmp_path, "warm", tasks, init_from=str(source), lr=1e-30)
    theirs, ours = adapter_tensors(source), adapter_tensors(warm)
    assert theirs.keys() == ours.keys()
    assert all(torch.equal(theirs[k], ours[k]) for k in theirs)
    start = next(m for m in read_metrics(tmp_path / "warm") if m.get("event") == "start")
    assert start["init_from"] == str(source)
    fresh_first = train_losses(tmp_path / "source")[0]
    assert train_losses(tmp_path / "warm")[0] < fresh_first  # same first batch, trained weights


@pytest.mark.parametrize(
    ("override", "differing"),
    [
        ({"rank": 2}, "'rank'"),
        ({"lora_alpha": 3.0}, "'lora_alpha'"),
        ({"use_rslora": True}, "'use_rslora'"),
    ],
)
def test_init_from_a_different_lora_is_refused_by_name(tmp_path, override, differing):
    tasks = make_tasks(["reverse"])
    source = run(tmp_path, "source", tasks)
    with pytest.raises(ValueError, match=f"--init-from .*{differing}.*set --rank"):
        run(tmp_path, "warm", tasks, init_from=str(source), **override)
