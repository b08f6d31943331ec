"""`t2l generate`: description -> PEFT folder, checked against PeftModel.from_pretrained."""

import hashlib

import pytest
import torch
from conftest import make_encoder, make_llama
from peft import PeftModel
from safetensors import safe_open

from t2l.batched_lora import apply_lora
from t2l.checkpoint import save_hypernet
from t2l.cli import main
from t2l.hypernet import HyperNetConfig, HyperNetwork
from t2l.targets import discover_targets


@pytest.fixture
def checkpoint(tmp_path):
    encoder = make_encoder()
    encoder.model.save_pretrained(tmp_path / "encoder")
    encoder.tokenizer.save_pretrained(tmp_path / "encoder")
    spec = discover_targets(make_llama())
    hypernet = HyperNetwork(HyperNetConfig(spec, embed_dim=16, variant="M", hidden_dim=32))
    with torch.no_grad():
        hypernet.ab_gain.fill_(1.0)  # a trained-looking network: B is no longer zero
    meta = {
        "encoder": {
            "name": str(tmp_path / "encoder"),
            "pooling": "mean",
            "normalize": True,
            "max_length": 64,
        },
        "base_model": {"hf_id": "tiny/llama", "num_layers": 2},
        "name": "tiny",
        "version": "3",
    }
    save_hypernet(tmp_path / "ckpt", hypernet, meta)
    return tmp_path / "ckpt", hypernet


def test_cli_writes_an_adapter_peft_loads_with_the_same_logits(tmp_path, checkpoint):
    folder, hypernet = checkpoint
    description = "  Reverse   the word. "
    code = main(
        [
            "generate",
            description,
            "-o",
            str(tmp_path / "adapter"),
            "--checkpoint",
            str(folder),
            "--embedding-cache",
            "none",
        ]
    )
    assert code == 0
    with safe_open(tmp_path / "adapter" / "adapter_model.safetensors", framework="pt") as handle:
        metadata = handle.metadata()
    assert metadata == {
        "format": "pt",
        "bundle": "tiny@3",
        "normalization": "nfc-trim-collapse/v1",
        "description_sha256": hashlib.sha256(b"Reverse the word.").hexdigest(),
    }

    base, input_ids = make_llama(), torch.randint(4, 90, (1, 9))
    with torch.no_grad():
        embedding = make_encoder().encode(["Reverse the word."])
        with apply_lora(base, hypernet.config.targets, hypernet(embedding), hypernet.scaling):
            expected = base(input_ids=input_ids).logits
        peft_model = PeftModel.from_pretrained(make_llama(), tmp_path / "adapter")
        actual = peft_model(input_ids=input_ids).logits
    assert (expected - base(input_ids=input_ids).logits).abs().max() > 1e-4
    torch.testing.assert_close(actual, expected, atol=1e-5, rtol=0)


@pytest.mark.parametrize(
    ("argv_tail", "message"),
    [
        (["   "], "description is empty"),
        (["ok", "--dtype", "int8"], "invalid choice"),
        (["ok", "--checkpoint", "/nonexistent"], "not a hypernet checkpoint"),
    ],
)
def test_bad_inputs_fail_cleanly(tmp_path, checkpoint, capsys, argv_tail, message):
    folder, _ = checkpoint
    argv = [
        "generate",
        *argv_tail[:1],
        "-o",
        str(tmp_path / "out"),
        "--checkpoint",
        str(folder),
        *argv_tail[1:],
    ]
    try:
        code = main(argv)
    except SystemExit as exit_:  # argparse rejects bad choices itself
        code = exit_.code
    assert code == 2 and message in capsys.readouterr().err
    assert not (tmp_path / "out").exists(), "nothing is half-written"


def test_refuses_to_replace_a_folder_that_is_not_an_adapter(tmp_path, checkpoint):
    (tmp_path / "precious").mkdir()
    (tmp_path / "precious" / "notes.txt").write_text("keep me")
    code = main(
        [
            "generate",
            "ok",
            "-o",
            str(tmp_path / "precious"),
            "--checkpoint",
            str(checkpoint[0]),
            "--embedding-cache",
            "none",
        ]
    )
    assert code == 2 and (tmp_path / "precious" / "notes.txt").read_text() == "keep me"
