import pytest
import torch

from t2l.description_dropout import drop_descriptions, null_embeddings
from t2l.description_mixup import step_generator


def _unit_rows(n: int, dim: int = 6) -> torch.Tensor:
    rows = torch.randn(n, dim, generator=torch.Generator().manual_seed(0))
    return rows / rows.norm(dim=-1, keepdim=True)  # (n, E), as the encoder's


def test_dropout_replaces_whole_rows_by_the_null_description_reproducibly():
    rows = _unit_rows(400)
    dropped = drop_descriptions(rows, 0.25, step_generator(0, 7, stream=1))
    is_null = (dropped == 0).all(dim=-1)  # (400,)
    kept = ~is_null
    assert torch.equal(dropped[kept], rows[kept])  # the others untouched
    assert 0.15 < is_null.float().mean().item() < 0.35
    again = drop_descriptions(rows, 0.25, step_generator(0, 7, stream=1))
    assert torch.equal(again, dropped)  # same (seed, step, stream): same rows
    assert torch.equal(drop_descriptions(rows, 0.0, step_generator(0, 7)), rows)
    assert torch.equal(null_embeddings(2, rows), torch.zeros(2, 6))


@pytest.mark.parametrize("rate", [-0.1, 1.0])
def test_dropout_rate_outside_its_range_names_the_flag(rate):
    with pytest.raises(ValueError, match=r"--description-dropout must be in \[0, 1\)"):
        drop_descriptions(_unit_rows(2), rate, step_generator(0, 0))


def test_streams_of_one_step_draw_independently():
    first, second = (torch.rand(64, generator=step_generator(3, 5, stream=s)) for s in (0, 1))
    assert not torch.equal(first, second)
    assert torch.equal(torch.rand(64, generator=step_generator(3, 5)), first)  # stream 0: as before
