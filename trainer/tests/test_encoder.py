import json

import pytest
import torch
from conftest import make_encoder

from t2l.encoder import TaskEncoder


def test_encode_is_normalised_pooled_and_whitespace_insensitive(encoder):
    vectors = encoder.encode(["Solve  math\tproblems", "Solve math problems", "Write poems"])
    assert vectors.shape == (3, 16) and vectors.dtype == torch.float32
    torch.testing.assert_close(vectors.norm(dim=-1), torch.ones(3))
    torch.testing.assert_close(vectors[0], vectors[1])
    assert not torch.allclose(vectors[0], vectors[2])


@pytest.mark.parametrize("pooling", ["mean", "cls"])
def test_forward_matches_manual_pooling(pooling):
    encoder = make_encoder()
    encoder.pooling, encoder.normalize = pooling, False
    batch = encoder.tokenizer(["ab", "abcdef"], padding=True, return_tensors="pt")
    hidden = encoder.model(input_ids=batch["input_ids"]).last_hidden_state
    short = encoder(batch["input_ids"][:1, :2], batch["attention_mask"][:1, :2])
    padded = encoder(batch["input_ids"], batch["attention_mask"])
    expected = hidden[1, 0] if pooling == "cls" else hidden[1].mean(0)
    torch.testing.assert_close(padded[1], expected)
    torch.testing.assert_close(padded[0], short[0], atol=1e-5, rtol=1e-5)  # padding is ignored


def test_cache_serves_repeat_texts_without_the_model(encoder, tmp_path):
    first = encoder.encode(["task one", "task two"])
    reloaded = make_encoder(cache_dir=tmp_path / "embedding-cache")
    reloaded.model.forward = None  # any model call would now fail
    torch.testing.assert_close(reloaded.encode(["task two", "task one"]), first.flip(0))


def test_cache_is_keyed_by_model(encoder, tmp_path):
    first = encoder.encode(["task one"])
    other = make_encoder(cache_dir=tmp_path / "embedding-cache")
    with torch.no_grad():
        other.model.embeddings.word_embeddings.weight.mul_(2)
    assert not torch.allclose(other.encode(["task one"]), first)


def test_bad_inputs():
    encoder = make_encoder()
    with pytest.raises(ValueError, match="empty"):
        encoder.encode(["   "])
    with pytest.raises(ValueError, match="--encoder-pooling"):
        type(encoder)(encoder.model, encoder.tokenizer, name="x", pooling="max")


def test_from_pretrained_reads_sentence_transformers_settings(tmp_path):
    source = make_encoder()
    source.model.save_pretrained(tmp_path)
    source.tokenizer.save_pretrained(tmp_path)
    (tmp_path / "1_Pooling").mkdir()
    (tmp_path / "1_Pooling" / "config.json").write_text(
        json.dumps({"pooling_mode_cls_token": True})
    )
    (tmp_path / "modules.json").write_text(json.dumps([{"type": "x.Transformer"}]))
    (tmp_path / "sentence_bert_config.json").write_text(json.dumps({"max_seq_length": 32}))
    encoder = TaskEncoder.from_pretrained(str(tmp_path))
    assert encoder.settings() == {
        "name": str(tmp_path),
        "dim": 16,
        "max_length": 32,
        "pooling": "cls",
        "normalize": False,
    }
    torch.testing.assert_close(
        encoder.encode(["a task"]),
        source.__class__(
            source.model, source.tokenizer, name="x", pooling="cls", normalize=False
        ).encode(["a task"]),
    )
