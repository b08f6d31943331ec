import pytest
import torch
from conftest import MODEL_FACTORIES

from t2l.batched_lora import apply_lora
from t2l.hypernet import VARIANTS, HyperNetConfig, HyperNetwork
from t2l.targets import discover_targets


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("family", ["llama", "gpt2"])
def test_fresh_hypernet_leaves_base_logits_unchanged(family, variant):
    base = MODEL_FACTORIES[family]()
    spec = discover_targets(base, "all-linear")
    hypernet = HyperNetwork(HyperNetConfig(spec, embed_dim=8, variant=variant, hidden_dim=16))
    input_ids = torch.randint(4, 90, (3, 10))
    with torch.no_grad():
        expected = base(input_ids=input_ids).logits
        with apply_lora(base, spec, hypernet(torch.randn(3, 8)), hypernet.scaling):
            logits = base(input_ids=input_ids).logits
    torch.testing.assert_close(logits, expected, atol=0, rtol=0)


def test_gradient_reaches_hypernet_and_never_the_base():
    base = MODEL_FACTORIES["qwen2"]().requires_grad_(False)
    spec = discover_targets(base)
    hypernet = HyperNetwork(HyperNetConfig(spec, embed_dim=8, variant="L", hidden_dim=16))
    with torch.no_grad():
        hypernet.heads[0].weight.normal_()  # move B off zero so every head sees gradient
        hypernet.heads[1].weight.normal_()
    input_ids = torch.randint(4, 90, (2, 6))
    with apply_lora(base, spec, hypernet(torch.randn(2, 8)), hypernet.scaling):
        base(input_ids=input_ids).logits.square().mean().backward()
    assert all(p.grad is not None and p.grad.abs().sum() > 0 for p in hypernet.parameters())
    assert all(p.grad is None for p in base.parameters())


def test_each_example_uses_its_own_lora():
    base = MODEL_FACTORIES["llama"]()
    spec = discover_targets(base)
    hypernet = HyperNetwork(HyperNetConfig(spec, embed_dim=8, variant="L", hidden_dim=16))
    with torch.no_grad():
        hypernet.heads[0].weight.normal_()
    embeddings, input_ids = torch.randn(3, 8), torch.randint(4, 90, (3, 7))
    with torch.no_grad():
        with apply_lora(base, spec, hypernet(embeddings), hypernet.scaling):
            batched = base(input_ids=input_ids).logits
        for i in range(3):
            with apply_lora(base, spec, hypernet(embeddings[i : i + 1]), hypernet.scaling):
                single = base(input_ids=input_ids[i : i + 1]).logits
            torch.testing.assert_close(batched[i : i + 1], single, atol=1e-5, rtol=1e-5)
