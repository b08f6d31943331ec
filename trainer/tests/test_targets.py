import pytest
from conftest import MODEL_FACTORIES, make_gpt2, make_llama
from torch import nn

from t2l.targets import TargetSpec, discover_targets


@pytest.mark.parametrize(
    ("family", "targets", "expected"),
    [
        ("llama", "q_proj,v_proj", [("q_proj", 32, 32), ("v_proj", 32, 16)]),
        ("qwen2", "q_proj,v_proj", [("q_proj", 32, 32), ("v_proj", 32, 16)]),
        (
            "llama",
            "all-linear",
            [
                ("q_proj", 32, 32),
                ("k_proj", 32, 16),
                ("v_proj", 32, 16),
                ("o_proj", 32, 32),
                ("gate_proj", 32, 48),
                ("up_proj", 32, 48),
                ("down_proj", 48, 32),
            ],
        ),
        ("gpt2", "c_attn", [("c_attn", 32, 96)]),  # Conv1D stores (in, out): read transposed
        (
            "gpt2",
            "all-linear",
            [
                ("c_attn", 32, 96),
                ("attn.c_proj", 32, 32),
                ("c_fc", 32, 128),
                ("mlp.c_proj", 128, 32),
            ],
        ),
    ],
)
def test_discovery_table(family, targets, expected):
    model = MODEL_FACTORIES[family]()
    spec = discover_targets(model, targets)
    assert [(m.name, m.in_features, m.out_features) for m in spec.modules] == expected
    assert spec.num_layers == model.config.num_hidden_layers
    for layer, path, n_in, n_out in spec.entries():
        module = model.get_submodule(path)
        assert f".{layer}." in path
        weight = module.weight
        assert tuple(weight.shape) in {(n_out, n_in), (n_in, n_out)}


def test_all_linear_excludes_output_embedding_even_when_tied():
    spec = discover_targets(MODEL_FACTORIES["qwen2"](), "all-linear")
    assert all("lm_head" not in m.path for m in spec.modules)


def test_spec_round_trips_through_dict():
    spec = discover_targets(make_llama(), "all-linear")
    assert TargetSpec.from_dict(spec.to_dict()) == spec


def test_unknown_name_lists_what_exists():
    with pytest.raises(ValueError, match=r"q_proj,v_proj matched no .*c_attn"):
        discover_targets(make_gpt2())
    with pytest.raises(ValueError, match="nope matched no"):
        discover_targets(make_llama(), "q_proj,nope")


def test_differing_shapes_in_one_kind_is_an_error():
    model = make_llama()
    model.model.layers[1].self_attn.v_proj = nn.Linear(32, 8, bias=False)
    with pytest.raises(ValueError, match=r"v_proj.*differing .* shapes \[\(32, 8\), \(32, 16\)\]"):
        discover_targets(model, "v_proj")


def test_module_outside_layer_stack_is_an_error():
    with pytest.raises(ValueError, match="lm_head.*numbered layer"):
        discover_targets(make_llama(), "lm_head")


@pytest.mark.parametrize("bad", ["", " , ", "all-linear,q_proj"])
def test_bad_target_lists(bad):
    with pytest.raises(ValueError, match="--target-modules"):
        discover_targets(make_llama(), bad)
