import pytest
import torch
from conftest import make_encoder

from t2l.embedding_table import EmbeddingTable, load_task_encoder

TEXTS = ["Reverse the words.", "Upper-case the input.", "Count the vowels."]


def test_round_trip_matches_the_encoder_exactly(tmp_path):
    encoder = make_encoder()
    path = EmbeddingTable.from_encoder(encoder, TEXTS).save(tmp_path / "table.safetensors")
    table = load_task_encoder("tiny-bert", table=str(path), pooling="mean", normalize=True)
    # Whitespace variants normalise to the same key, as in the encoder's own cache.
    queries = [TEXTS[2], "  Reverse   the words. ", TEXTS[1]]
    assert torch.equal(table.encode(queries), encoder.encode(queries))
    assert table.dim == encoder.dim and len(table) == 3
    assert table.settings() == encoder.settings()


def test_missing_text_is_named(tmp_path):
    path = EmbeddingTable.from_encoder(make_encoder(), TEXTS).save(tmp_path / "t.safetensors")
    with pytest.raises(ValueError, match="no row for 1 description.*'Sort the list.'"):
        EmbeddingTable.load(path).encode([TEXTS[0], "Sort the list."])


@pytest.mark.parametrize(
    ("name", "settings", "message"),
    [
        ("other-encoder", {}, "another encoder"),
        ("tiny-bert", {"pooling": "cls"}, "another encoder"),
        ("tiny-bert", {"max_length": 7}, "another encoder"),
    ],
)
def test_table_of_another_encoder_is_refused(tmp_path, name, settings, message):
    path = EmbeddingTable.from_encoder(make_encoder(), TEXTS).save(tmp_path / "t.safetensors")
    with pytest.raises(ValueError, match=message):
        load_task_encoder(name, table=str(path), **settings)


def test_missing_or_foreign_file_is_refused(tmp_path):
    with pytest.raises(ValueError, match="does not exist"):
        EmbeddingTable.load(tmp_path / "nope.safetensors")
    import numpy as np
    from safetensors.numpy import save_file

    save_file({"embeddings": np.zeros((1, 4), np.float32)}, str(tmp_path / "x.safetensors"))
    with pytest.raises(ValueError, match="schema"):
        EmbeddingTable.load(tmp_path / "x.safetensors")
