import json

import pytest
from conftest import make_encoder, make_llama, make_tokenizer
from synthetic_tasks import RECIPE_SETTINGS
from test_peft_io import random_lora

from t2l.checkpoint import load_hypernet
from t2l.peft_io import save_peft_adapter
from t2l.recipe_config import ReconConfig
from t2l.recipes.train_recon import train_recon
from t2l.run_dir import read_metrics
from t2l.targets import discover_targets

TASKS = {
    "reverse": "Write the word backwards.",
    "upper": "Write the word in capitals.",
    "double": "Say the word two times.",
}


def make_library(folder, rank=4):
    spec = discover_targets(make_llama())
    for seed, (name, description) in enumerate(TASKS.items()):
        save_peft_adapter(folder / name, random_lora(spec, rank=rank, seed=seed))
        (folder / name / "task.json").write_text(
            json.dumps({"name": name, "descriptions": [description]})
        )
    return folder


def run(tmp_path, name, **overrides):
    settings = {
        **RECIPE_SETTINGS,
        "library": str(make_library(tmp_path / "library")),
        "out_dir": str(tmp_path / name),
        "lr": 1e-2,
        "hidden_dim": 32,
        "heldout": "double",
        "embedding_cache": None,
        **overrides,
    }
    return train_recon(
        ReconConfig(**settings),
        model=make_llama(),
        tokenizer=make_tokenizer(),
        encoder=make_encoder(),
    )


@pytest.mark.parametrize(("loss", "variant"), [("zscore", "L"), ("zscore", "S"), ("delta_w", "M")])
def test_three_steps_lower_the_loss_and_write_files(tmp_path, loss, variant):
    final = run(tmp_path, "run", loss=loss, variant=variant)
    metrics = read_metrics(tmp_path / "run")
    losses = [m["loss"] for m in metrics if m.get("split") == "train"]
    assert len(losses) == 3 and losses[2] < losses[0]
    assert {"val_loss", "heldout_loss"} <= set(metrics[-1])
    hypernet, meta = load_hypernet(final)
    assert meta["training"]["mode"] == f"recon-{loss}"
    assert meta["training"]["tasks"] == ["reverse", "upper"]


def test_bad_library_inputs(tmp_path):
    with pytest.raises(ValueError, match="--heldout .*nope"):
        run(tmp_path, "a", heldout="nope")
    with pytest.raises(ValueError, match="--loss zscore needs library ranks"):
        run(tmp_path, "b", rank=8)
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValueError, match="holds no entries"):
        run(tmp_path, "c", library=str(tmp_path / "empty"))
