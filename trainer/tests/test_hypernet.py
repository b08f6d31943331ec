import math

import pytest
import torch
from conftest import make_llama

from t2l.hypernet import VARIANTS, HyperNetConfig, HyperNetwork
from t2l.targets import discover_targets

E = 16


def make_config(variant="M", **overrides) -> HyperNetConfig:
    spec = discover_targets(make_llama(), "q_proj,v_proj")
    settings = {"rank": 4, "hidden_dim": 32, **overrides}
    return HyperNetConfig(spec, embed_dim=E, variant=variant, **settings)


@pytest.mark.parametrize("variant", VARIANTS)
def test_output_shapes_per_variant(variant):
    hypernet = HyperNetwork(make_config(variant))
    loras = hypernet(torch.randn(3, E))
    assert list(loras) == ["q_proj", "v_proj"]
    for name, (n_in, n_out) in {"q_proj": (32, 32), "v_proj": (32, 16)}.items():
        a, b = loras[name]
        assert a.shape == (3, 2, 4, n_in)  # (B, L, r, in)
        assert b.shape == (3, 2, n_out, 4)  # (B, L, out, r)


@pytest.mark.parametrize("variant", VARIANTS)
def test_fresh_hypernet_emits_peft_init(variant):
    hypernet = HyperNetwork(make_config(variant, hidden_dim=256))
    for a, b in hypernet(torch.randn(4, E)).values():
        assert torch.count_nonzero(b) == 0
        # PEFT's kaiming-uniform(a=sqrt(5)) A has variance 1/(3*in).
        assert a.std().item() == pytest.approx(1 / math.sqrt(3 * 32), rel=0.2)
        assert a[0].ne(a[1]).any(), "A should depend on the task"


@pytest.mark.parametrize("variant", VARIANTS)
def test_gradient_reaches_every_parameter_after_one_step(variant):
    hypernet = HyperNetwork(make_config(variant))
    optimizer = torch.optim.SGD(hypernet.parameters(), lr=0.1)
    for _ in range(2):  # step 1 moves B off zero, step 2 reaches every weight
        optimizer.zero_grad()
        loras = hypernet(torch.randn(2, E))
        sum((b @ a - 1).pow(2).mean() for a, b in loras.values()).backward()
        optimizer.step()
    assert all(p.grad is not None and p.grad.abs().sum() > 0 for p in hypernet.parameters())


def test_variants_are_ordered_by_size_and_count_is_reported():
    sizes = [HyperNetwork(make_config(v)).num_parameters() for v in VARIANTS]
    assert sizes[0] > sizes[1] > sizes[2]
    hypernet = HyperNetwork(make_config("L"))
    assert hypernet.num_parameters() == sum(p.numel() for p in hypernet.parameters())


@pytest.mark.parametrize(("use_rslora", "expected"), [(False, 16 / 4), (True, 16 / 2)])
def test_scaling_matches_peft(use_rslora, expected):
    assert HyperNetwork(make_config(lora_alpha=16, use_rslora=use_rslora)).scaling == expected


def test_config_round_trips_through_dict():
    config = make_config("S", dropout=0.1)
    assert HyperNetConfig.from_dict(config.to_dict()) == config


@pytest.mark.parametrize(
    ("overrides", "flag"),
    [
        ({"variant": "XL"}, "--variant"),
        ({"rank": 0}, "--rank"),
        ({"hidden_dim": 0}, "--hidden-dim"),
        ({"dropout": 1.0}, "--dropout"),
        ({"lora_alpha": 0}, "--lora-alpha"),
    ],
)
def test_bad_config_names_the_flag(overrides, flag):
    spec = discover_targets(make_llama())
    with pytest.raises(ValueError, match=flag):
        HyperNetConfig(spec, embed_dim=E, **overrides)
