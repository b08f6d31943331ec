import torch
import torch.nn.functional as F

from t2l.description_mixup import blend_embeddings, step_generator


def test_blends_of_unit_vectors_stay_on_the_sphere_between_their_parents():
    g = torch.Generator().manual_seed(0)
    a = F.normalize(torch.randn(64, 8, generator=g), dim=-1)  # (N, E)
    b = F.normalize(torch.randn(64, 8, generator=g), dim=-1)
    mixed = blend_embeddings(a, b, step_generator(0, 1))
    torch.testing.assert_close(mixed.norm(dim=-1), torch.ones(64))
    # Between the parents: no closer to either than the parents are to each other.
    parents = (a * b).sum(-1)
    assert ((mixed * a).sum(-1) >= parents - 1e-6).all()
    assert ((mixed * b).sum(-1) >= parents - 1e-6).all()


def test_unnormalised_inputs_keep_their_scale():
    a, b = torch.full((4, 3), 2.0), torch.full((4, 3), 2.0)
    torch.testing.assert_close(blend_embeddings(a, b, step_generator(0, 1)), a)


def test_same_seed_and_step_same_blend_other_step_other_blend():
    a, b = torch.randn(16, 4), torch.randn(16, 4)
    first = blend_embeddings(a, b, step_generator(3, 7))
    torch.testing.assert_close(blend_embeddings(a, b, step_generator(3, 7)), first)
    assert not torch.allclose(blend_embeddings(a, b, step_generator(3, 8)), first)
