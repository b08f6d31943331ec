"""The one test on the real packaged files: SmolLM2-135M-Instruct from its GGUF and MiniLM.

Slow-ish (GGUF dequantization, ~30 s on two cores); skipped only when a package is absent.
"""

from __future__ import annotations

import pytest
import torch

from t2l.base_model import load_base_model
from t2l.packaged_models import ALL_MINILM_L6_V2, SMOLLM2_135M_INSTRUCT, package_dir

pytestmark = pytest.mark.skipif(
    any(package_dir(m.package) is None for m in (SMOLLM2_135M_INSTRUCT, ALL_MINILM_L6_V2)),
    reason="packaged models not installed (scripts/setup-python.sh installs them)",
)


def test_packaged_smollm2_and_minilm_load_with_the_expected_shapes(monkeypatch, tmp_path):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    torch.manual_seed(0)
    model, tokenizer = load_base_model(SMOLLM2_135M_INSTRUCT.hub_id, cache=False)
    config = model.config
    assert (config.num_hidden_layers, config.hidden_size) == (30, 576)
    assert (config.num_attention_heads, config.num_key_value_heads) == (9, 3)
    assert model.dtype == torch.float32  # Q4_1 dequantized to float
    assert config.t2l_base_model["hub_id"] == SMOLLM2_135M_INSTRUCT.hub_id

    messages = [{"role": "user", "content": "What is the capital of France?"}]
    text = tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
    ids = tokenizer(text, return_tensors="pt")
    out = model.generate(**ids, max_new_tokens=12, do_sample=False)
    answer = tokenizer.decode(out[0, ids["input_ids"].shape[1]:], skip_special_tokens=True)
    assert "Paris" in answer

    from t2l.encoder import DEFAULT_ENCODER, TaskEncoder

    encoder = TaskEncoder.from_pretrained(DEFAULT_ENCODER)
    assert encoder.dim == 384 and encoder.model.config.num_hidden_layers == 6
    vectors = encoder.encode([
        "Classify the sentiment of a movie review.",
        "Decide whether a film review is positive or negative.",
        "Solve grade-school arithmetic word problems.",
    ])
    assert vectors.shape == (3, 384)
    assert torch.allclose(vectors.norm(dim=-1), torch.ones(3), atol=1e-5)
    similar, unrelated = vectors[0] @ vectors[1], vectors[0] @ vectors[2]
    assert similar > unrelated + 0.2
