import pytest
import torch

from t2l.recon_loss import delta_w_mse, delta_w_squared_norms


def factors(batch, layers, rank, n_in, n_out, seed):
    g = torch.Generator().manual_seed(seed)
    a = torch.randn(batch, layers, rank, n_in, generator=g)  # (B, L, r, in)
    b = torch.randn(batch, layers, n_out, rank, generator=g)  # (B, L, out, r)
    return a, b


@pytest.mark.parametrize(
    ("rank_pred", "rank_target", "n_in", "n_out"),
    [(4, 4, 12, 12), (2, 6, 12, 5), (8, 1, 7, 20)],
)
def test_gram_norms_equal_the_explicit_delta_w(rank_pred, rank_target, n_in, n_out):
    a_p, b_p = factors(3, 2, rank_pred, n_in, n_out, seed=0)
    a_t, b_t = factors(3, 2, rank_target, n_in, n_out, seed=1)
    error, reference = delta_w_squared_norms(a_p, b_p, a_t, b_t)
    explicit_error = (b_p @ a_p - b_t @ a_t).square().sum((-1, -2))  # (B, L)
    explicit_reference = (b_t @ a_t).square().sum((-1, -2))
    torch.testing.assert_close(error, explicit_error, rtol=1e-4, atol=1e-3)
    torch.testing.assert_close(reference, explicit_reference, rtol=1e-4, atol=1e-3)


def test_delta_w_mse_is_relative_and_blind_to_factorisation():
    a, b = factors(2, 3, 4, 10, 6, seed=2)
    rotation = torch.linalg.qr(torch.randn(4, 4, generator=torch.Generator().manual_seed(3)))[0]
    rotated = {"q": (rotation.T @ a, b @ rotation)}  # same ΔW, other factors
    target = {"q": (a, b)}
    assert delta_w_mse(rotated, target).item() == pytest.approx(0.0, abs=1e-5)
    assert delta_w_mse({"q": (a, 2 * b)}, target).item() == pytest.approx(1.0, rel=1e-4)
    assert delta_w_mse({"q": (a, 0 * b)}, target).item() == pytest.approx(1.0, rel=1e-4)


def test_gradient_flows_to_the_prediction():
    a_p, b_p = factors(1, 1, 2, 5, 5, seed=4)
    a_p.requires_grad_(True)
    a_t, b_t = factors(1, 1, 2, 5, 5, seed=5)
    delta_w_mse({"q": (a_p, b_p)}, {"q": (a_t, b_t)}).backward()
    assert a_p.grad is not None and a_p.grad.abs().sum() > 0
