import dataclasses

import pytest
import torch
from conftest import perturb

from t2l.checkpoint import save_hypernet
from t2l.hypernet import HyperNetConfig, HyperNetwork
from t2l.hypernet_ensemble import HypernetEnsemble, load_hypernets
from t2l.output_scale import META_KEY
from t2l.targets import TargetModule, TargetSpec

TARGETS = TargetSpec(num_layers=2, modules=(TargetModule("q_proj", "layers.{layer}.q", 6, 5),))
CONFIG = HyperNetConfig(targets=TARGETS, embed_dim=6, rank=3, hidden_dim=16)
META = {"base_model": {"hf_id": "tiny"}, "encoder": {"name": "enc"}, "training": {"seed": 0}}


def _member(seed: int, config: HyperNetConfig = CONFIG) -> HyperNetwork:
    torch.manual_seed(seed)
    hypernet = HyperNetwork(config)
    perturb(hypernet, seed)  # B heads start at zero; move them so members differ
    return hypernet.eval()


def _delta(lora: tuple[torch.Tensor, torch.Tensor]) -> torch.Tensor:
    a, b = lora  # (N, L, r, in), (N, L, out, r)
    return b @ a  # (N, L, out, in)


def test_ensemble_adapter_is_exactly_the_mean_of_its_members_updates():
    members = [_member(seed) for seed in range(3)]
    rows = torch.randn(4, 6, generator=torch.Generator().manual_seed(9))  # (N, E)
    with torch.no_grad():
        a, b = HypernetEnsemble(members)(rows)["q_proj"]
        expected = torch.stack([_delta(m(rows)["q_proj"]) for m in members]).mean(0)
    assert a.shape == (4, 2, 9, 6) and b.shape == (4, 2, 5, 9)  # rank K·r
    assert torch.allclose(_delta((a, b)), expected, atol=1e-6)


def test_ensemble_keeps_its_members_config_and_scaling():
    ensemble = HypernetEnsemble([_member(0), _member(1)])
    assert ensemble.config == CONFIG and ensemble.scaling == CONFIG.scaling
    assert ensemble.num_parameters() == 2 * _member(0).num_parameters()


@pytest.mark.parametrize(
    ("change", "message"),
    [({"rank": 2}, "another rank"), ({"lora_alpha": 8.0}, "another lora_alpha"),
     ({"use_rslora": True}, "another use_rslora")],
)
def test_members_that_make_different_loras_are_refused(change, message):
    other = _member(1, dataclasses.replace(CONFIG, **change))
    with pytest.raises(ValueError, match=message):
        HypernetEnsemble([_member(0), other])


def test_an_ensemble_of_one_is_refused():
    with pytest.raises(ValueError, match="at least two"):
        HypernetEnsemble([_member(0)])


def test_load_one_folder_is_the_plain_hypernetwork(tmp_path):
    save_hypernet(tmp_path / "a", _member(0), META)
    network, meta = load_hypernets(str(tmp_path / "a"), "--teacher")
    assert isinstance(network, HyperNetwork) and "ensemble" not in meta


def test_load_comma_separated_folders_records_every_member(tmp_path):
    for seed, name in enumerate("ab"):
        save_hypernet(tmp_path / name, _member(seed), {**META, "training": {"seed": seed}})
    network, meta = load_hypernets(f"{tmp_path / 'a'}, {tmp_path / 'b'}", "--teacher")
    assert isinstance(network, HypernetEnsemble) and len(network.members) == 2
    assert [m["training"]["seed"] for m in meta["ensemble"]] == [0, 1]
    assert meta["base_model"] == META["base_model"]


@pytest.mark.parametrize(
    ("second_meta", "message"),
    [({**META, "encoder": {"name": "other"}}, "different encoders"),
     ({**META, "base_model": {"hf_id": "other"}}, "different base_models"),
     ({**META, META_KEY: {"scale": 0.6}}, "calibrated output scale")],
)
def test_members_from_other_models_or_calibrated_are_refused(tmp_path, second_meta, message):
    save_hypernet(tmp_path / "a", _member(0), META)
    save_hypernet(tmp_path / "b", _member(1), second_meta)
    with pytest.raises(ValueError, match=message):
        load_hypernets(f"{tmp_path / 'a'},{tmp_path / 'b'}", "--teacher")


def test_a_folder_listed_twice_is_refused(tmp_path):
    save_hypernet(tmp_path / "a", _member(0), META)
    with pytest.raises(ValueError, match="listed twice"):
        load_hypernets(f"{tmp_path / 'a'},{tmp_path / 'a'}", "--teacher")
