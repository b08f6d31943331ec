import json
import os

import pytest
import torch
from conftest import make_qwen2
from test_hypernet import make_config

from t2l.checkpoint import CONFIG_FILE, load_hypernet, save_hypernet
from t2l.hypernet import HyperNetwork
from t2l.targets import discover_targets


@pytest.mark.parametrize("dtype", [torch.float32, torch.float16])
def test_round_trip(tmp_path, dtype):
    hypernet = HyperNetwork(make_config("L"))
    torch.nn.init.normal_(hypernet.heads[0].weight)
    save_hypernet(tmp_path / "ckpt", hypernet, {"base_model": "tiny"}, dtype=dtype)
    loaded, meta = load_hypernet(tmp_path / "ckpt", expect_targets=hypernet.config.targets)
    assert meta == {"base_model": "tiny"} and loaded.config == hypernet.config
    x = torch.randn(2, 16)
    tol = {} if dtype == torch.float32 else {"atol": 2e-2, "rtol": 2e-2}
    for (a1, b1), (a2, b2) in zip(hypernet(x).values(), loaded(x).values(), strict=True):
        torch.testing.assert_close(a2, a1, **tol)
        torch.testing.assert_close(b2, b1, **tol)


def test_overwrite_leaves_no_staging_folders_and_ordinary_permissions(tmp_path):
    hypernet = HyperNetwork(make_config())
    save_hypernet(tmp_path / "ckpt", hypernet)
    save_hypernet(tmp_path / "ckpt", hypernet)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ckpt"]
    umask = os.umask(0)
    os.umask(umask)
    assert (tmp_path / "ckpt").stat().st_mode & 0o777 == 0o777 & ~umask
    assert (tmp_path / "ckpt" / "hypernet.safetensors").stat().st_mode & 0o777 == 0o666 & ~umask


def test_other_schema_is_refused(tmp_path):
    save_hypernet(tmp_path / "ckpt", HyperNetwork(make_config()))
    document = json.loads((tmp_path / "ckpt" / CONFIG_FILE).read_text())
    document["schema"] = "t2l.hypernet/v0"
    (tmp_path / "ckpt" / CONFIG_FILE).write_text(json.dumps(document))
    with pytest.raises(ValueError, match=r"schema 't2l.hypernet/v0'.*reads 't2l.hypernet/v1'"):
        load_hypernet(tmp_path / "ckpt")


def test_other_base_model_shape_is_refused(tmp_path):
    save_hypernet(tmp_path / "ckpt", HyperNetwork(make_config()))
    with pytest.raises(ValueError, match="trained for targets.*base model has"):
        load_hypernet(tmp_path / "ckpt", expect_targets=discover_targets(make_qwen2()))


def test_missing_checkpoint(tmp_path):
    with pytest.raises(ValueError, match="not a hypernet checkpoint"):
        load_hypernet(tmp_path)
