import json
import shutil
from itertools import pairwise

import pytest
import torch
from conftest import make_encoder, make_llama, make_tokenizer
from synthetic_tasks import RECIPE_SETTINGS, make_tasks

from t2l.best_checkpoint import BEST_FOLDER
from t2l.checkpoint import CONFIG_FILE, load_hypernet, save_with_new_document
from t2l.output_scale import META_KEY
from t2l.recipe_config import SFTConfig
from t2l.recipes.train_sft import train_sft
from t2l.run_dir import read_metrics


def run(tmp_path, name, tasks, heldout=None, dev=None, **overrides):
    settings = {
        **RECIPE_SETTINGS,
        "tasks": "given-in-memory",
        "out_dir": str(tmp_path / name),
        "lr": 3e-3,
        "hidden_dim": 32,
        "max_length": 48,
        "embedding_cache": None,
        **overrides,
    }
    config = SFTConfig(**settings)
    return train_sft(
        config,
        model=make_llama(),
        tokenizer=make_tokenizer(),
        encoder=make_encoder(),
        tasks=tasks,
        heldout_tasks=heldout,
        dev_tasks=dev,
    )


def train_losses(folder):
    return [m["loss"] for m in read_metrics(folder) if m.get("split") == "train"]


@pytest.mark.parametrize("variant", ["L", "M", "S"])
def test_three_steps_lower_the_loss_and_write_files(tmp_path, variant):
    # One example and one description per task, a batch of all tasks: every step sees the
    # same data, so the loss must fall.
    tasks = make_tasks(["reverse", "upper"], examples=1, descriptions=1)
    final = run(tmp_path, variant, tasks, make_tasks(["double"]), variant=variant)
    losses = train_losses(tmp_path / variant)
    assert len(losses) == 3 and losses[2] < losses[0]
    hypernet, meta = load_hypernet(final)
    assert hypernet.config.variant == variant
    assert meta["training"]["steps"] == 3 and {"val_loss", "heldout_loss"} <= set(
        meta["training"]["metrics"]
    )
    checkpoints = sorted(p.name for p in (tmp_path / variant / "checkpoints").iterdir())
    assert checkpoints == ["step-00000002", "step-00000003"]
    for name in (
        "hypernet.safetensors",
        "hypernet.json",
        "config.json",
        "trainer_state.pt",
        "trainer_state.json",
    ):
        assert (tmp_path / variant / "checkpoints" / "step-00000003" / name).is_file()
    saved = json.loads((tmp_path / variant / "config.json").read_text())
    assert saved["schema"] == "t2l.run/v1" and saved["config"]["variant"] == variant


# Mixup draws blends, and dropout the dropped rows, by step.
@pytest.mark.parametrize("extra", [{}, {"task_mixup": 0.5}, {"description_dropout": 0.5}])
def test_resume_reproduces_the_uninterrupted_run(tmp_path, extra):
    tasks = make_tasks(["reverse", "upper", "double"])
    settings = {"max_steps": 6, "eval_every": 2, "save_every": 2, "dropout": 0.1, **extra}
    full = run(tmp_path, "full", tasks, **settings)
    run(tmp_path, "split", tasks, stop_at_step=3, **settings)  # as if killed after step 3
    # ...in the middle of writing step 4's metrics line and step 4's checkpoint:
    with open(tmp_path / "split" / "metrics.jsonl", "a") as metrics:
        metrics.write('{"step": 4, "split": "tr')
    (tmp_path / "split" / "checkpoints" / ".staging-torn").mkdir()
    resumed = run(tmp_path, "split", tasks, resume=True, **settings)
    for key, value in load_hypernet(full)[0].state_dict().items():
        assert torch.equal(value, load_hypernet(resumed)[0].state_dict()[key]), key
    assert train_losses(tmp_path / "split") == train_losses(tmp_path / "full")
    steps = [m["step"] for m in read_metrics(tmp_path / "split") if m.get("split") == "train"]
    assert steps == [1, 2, 3, 4, 5, 6]
    assert not list((tmp_path / "split" / "checkpoints").glob(".staging-*"))


def test_refuses_to_overwrite_or_resume_a_different_run(tmp_path):
    tasks = make_tasks(["reverse"])
    run(tmp_path, "a", tasks, max_steps=2)
    with pytest.raises(ValueError, match="already holds checkpoints.*--resume"):
        run(tmp_path, "a", tasks, max_steps=2)
    with pytest.raises(ValueError, match=r"config differs in \['--lr'\]"):
        run(tmp_path, "a", tasks, max_steps=2, lr=1.0, resume=True)
    with pytest.raises(ValueError, match=r"--tasks: tasks \['reverse'\] have no training"):
        run(tmp_path, "b", make_tasks(["reverse"], examples=0))


@pytest.mark.parametrize(
    ("overrides", "flag"),
    [
        ({"max_steps": 0}, "--max-steps"),
        ({"lr": -1.0}, "--lr"),
        ({"tasks": ""}, "--tasks"),
        ({"stop_at_step": 1001}, "--stop-at-step"),
        ({"device": "tpu"}, "--device"),
        ({"mismatch_weight": -1.0}, "--mismatch-weight"),
        ({"mismatch_margin": 0.0}, "--mismatch-margin"),
        ({"task_mixup": -0.5}, "--task-mixup must be >= 0"),
        ({"description_dropout": 1.0}, r"--description-dropout must be in \[0, 1\)"),
        ({"description_dropout": -0.1}, "--description-dropout"),
        ({"balance_by": "template"}, "--balance-by must be one of"),
        ({"keep_best": "train_loss"}, "--keep-best must be one of"),
        ({"keep_best": "heldout_loss"}, "--keep-best heldout_loss would choose .* --dev-tasks"),
        ({"keep_best": "dev_loss"}, "--keep-best dev_loss needs --dev-tasks"),
    ],
)
def test_bad_config_names_the_flag(overrides, flag):
    with pytest.raises(ValueError, match=flag):
        SFTConfig(**{"tasks": "x.json", **overrides})


def test_mismatch_hinge_adds_the_margin_while_descriptions_cannot_matter_yet(tmp_path):
    # B = 0 at init: every description gives the same (zero) LoRA, so at step 1 the mismatched
    # loss equals the matched one and the hinge is exactly its margin.
    tasks = make_tasks(["reverse", "upper"], examples=1, descriptions=1)
    run(tmp_path, "plain", tasks)
    run(tmp_path, "hinge", tasks, mismatch_weight=2.0, mismatch_margin=0.25)
    plain, hinge = train_losses(tmp_path / "plain"), train_losses(tmp_path / "hinge")
    assert hinge[0] == pytest.approx(plain[0] + 2.0 * 0.25, abs=1e-5)
    assert len(hinge) == 3 and all(torch.isfinite(torch.tensor(hinge)))


def test_task_mixup_adds_its_weighted_loss_to_plain_sfts(tmp_path):
    # B = 0 at init: every blend gives the zero LoRA, so at step 1 the mixup term is the base
    # model's blend-weighted loss, a positive addition to the very same plain loss.
    tasks = make_tasks(["reverse", "upper"], examples=1, descriptions=1)
    run(tmp_path, "plain", tasks)
    run(tmp_path, "mixup", tasks, task_mixup=1.0)
    plain, mixup = train_losses(tmp_path / "plain"), train_losses(tmp_path / "mixup")
    assert mixup[0] > plain[0] and len(mixup) == 3
    assert all(torch.isfinite(torch.tensor(mixup)))


def test_description_dropout_changes_training_and_is_recorded(tmp_path):
    # B = 0 at init: step 1's adapters are all zero, dropped or not; later steps' are not.
    tasks = make_tasks(["reverse", "upper"], examples=2)
    plain = run(tmp_path, "plain", tasks, max_steps=4)
    dropped = run(tmp_path, "dropout", tasks, max_steps=4, description_dropout=0.5)
    plain_losses, dropout_losses = (train_losses(tmp_path / n) for n in ("plain", "dropout"))
    assert dropout_losses[0] == pytest.approx(plain_losses[0], abs=1e-6)
    assert dropout_losses[1:] != pytest.approx(plain_losses[1:], abs=1e-6)
    assert load_hypernet(dropped)[1]["training"]["description_dropout"] == 0.5
    assert "description_dropout" not in load_hypernet(plain)[1]["training"]


def test_init_from_starts_at_the_source_weights_with_a_fresh_schedule(tmp_path):
    tasks, heldout = make_tasks(["reverse", "upper"]), make_tasks(["double"])
    source = run(tmp_path, "source", tasks, heldout)
    source_val = [m for m in read_metrics(tmp_path / "source") if m.get("split") == "val"][-1]
    tuned = run(tmp_path, "tuned", tasks, heldout, init_from=str(source), max_steps=2)
    start = next(m for m in read_metrics(tmp_path / "tuned") if m.get("event") == "start")
    # Same weights, same validation data: the warm start's step-0 losses are the source's last.
    for key in ("val_loss", "heldout_loss"):
        assert start[key] == pytest.approx(source_val[key], rel=1e-5)
    source_training = load_hypernet(source)[1]["training"]
    assert start["init_from"] == {"path": str(source), "training": source_training}
    # Its own step count and schedule, not a continuation of the source's three steps.
    assert [m["step"] for m in read_metrics(tmp_path / "tuned") if "loss" in m] == [1, 2]
    assert load_hypernet(tuned)[1]["training"]["steps"] == 2
    assert load_hypernet(tuned)[1]["training"]["init_from"] == start["init_from"]
    # A resumed warm start keeps its provenance (from its checkpoint, not the source folder).
    run(tmp_path, "split", tasks, heldout, init_from=str(source), max_steps=2, stop_at_step=1)
    resumed = run(tmp_path, "split", tasks, heldout, init_from=str(source), max_steps=2,
                  resume=True)
    assert load_hypernet(resumed)[1]["training"]["init_from"] == start["init_from"]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"hidden_dim": 16}, r"--init-from .* different hypernetwork .*'hidden_dim': \(32, 16\)"),
        ({"rank": 2}, r"--init-from .* different hypernetwork .*'rank': \(4, 2\)"),
    ],
)
def test_init_from_refuses_another_architecture(tmp_path, overrides, message):
    tasks = make_tasks(["reverse"])
    source = run(tmp_path, "source", tasks, max_steps=1)
    with pytest.raises(ValueError, match=message):
        run(tmp_path, "tuned", tasks, init_from=str(source), **overrides)


def test_init_from_a_calibrated_source_trains_at_its_trained_alpha(tmp_path):
    # A calibrated copy holds the same weights with alpha x s and records the trained alpha;
    # a fine-tune of it must match the recipe's trained alpha, not the served one.
    tasks = make_tasks(["reverse"])
    source = run(tmp_path, "source", tasks, max_steps=1)
    document = json.loads((source / CONFIG_FILE).read_text())
    trained_alpha = document["config"]["lora_alpha"]
    document["config"]["lora_alpha"] = trained_alpha * 0.5
    document["meta"][META_KEY] = {"scale": 0.5, "trained_lora_alpha": trained_alpha}
    calibrated = save_with_new_document(source, tmp_path / "calibrated", document)
    plain = run(tmp_path, "from-plain", tasks, init_from=str(source), max_steps=1)
    tuned = run(tmp_path, "from-calibrated", tasks, init_from=str(calibrated), max_steps=1)
    assert same_weights(plain, tuned)
    assert load_hypernet(tuned)[0].config.lora_alpha == trained_alpha
    assert META_KEY not in load_hypernet(tuned)[1]  # a new training needs its own calibration
    with pytest.raises(ValueError, match=r"different hypernetwork .*'lora_alpha'"):
        run(tmp_path, "served-alpha", tasks, init_from=str(calibrated), max_steps=1,
            lora_alpha=trained_alpha * 0.5)


def test_init_from_refuses_a_folder_that_is_no_hypernetwork(tmp_path):
    with pytest.raises(ValueError, match="not a hypernet checkpoint directory"):
        run(tmp_path, "tuned", make_tasks(["reverse"]), init_from=str(tmp_path))


def same_weights(folder_a, folder_b) -> bool:
    a, b = load_hypernet(folder_a)[0].state_dict(), load_hypernet(folder_b)[0].state_dict()
    return all(torch.equal(a[key], b[key]) for key in a)


def test_keep_best_keeps_the_weights_of_the_lowest_dev_loss(tmp_path):
    tasks, dev = make_tasks(["reverse", "upper"]), make_tasks(["double", "first"])
    settings = {"max_steps": 5, "eval_every": 1, "save_every": 1, "keep_checkpoints": 5,
                "lr": 3e-2, "keep_best": "dev_loss", "dev_tasks": "given-in-memory"}
    run(tmp_path, "full", tasks, dev=dev, **settings)
    evals = {m["step"]: m["dev_loss"] for m in read_metrics(tmp_path / "full") if "dev_loss" in m}
    assert sorted(evals) == [1, 2, 3, 4, 5]
    best_step = min(evals, key=evals.get)
    assert best_step < 5  # at this learning rate dev loss bottoms out early: a real selection
    selected = load_hypernet(tmp_path / "full" / BEST_FOLDER)[1]["training"]["selected_by"]
    assert selected == {"metric": "dev_loss", "value": evals[best_step], "step": best_step}
    assert same_weights(tmp_path / "full" / BEST_FOLDER,
                        tmp_path / "full" / "checkpoints" / f"step-{best_step:08d}")
    improvements = [m["step"] for m in read_metrics(tmp_path / "full") if m.get("event") == "best"]
    assert improvements[0] == 1 and improvements[-1] == best_step
    assert all(evals[b] < evals[a] for a, b in pairwise(improvements))
    # A run resumed after every step keeps the same best (its record survives the restarts).
    for stop in range(1, 5):
        run(tmp_path, "split", tasks, dev=dev, stop_at_step=stop, resume=stop > 1, **settings)
    run(tmp_path, "split", tasks, dev=dev, resume=True, **settings)
    assert same_weights(tmp_path / "split" / BEST_FOLDER, tmp_path / "full" / BEST_FOLDER)
    assert load_hypernet(tmp_path / "split" / BEST_FOLDER)[1]["training"]["selected_by"] == selected
    # Killed after step 4's evaluation, as if steps 3 and 4 were never checkpointed.
    run(tmp_path, "killed", tasks, dev=dev, stop_at_step=4, **settings)
    for step in (3, 4):
        shutil.rmtree(tmp_path / "killed" / "checkpoints" / f"step-{step:08d}")
    run(tmp_path, "killed", tasks, dev=dev, resume=True, **settings)
    assert same_weights(tmp_path / "killed" / BEST_FOLDER, tmp_path / "full" / BEST_FOLDER)


def test_keep_best_counts_a_warm_starts_own_weights(tmp_path):
    tasks = make_tasks(["reverse", "upper"])
    source = run(tmp_path, "source", tasks)
    run(tmp_path, "tuned", tasks, init_from=str(source), max_steps=1, keep_best="val_loss")
    first = next(m for m in read_metrics(tmp_path / "tuned") if m.get("event") == "best")
    assert first["step"] == 0
    assert {m["step"] for m in read_metrics(tmp_path / "tuned") if "val_loss" in m} == {0, 1}


def test_keep_best_refuses_a_metric_without_validation_examples_before_training(tmp_path):
    with pytest.raises(ValueError, match="--keep-best dev_loss: its tasks have no validation"):
        run(tmp_path, "a", make_tasks(["reverse"]), dev=[], dev_tasks="given-in-memory",
            keep_best="dev_loss")
