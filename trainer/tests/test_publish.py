import json

import pytest
import torch
from test_hypernet import make_config

from t2l.checkpoint import load_hypernet, save_hypernet
from t2l.cli import main
from t2l.hypernet import HyperNetwork
from t2l.publish import publish_weights


@pytest.fixture
def checkpoint(tmp_path):
    hypernet = HyperNetwork(make_config("M"))
    torch.nn.init.normal_(hypernet.heads[0].weight, std=0.02)
    training = {"mode": "sft", "steps": 7, "metrics": {"val_loss": 1.5}}
    return save_hypernet(tmp_path / "ckpt", hypernet, {"training": training}), hypernet


def test_published_weights_are_fp16_with_name_version_and_training_record(tmp_path, checkpoint):
    folder, hypernet = checkpoint
    publish_weights(folder, tmp_path / "bundle", "my-bundle", "0.1.0")
    loaded, meta = load_hypernet(tmp_path / "bundle")
    document = json.loads((tmp_path / "bundle" / "hypernet.json").read_text())
    assert document["dtype"] == "float16"
    assert (meta["name"], meta["version"], meta["training"]["steps"]) == ("my-bundle", "0.1.0", 7)
    x = torch.randn(3, 16)
    for (a1, b1), (a2, b2) in zip(hypernet(x).values(), loaded(x).values(), strict=True):
        torch.testing.assert_close(a2, a1, atol=2e-3, rtol=2e-2)
        torch.testing.assert_close(b2, b1, atol=2e-3, rtol=2e-2)


@pytest.mark.parametrize(
    ("flags", "named"),
    [
        (["--version", "0.1.0", "--name", "Bad Name"], "--name"),
        (["--version", "not a version"], "--version"),
    ],
)
def test_bad_flags_are_named(tmp_path, checkpoint, capsys, flags, named):
    folder, _ = checkpoint
    assert main(["publish-weights", str(folder), "-o", str(tmp_path / "out"), *flags]) == 2
    assert named in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_cli_defaults_the_name_to_the_folder(tmp_path, checkpoint, capsys):
    folder, _ = checkpoint
    out = tmp_path / "t2l-x"
    assert main(["publish-weights", str(folder), "-o", str(out), "--version", "1"]) == 0
    assert json.loads(capsys.readouterr().out)["name"] == "t2l-x"
