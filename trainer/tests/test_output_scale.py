"""Output-scale calibration (`t2l calibrate-scale`): the choice, the losses behind it, and the
calibrated hypernetwork as PEFT loads it."""

import json
from dataclasses import replace
from statistics import fmean

import pytest
import torch
from conftest import make_encoder, make_llama, make_tokenizer
from peft import PeftModel
from random_loras import random_lora
from synthetic_tasks import make_tasks

from t2l.batched_lora import apply_lora
from t2l.checkpoint import load_hypernet, save_hypernet
from t2l.cli import main
from t2l.hypernet import HyperNetConfig, HyperNetwork
from t2l.output_scale import choose_scale, losses_by_scale, parse_scales
from t2l.peft_io import load_peft_adapter, save_peft_adapter
from t2l.recipes.calibrate_scale import CalibrateScaleConfig, calibrate_scale
from t2l.recipes.frozen_base import frozen_base
from t2l.sft_batch import collate, completion_loss_per_example
from t2l.sft_tasks import example_losses, prepare_tasks
from t2l.targets import discover_targets

DEV = ["reverse", "upper", "double"]


@pytest.fixture
def checkpoint(tmp_path):
    """A trained-looking hypernetwork (B switched on) with its encoder saved beside it."""
    encoder = make_encoder()
    encoder.model.save_pretrained(tmp_path / "encoder")
    encoder.tokenizer.save_pretrained(tmp_path / "encoder")
    torch.manual_seed(0)
    hypernet = HyperNetwork(HyperNetConfig(discover_targets(make_llama()), embed_dim=encoder.dim,
                                           rank=4, hidden_dim=32))
    with torch.no_grad():
        hypernet.ab_gain.fill_(1.0)
        for head in hypernet.heads:
            head.weight.normal_(std=0.2)
    meta = {"encoder": {"name": str(tmp_path / "encoder"), "pooling": "mean",
                        "normalize": True, "max_length": 64},
            "base_model": {"hf_id": "tiny/llama", "num_layers": 2},
            "training": {"mode": "sft", "steps": 3}}
    return save_hypernet(tmp_path / "ckpt", hypernet, meta), hypernet


def calibrate(folder, out=None, **overrides):
    config = CalibrateScaleConfig(**{"hypernet": str(folder), "out": str(out or ""),
                                     "device": "cpu",
                                     "scales": "1,0.5,0.25", "max_length": 48,
                                     "embedding_cache": None, **overrides})
    return calibrate_scale(config, model=make_llama(), tokenizer=make_tokenizer(),
                           encoder=make_encoder(), dev_tasks=make_tasks(DEV))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "every scale must be"),
        ("1,a", "comma-separated numbers"),
        ("1,0", "every scale must be"),
        ("1,-0.5", "every scale must be"),
        ("1,nan", "every scale must be"),
        ("1,0.5,0.5", "listed twice"),
        ("0.5,0.25", "include 1"),
    ],
)
def test_bad_scales_name_the_flag(text, message):
    with pytest.raises(ValueError, match=f"--scales.*{message}"):
        parse_scales(text)


def test_scales_parse_in_order():
    assert parse_scales(" 1, 0.75 ,0.5,") == (1.0, 0.75, 0.5)


@pytest.mark.parametrize(
    ("per_task", "chosen"),
    [
        ({"a": {1.0: 2.0, 0.5: 1.0}}, 0.5),
        ({"a": {1.0: 1.0, 0.5: 2.0}}, 1.0),
        # Tasks count alike: b's large drop outweighs a's small rise.
        ({"a": {1.0: 1.0, 0.5: 1.2}, "b": {1.0: 3.0, 0.5: 2.0}}, 0.5),
        # A tie goes to the scale nearest the trained strength, on a log scale.
        ({"a": {1.0: 1.0, 0.5: 1.0, 1.5: 1.0}}, 1.0),
        ({"a": {1.0: 2.0, 0.5: 1.0, 1.5: 1.0}}, 1.5),
    ],
)
def test_choice_is_the_least_task_averaged_loss(per_task, chosen):
    scale, mean = choose_scale(per_task)
    assert scale == chosen
    assert mean[scale] == min(mean.values())


def test_no_dev_examples_is_an_error():
    with pytest.raises(ValueError, match="--dev-tasks"):
        choose_scale({})


def test_losses_span_the_base_model_and_the_trained_adapter(checkpoint):
    _, hypernet = checkpoint
    base, tokenizer = frozen_base(make_llama(), make_tokenizer(), "tiny", "q_proj,v_proj",
                                  torch.device("cpu"))
    examples = prepare_tasks(make_tasks(["reverse"]), tokenizer, None, 48, 0)[0].train[:4]
    embeddings = make_encoder().encode(["Reverse the word.", "Spell it backwards."])  # (2, E)
    with torch.no_grad():
        adapters = [hypernet(embeddings[i : i + 1]) for i in range(2)]
    losses = losses_by_scale(base, adapters, hypernet.scaling, examples, (1.0, 1e-9),
                             batch_size=3)
    # Scale 1: the adapter as trained, the loss every other measure of it reports.
    trained = [fmean(example_losses(base, lora, hypernet.scaling, examples, 2))
               for lora in adapters]
    assert losses[1.0] == pytest.approx(fmean(trained), rel=1e-5)
    # Scale -> 0: the base model alone.
    padded = collate(examples, base.pad_token_id)
    logits = base.model(input_ids=padded["input_ids"],
                        attention_mask=padded["attention_mask"]).logits
    alone = completion_loss_per_example(logits, padded["labels"]).mean().item()
    assert losses[1e-9] == pytest.approx(alone, rel=1e-5)
    assert losses[1.0] != pytest.approx(alone, rel=1e-3)


def test_calibrated_hypernet_keeps_its_weights_and_records_the_choice(tmp_path, checkpoint):
    folder, _ = checkpoint
    results = calibrate(folder, tmp_path / "calibrated", output=str(tmp_path / "scale.json"))
    scale = results["scale"]
    assert scale in (1.0, 0.5, 0.25)
    assert results["dev_loss"][results["scales"].index(scale)] == min(results["dev_loss"])
    assert (results["kind"], results["source"]) == ("hypernet", str(folder))
    assert sorted(results["per_task"]) == sorted(DEV) and results["dev_tasks"] == sorted(DEV)
    assert all(len(d) == 2 for d in results["descriptions"].values())  # each task has 2
    assert json.loads((tmp_path / "scale.json").read_text()) == results

    calibrated = tmp_path / "calibrated"
    assert ((calibrated / "hypernet.safetensors").read_bytes()
            == (folder / "hypernet.safetensors").read_bytes())
    hypernet, meta = load_hypernet(calibrated)
    assert hypernet.config.lora_alpha == pytest.approx(16.0 * scale)
    assert meta["output_scale"]["trained_lora_alpha"] == 16.0
    assert meta["training"] == {"mode": "sft", "steps": 3}  # lineage kept

    # Calibrating again starts from the trained alpha: same choice, no compounding.
    again = calibrate(calibrated, calibrated)
    assert again["trained_lora_alpha"] == 16.0 and again["scale"] == scale
    assert again["dev_loss"] == pytest.approx(results["dev_loss"], rel=1e-5)
    assert load_hypernet(calibrated)[0].config.lora_alpha == pytest.approx(16.0 * scale)


def test_guided_calibration_scores_guided_adapters_and_records_the_guidance(tmp_path,
                                                                           checkpoint):
    folder, _ = checkpoint
    plain = calibrate(folder, tmp_path / "plain")
    guided = calibrate(folder, tmp_path / "guided", guidance=2.0)
    assert "guidance" not in plain and guided["guidance"] == 2.0
    assert guided["dev_loss"] != pytest.approx(plain["dev_loss"], rel=1e-4)
    assert load_hypernet(tmp_path / "guided")[1]["output_scale"]["guidance"] == 2.0


def test_an_ensemble_is_measured_at_every_scale_and_never_written(tmp_path, checkpoint):
    folder, hypernet = checkpoint
    with torch.no_grad():
        hypernet.ab_gain[:, 1].mul_(-1.0)  # B negated: every update the first member's, negated
    second = save_hypernet(tmp_path / "second", hypernet, load_hypernet(folder)[1])
    members = f"{folder},{second}"
    config = {"out": "", "output": str(tmp_path / "ensemble.json")}
    ensemble = calibrate(members, **config)
    alone = calibrate(folder, tmp_path / "alone")
    assert [m["path"] for m in ensemble["training"]["ensemble"]] == [str(folder), str(second)]
    # The mean update is zero, so no scale moves the loss; one member's does.
    assert ensemble["dev_loss"] == pytest.approx([ensemble["dev_loss"][0]] * 3, rel=1e-5)
    assert alone["dev_loss"][0] != pytest.approx(alone["dev_loss"][-1], rel=1e-3)
    assert json.loads((tmp_path / "ensemble.json").read_text()) == ensemble
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "alone", "ckpt", "encoder", "ensemble.json", "second"]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [({"out": "calibrated"}, "an ensemble, which is no bundle"),
     ({"out": "", "version": "0.2.0", "output": "x.json"}, "an ensemble, which is no bundle"),
     ({"out": ""}, "give --output")],
)
def test_an_ensemble_takes_no_out_or_version_and_needs_output(tmp_path, checkpoint, overrides,
                                                              message):
    folder, _ = checkpoint
    with pytest.raises(ValueError, match=message):
        CalibrateScaleConfig(hypernet=f"{folder},{folder}", **overrides)


def test_peft_applies_the_calibrated_strength(tmp_path, checkpoint):
    folder, hypernet = checkpoint
    results = calibrate(folder, tmp_path / "calibrated", scales="1,0.5,0.25,0.1")
    assert main(["generate", "Reverse the word.", "-o", str(tmp_path / "adapter"),
                 "--checkpoint", str(tmp_path / "calibrated"), "--embedding-cache", "none"]) == 0
    config = json.loads((tmp_path / "adapter" / "adapter_config.json").read_text())
    assert config["lora_alpha"] == pytest.approx(16.0 * results["scale"])

    base, input_ids = make_llama(), torch.randint(4, 90, (1, 9))
    with torch.no_grad():
        loras = hypernet(make_encoder().encode(["Reverse the word."]))
        with apply_lora(base, hypernet.config.targets, loras,
                        hypernet.scaling * results["scale"]):
            expected = base(input_ids=input_ids).logits
        actual = PeftModel.from_pretrained(make_llama(), tmp_path / "adapter")(
            input_ids=input_ids).logits
    torch.testing.assert_close(actual, expected, atol=1e-5, rtol=0)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"hypernet": "/nonexistent"}, "--hypernet.*not a folder"),
        ({"hypernet": ""}, "one of --hypernet .* or --lora"),
        ({"lora": "/elsewhere"}, "one of --hypernet .* or --lora"),
        ({"out": ""}, "--out is required"),
        ({"scales": "0.5"}, "--scales.*include 1"),
        ({"descriptions_per_task": 0}, "--descriptions-per-task must be >= 1"),
        ({"batch_size": 0}, "--batch-size must be >= 1"),
        ({"max_length": 4}, "--max-length must be >= 8"),
        ({"device": "tpu"}, "--device"),
        ({"guidance": -1.0}, "--guidance must be >= 0"),
    ],
)
def test_bad_config_names_the_flag(tmp_path, checkpoint, overrides, message):
    folder, _ = checkpoint
    settings = {"hypernet": str(folder), "out": str(tmp_path / "out"), **overrides}
    with pytest.raises(ValueError, match=message):
        CalibrateScaleConfig(**settings)


def test_an_out_folder_with_other_files_is_left_alone(tmp_path, checkpoint):
    folder, _ = checkpoint
    exported = tmp_path / "exported"
    exported.mkdir()
    (exported / "manifest.json").write_text("{}")
    with pytest.raises(ValueError, match="--out .* holds \\['manifest.json'\\]"):
        CalibrateScaleConfig(hypernet=str(folder), out=str(exported))
    assert (exported / "manifest.json").read_text() == "{}"


def test_a_published_bundle_needs_a_new_version(tmp_path, checkpoint):
    folder, hypernet = checkpoint
    meta = {**load_hypernet(folder)[1], "name": "tiny", "version": "0.1.0"}
    bundle = save_hypernet(tmp_path / "bundle", hypernet, meta)
    for version in (None, "0.1.0"):
        with pytest.raises(ValueError, match="published as tiny@0.1.0.*new --version"):
            calibrate(bundle, tmp_path / "out", version=version)
    assert not (tmp_path / "out").exists()  # refused before anything was written
    calibrate(bundle, bundle, version="0.2.0")
    calibrated = load_hypernet(bundle)[1]
    assert (calibrated["name"], calibrated["version"]) == ("tiny", "0.2.0")
    assert calibrated["calibrated_from"] == "tiny@0.1.0"


def test_a_checkpoint_without_a_name_takes_no_version(tmp_path, checkpoint):
    folder, _ = checkpoint
    with pytest.raises(ValueError, match="--version: .* not a published bundle"):
        calibrate(folder, tmp_path / "out", version="0.2.0")
    with pytest.raises(ValueError, match="--version 'a b' must match"):
        CalibrateScaleConfig(hypernet=str(folder), out=str(tmp_path / "out"), version="a b")


@pytest.fixture
def multitask_lora(tmp_path):
    """A trained-looking PEFT LoRA (random A and B) for the tiny Llama."""
    lora = random_lora(discover_targets(make_llama()), rank=4, seed=3)
    return save_peft_adapter(tmp_path / "lora", replace(lora, base_model_name_or_path="tiny/l"))


def calibrate_lora(folder, out, **overrides):
    config = CalibrateScaleConfig(lora=str(folder), out=str(out), device="cpu",
                                  scales="1,0.5,0.25", max_length=48, embedding_cache=None,
                                  **overrides)
    return calibrate_scale(config, model=make_llama(), tokenizer=make_tokenizer(),
                           dev_tasks=make_tasks(DEV))


def test_a_trained_lora_is_calibrated_the_same_way(tmp_path, multitask_lora):
    results = calibrate_lora(multitask_lora, tmp_path / "calibrated")
    assert (results["kind"], results["descriptions"]) == ("lora", None)
    trained = load_peft_adapter(multitask_lora, discover_targets(make_llama()))
    # Its loss at each scale is the LoRA's own, on every dev task (no description involved).
    base, tokenizer = frozen_base(make_llama(), make_tokenizer(), "tiny", "q_proj,v_proj",
                                  torch.device("cpu"))
    for name, losses in results["per_task"].items():
        examples = prepare_tasks(make_tasks([name]), tokenizer, None, 48, 2)[0].val
        direct = losses_by_scale(base, [trained.batched()], trained.scaling, examples,
                                 (1.0, 0.5, 0.25), batch_size=8)
        assert losses == pytest.approx([direct[s] for s in (1.0, 0.5, 0.25)], rel=1e-5)

    calibrated = tmp_path / "calibrated"
    assert ((calibrated / "adapter_model.safetensors").read_bytes()
            == (multitask_lora / "adapter_model.safetensors").read_bytes())
    config = json.loads((calibrated / "adapter_config.json").read_text())
    assert config["lora_alpha"] == pytest.approx(trained.lora_alpha * results["scale"])
    assert json.loads((calibrated / "output_scale.json").read_text())["scale"] == results["scale"]
    # PEFT reads the folder as an ordinary adapter, at the calibrated strength.
    input_ids = torch.randint(4, 90, (1, 9))
    with torch.no_grad():
        reference = make_llama()
        with apply_lora(reference, trained.targets, trained.batched(),
                        trained.scaling * results["scale"]):
            expected = reference(input_ids=input_ids).logits
        actual = PeftModel.from_pretrained(make_llama(), calibrated)(input_ids=input_ids).logits
    torch.testing.assert_close(actual, expected, atol=1e-5, rtol=0)

    # Again, in place: from the recorded trained alpha, not the calibrated one.
    again = calibrate_lora(calibrated, calibrated)
    assert again["trained_lora_alpha"] == trained.lora_alpha
    assert again["dev_loss"] == pytest.approx(results["dev_loss"], rel=1e-5)


def test_a_lora_folder_must_name_its_base_model(tmp_path, multitask_lora):
    config_path = multitask_lora / "adapter_config.json"
    config = json.loads(config_path.read_text())
    config_path.write_text(json.dumps({**config, "base_model_name_or_path": None}))
    with pytest.raises(ValueError, match="--lora .* names no base_model_name_or_path"):
        calibrate_lora(multitask_lora, tmp_path / "out")
    with pytest.raises(ValueError, match="--lora .* no adapter_config.json"):
        calibrate_lora(tmp_path, tmp_path / "out")
    with pytest.raises(ValueError, match="--version names a calibrated bundle"):
        CalibrateScaleConfig(lora=str(multitask_lora), out=str(tmp_path / "o"), version="1")
    with pytest.raises(ValueError, match="--guidance .* a --lora has neither"):
        CalibrateScaleConfig(lora=str(multitask_lora), out=str(tmp_path / "o"), guidance=2.0)
