import pytest
import torch
from conftest import perturb

from t2l.description_dropout import null_embeddings
from t2l.description_guidance import guided_loras, guided_rank_and_alpha
from t2l.hypernet import HyperNetConfig, HyperNetwork
from t2l.targets import TargetModule, TargetSpec


def _unit_rows(n: int, dim: int = 6) -> torch.Tensor:
    rows = torch.randn(n, dim, generator=torch.Generator().manual_seed(0))
    return rows / rows.norm(dim=-1, keepdim=True)  # (n, E), as the encoder's


def _hypernet() -> HyperNetwork:
    targets = TargetSpec(num_layers=2, modules=(TargetModule("q_proj", "layers.{layer}.q", 6, 5),))
    hypernet = HyperNetwork(HyperNetConfig(targets=targets, embed_dim=6, rank=3, hidden_dim=16))
    perturb(hypernet, 0)  # B heads start at zero; move them so adapters differ
    return hypernet.eval()


def _delta(lora: tuple[torch.Tensor, torch.Tensor]) -> torch.Tensor:
    a, b = lora  # (N, L, r, in), (N, L, out, r)
    return b @ a  # (N, L, out, in)


@pytest.mark.parametrize("guidance", [0.0, 0.5, 2.0, 3.5])
def test_guided_adapter_is_exactly_the_weighted_sum_of_two_updates(guidance):
    hypernet, rows = _hypernet(), _unit_rows(3)
    with torch.no_grad():
        guided = guided_loras(hypernet, rows, guidance)["q_proj"]
        described = _delta(hypernet(rows)["q_proj"])  # (3, L, out, in)
        null = _delta(hypernet(null_embeddings(1, rows))["q_proj"])  # (1, L, out, in)
    assert guided[0].shape == (3, 2, 6, 6) and guided[1].shape == (3, 2, 5, 6)  # rank 2r
    expected = guidance * described + (1 - guidance) * null
    assert torch.allclose(_delta(guided), expected, atol=1e-5)


def test_guidance_one_is_the_plain_adapter():
    hypernet, rows = _hypernet(), _unit_rows(2)
    with torch.no_grad():
        plain, guided = hypernet(rows)["q_proj"], guided_loras(hypernet, rows, 1.0)["q_proj"]
    assert all(torch.equal(p, g) for p, g in zip(plain, guided, strict=True))


@pytest.mark.parametrize(
    ("use_rslora", "guidance", "expected"),
    [(False, 1.0, (3, 6.0)), (False, 2.0, (6, 12.0)), (True, 2.0, (6, 6.0 * 2**0.5))],
)
def test_guided_peft_config_keeps_the_hypernetworks_scaling(use_rslora, guidance, expected):
    config = HyperNetConfig(targets=_hypernet().config.targets, embed_dim=6, rank=3,
                            lora_alpha=6.0, use_rslora=use_rslora)
    rank, alpha = guided_rank_and_alpha(config, guidance)
    assert (rank, alpha) == pytest.approx(expected)
    scaling = alpha / (rank**0.5 if use_rslora else rank)
    assert scaling == pytest.approx(config.scaling)
