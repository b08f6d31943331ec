"""Round-trip parity at the PEFT boundary: the in-memory LoRA and `PeftModel.from_pretrained` on
the written folder give the same logits (float32, max abs error <= 1e-5)."""

import copy
import json

import pytest
import torch
from conftest import MODEL_FACTORIES, make_llama
from peft import PeftModel

from t2l.batched_lora import apply_lora, check_lora_shapes
from t2l.peft_io import ADAPTER_CONFIG, PeftLoRA, load_peft_adapter, save_peft_adapter
from t2l.targets import discover_targets

PARITY_ATOL = 1e-5


def random_lora(spec, rank=4, alpha=8.0, use_rslora=False, seed=0) -> PeftLoRA:
    generator = torch.Generator().manual_seed(seed)
    weights = {
        m.name: (
            torch.randn(spec.num_layers, rank, m.in_features, generator=generator) * 0.2,
            torch.randn(spec.num_layers, m.out_features, rank, generator=generator) * 0.2,
        )
        for m in spec.modules
    }
    return PeftLoRA(
        spec, weights, rank, alpha, use_rslora, "tiny-base", {"t2l.description_sha256": "ab" * 32}
    )


def peft_logits(base, folder, input_ids):
    peft_model = PeftModel.from_pretrained(copy.deepcopy(base), folder).eval()
    with torch.no_grad():
        return peft_model(input_ids=input_ids).logits


@pytest.mark.parametrize(
    ("family", "targets", "use_rslora"),
    [
        ("llama", "q_proj,v_proj", False),
        ("qwen2", "all-linear", True),
        ("gpt2", "c_attn", False),
        ("gpt2", "all-linear", True),
    ],
)
def test_logits_match_peft_from_pretrained(tmp_path, family, targets, use_rslora):
    base = MODEL_FACTORIES[family]()
    spec = discover_targets(base, targets)
    loras = [random_lora(spec, use_rslora=use_rslora, seed=s) for s in (1, 2)]
    input_ids = torch.randint(4, 90, (2, 12))
    expected = []
    for i, lora in enumerate(loras):
        save_peft_adapter(tmp_path / f"adapter{i}", lora)
        expected.append(peft_logits(base, tmp_path / f"adapter{i}", input_ids[i : i + 1]))

    # Both LoRAs at once, one per example, read back from disk.
    read = [load_peft_adapter(tmp_path / f"adapter{i}", spec) for i in range(2)]
    batch = {
        name: tuple(torch.cat([r.batched()[name][j] for r in read]) for j in (0, 1))
        for name in spec.names
    }
    with torch.no_grad(), apply_lora(base, spec, batch, read[0].scaling):
        ours = base(input_ids=input_ids).logits
    base_logits = base(input_ids=input_ids).logits
    assert (ours - base_logits).abs().max() > 1e-3, "the LoRA must change the output"
    torch.testing.assert_close(ours, torch.cat(expected), atol=PARITY_ATOL, rtol=0)


def test_written_folder_follows_contract_2(tmp_path):
    spec = discover_targets(make_llama())
    save_peft_adapter(tmp_path / "adapter", random_lora(spec), dtype=torch.float16)
    config = json.loads((tmp_path / "adapter" / ADAPTER_CONFIG).read_text())
    assert (
        config
        | {
            "r": 4,
            "lora_alpha": 8.0,
            "target_modules": ["q_proj", "v_proj"],
            "peft_type": "LORA",
            "task_type": "CAUSAL_LM",
            "lora_dropout": 0.0,
            "bias": "none",
            "use_rslora": False,
        }
        == config
    )
    read = load_peft_adapter(tmp_path / "adapter", spec)
    assert read.metadata == {"format": "pt", "t2l.description_sha256": "ab" * 32}
    assert read.weights["v_proj"][1].shape == (2, 16, 4)


def test_reading_refuses_mismatched_folders(tmp_path):
    llama_spec = discover_targets(make_llama())
    save_peft_adapter(tmp_path / "adapter", random_lora(llama_spec))
    with pytest.raises(ValueError, match="not a LoRA factor of the targets"):
        load_peft_adapter(tmp_path / "adapter", discover_targets(make_llama(), "q_proj"))
    three_layers = type(llama_spec)(num_layers=3, modules=llama_spec.modules)
    with pytest.raises(ValueError, match=r"q_proj lora_A missing for layers \[2\]"):
        load_peft_adapter(tmp_path / "adapter", three_layers)
    with pytest.raises(ValueError, match="not a PEFT adapter folder"):
        load_peft_adapter(tmp_path / "missing", llama_spec)
    config_path = tmp_path / "adapter" / ADAPTER_CONFIG
    config_path.write_text(json.dumps({**json.loads(config_path.read_text()), "use_dora": True}))
    with pytest.raises(ValueError, match="unsupported LoRA options"):
        load_peft_adapter(tmp_path / "adapter", llama_spec)


def test_apply_lora_refuses_bad_shapes():
    base = make_llama()
    spec = discover_targets(base)
    good = random_lora(spec).batched()
    q_a, q_b = good["q_proj"]
    cases = [
        ({"q_proj": good["q_proj"]}, "do not match the targets"),
        ({**good, "q_proj": (q_a, q_b[:, :, :8])}, "do not fit"),
        ({**good, "q_proj": (q_a[0], q_b[0])}, r"expected A \(B, L, r, in\)"),
        ({**good, "q_proj": (q_a.expand(2, -1, -1, -1), q_b.expand(2, -1, -1, -1))}, "differ"),
    ]
    for loras, message in cases:
        with pytest.raises(ValueError, match=message):
            check_lora_shapes(spec, loras)
    two = {
        name: (a.expand(2, -1, -1, -1), b.expand(2, -1, -1, -1)) for name, (a, b) in good.items()
    }
    ids = torch.zeros(3, 4, dtype=torch.long)
    with pytest.raises(ValueError, match="input batch 3 does not match the LoRA batch 2"):  # noqa: SIM117
        with apply_lora(base, spec, two, 1.0):
            base(input_ids=ids)
    assert not any(m._forward_hooks for m in base.modules()), "hooks must be removed on error"
