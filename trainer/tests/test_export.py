"""Bundle export (Contract 1): ONNX graphs vs PyTorch under onnxruntime, manifest, publishing."""

import hashlib
import json
from collections import Counter
from dataclasses import replace

import numpy as np
import onnx
import pytest
import torch
from conftest import make_encoder
from test_hypernet import make_config

from t2l.checkpoint import save_hypernet
from t2l.cli import main
from t2l.export.bundle import ExportOptions, export_bundle
from t2l.export.onnx_graphs import export_hypernet, hypernet_output_names
from t2l.export.parity import (
    ENCODER_MAX_ABS_ERROR,
    HYPERNET_MAX_ABS_ERROR,
    INT8_HYPERNET_MAX_RELATIVE_ERROR,
    cpu_session,
    encoder_max_abs_error,
    hypernet_max_abs_error,
)
from t2l.export.test_vectors import DESCRIPTIONS
from t2l.hypernet import VARIANTS, HyperNetwork
from t2l.normalize import description_sha256


def random_hypernet(variant="M") -> HyperNetwork:
    """Random heads and B gains, so B is not the all-zero SFT init and parity is meaningful."""
    torch.manual_seed(0)
    hypernet = HyperNetwork(make_config(variant)).eval()
    with torch.no_grad():
        for head in hypernet.heads:
            head.weight.normal_(std=0.05)
        if hasattr(hypernet, "ab_gain"):
            hypernet.ab_gain.fill_(1.0)
    return hypernet


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    root = tmp_path_factory.mktemp("export")
    encoder = make_encoder()
    save_hypernet(
        root / "ckpt", random_hypernet(), {"base_model": "tiny/llama", "training": {"steps": 3}}
    )
    (root / "ckpt" / "training_record.json").write_text('{"loss": 1.0}')
    manifest = export_bundle(
        ExportOptions(checkpoint=root / "ckpt", output=root / "tiny-bundle", version="0.1.0"),
        encoder=encoder,
    )
    return root / "tiny-bundle", manifest, encoder


def test_encoder_graph_matches_pytorch_on_padded_batches(bundle):
    directory, _, encoder = bundle
    session = cpu_session(directory / "encoder.onnx")
    texts = ["a", "a much longer description than the first", "mid length text"]
    error = encoder_max_abs_error(encoder, session, texts)
    assert error <= ENCODER_MAX_ABS_ERROR  # observed ~1e-7
    assert [i.name for i in session.get_inputs()] == ["input_ids", "attention_mask"]
    assert [o.name for o in session.get_outputs()] == ["embedding"]


def test_a_bert_encoder_runs_on_onnx_runtimes_fused_kernels(bundle):
    directory, _, _ = bundle
    ops = Counter(node.op_type for node in onnx.load(directory / "encoder.onnx").graph.node)
    assert ops["Attention"] == ops["BiasGelu"] == 1  # the tiny BERT has one layer
    assert ops["SkipLayerNormalization"] == 2 and ops["EmbedLayerNormalization"] == 1
    assert ops["Softmax"] == ops["LayerNormalization"] == 0  # nothing left unfused


def test_encoder_rows_are_byte_identical_alone_and_batched(bundle):
    """The worker batches descriptions padded to a common length; batch mates must not matter."""
    directory, _, encoder = bundle
    session = cpu_session(directory / "encoder.onnx")
    texts = ["a", "a much longer description than the first", "mid length text", "four"]
    batch = encoder.tokenizer(texts, padding="max_length", max_length=48, return_tensors="np")
    feeds = {k: batch[k].astype(np.int64) for k in ("input_ids", "attention_mask")}
    (together,) = session.run(None, feeds)
    for row in range(len(texts)):
        (alone,) = session.run(None, {k: v[row : row + 1] for k, v in feeds.items()})
        assert alone[0].tobytes() == together[row].tobytes()


def test_hypernet_rows_are_byte_identical_alone_and_batched(tmp_path):
    hypernet = random_hypernet()
    session = cpu_session(export_hypernet(hypernet, tmp_path / "hypernet.onnx"))
    embeddings = torch.randn(5, 16).numpy()
    together = session.run(None, {"task_embedding": embeddings})
    for row in range(len(embeddings)):
        alone = session.run(None, {"task_embedding": embeddings[row : row + 1]})
        assert [a[0].tobytes() for a in alone] == [t[row].tobytes() for t in together]


@pytest.mark.parametrize("variant", VARIANTS)
def test_hypernet_graph_matches_pytorch_with_dynamic_batch(tmp_path, variant):
    hypernet = random_hypernet(variant)
    session = cpu_session(export_hypernet(hypernet, tmp_path / "hypernet.onnx"))
    assert [o.name for o in session.get_outputs()] == hypernet_output_names(hypernet)
    for batch in (1, 5):  # exported with batch 2: other sizes must work too
        error = hypernet_max_abs_error(hypernet, session, torch.randn(batch, 16))
        assert error <= HYPERNET_MAX_ABS_ERROR  # observed ~1e-7


def test_manifest_describes_the_bundle(bundle):
    directory, manifest, encoder = bundle
    assert manifest["schema"] == "t2l.bundle/v1"
    assert (manifest["name"], manifest["version"]) == ("tiny-bundle", "0.1.0")
    assert manifest["base_model"] == {"hf_id": "tiny/llama", "revision": None, "num_layers": 2}
    assert manifest["lora"]["r"] == 4 and manifest["lora"]["use_rslora"] is False
    assert [m["name"] for m in manifest["lora"]["modules"]] == ["q_proj", "v_proj"]
    assert manifest["lora"]["modules"][1]["path"] == "model.layers.{layer}.self_attn.v_proj"
    assert manifest["encoder"] == {
        "name": "tiny-bert",
        "dim": 16,
        "max_length": encoder.max_length,
        "pooling": "mean",
        "normalize": True,
    }
    assert manifest["hypernet"]["variant"] == "M"
    assert manifest["normalization"] == "nfc-trim-collapse/v1"
    assert manifest["training"] == {"steps": 3}
    assert manifest["parity"]["encoder_max_abs_error"] <= ENCODER_MAX_ABS_ERROR
    assert manifest["parity"]["hypernet_max_abs_error"] <= HYPERNET_MAX_ABS_ERROR
    assert json.loads((directory / "manifest.json").read_text()) == manifest


def test_every_file_is_listed_with_its_sha256(bundle):
    directory, manifest, _ = bundle
    on_disk = {p.name for p in directory.iterdir() if p.is_file()} - {"manifest.json"}
    assert set(manifest["files"]) == on_disk
    assert {
        "tokenizer.json",
        "encoder.onnx",
        "hypernet.onnx",
        "hypernet.safetensors",
        "hypernet.json",
        "test_vectors.json",
        "training_record.json",
    } <= on_disk
    for name, digest in manifest["files"].items():
        assert hashlib.sha256((directory / name).read_bytes()).hexdigest() == digest
    assert not [p for p in directory.parent.iterdir() if p.name.startswith(".")]  # no staging left


def test_test_vectors_replay_under_onnxruntime(bundle):
    directory, _, encoder = bundle
    vectors = json.loads((directory / "test_vectors.json").read_text())
    assert vectors["bundle"] == "tiny-bundle@0.1.0"
    assert [v["description"] for v in vectors["vectors"]] == list(DESCRIPTIONS)
    encoder_session = cpu_session(directory / "encoder.onnx")
    hypernet_session = cpu_session(directory / "hypernet.onnx")
    for vector in vectors["vectors"]:
        assert vector["description_sha256"] == description_sha256(vector["description"])
        assert len(vector["input_ids"]) <= encoder.max_length
        ids = np.array([vector["input_ids"]], dtype=np.int64)
        (embedding,) = encoder_session.run(
            None, {"input_ids": ids, "attention_mask": np.ones_like(ids)}
        )
        assert (
            np.abs(embedding[0] - vector["embedding"]).max()
            <= vectors["max_abs_error"]["embedding"]
        )
        outputs = dict(
            zip(
                [o.name for o in hypernet_session.get_outputs()],
                hypernet_session.run(None, {"task_embedding": embedding}),
                strict=True,
            )
        )
        for module, parts in vector["lora"].items():
            for part, summary in parts.items():
                tensor = outputs[f"lora_{part}.{module}"][0].astype(np.float64)
                assert list(tensor.shape) == summary["shape"]
                assert np.abs(tensor.ravel()[:8] - summary["head"]).max() <= 1e-4
                assert abs(tensor.sum() - summary["sum"]) <= 1e-4 * tensor.size


def test_int8_export_is_its_own_bundle_within_the_int8_bound(tmp_path):
    save_hypernet(tmp_path / "ckpt", random_hypernet(), {"base_model": "tiny/llama"})
    manifest = export_bundle(
        ExportOptions(
            checkpoint=tmp_path / "ckpt", output=tmp_path / "b-int8", version="1.0", quantize="int8"
        ),
        encoder=make_encoder(),
    )
    assert (manifest["version"], manifest["quantization"]) == ("1.0+int8", "int8")
    parity = manifest["parity"]
    assert parity["bounds"] == {
        "encoder": ENCODER_MAX_ABS_ERROR,
        "hypernet_relative": INT8_HYPERNET_MAX_RELATIVE_ERROR,
    }
    assert parity["encoder_max_abs_error"] <= ENCODER_MAX_ABS_ERROR  # the encoder stays float32
    assert 0 < parity["hypernet_max_relative_error"] <= INT8_HYPERNET_MAX_RELATIVE_ERROR
    graph = tmp_path / "b-int8" / "hypernet.onnx"
    nodes = onnx.load(graph).graph.node
    dequantized = {n.output[0] for n in nodes if n.op_type == "DequantizeLinear"}
    weight_matmuls = [n for n in nodes if n.op_type == "MatMul"]
    assert len(weight_matmuls) == 8  # 2 blocks x 2 + 2 modules x (A, B) heads
    assert all(set(n.input) <= dequantized for n in weight_matmuls)  # int8 in, both sides
    # Static scales: a row's LoRA is byte-identical alone and batched, so the worker batches it.
    session = cpu_session(graph)
    embeddings = torch.nn.functional.normalize(torch.randn(3, 16), dim=-1).numpy()
    together = session.run(None, {"task_embedding": embeddings})
    for row in range(len(embeddings)):
        alone = session.run(None, {"task_embedding": embeddings[row : row + 1]})
        assert [a[0].tobytes() for a in alone] == [t[row].tobytes() for t in together]
    vectors = json.loads((tmp_path / "b-int8" / "test_vectors.json").read_text())
    assert vectors["max_abs_error"]["embedding"] == ENCODER_MAX_ABS_ERROR
    assert HYPERNET_MAX_ABS_ERROR < vectors["max_abs_error"]["lora"] < 0.1


def test_float32_manifest_says_unquantized(bundle):
    _, manifest, _ = bundle
    assert manifest["quantization"] is None
    assert manifest["parity"]["hypernet_max_relative_error"] < 1e-4


def test_exports_in_place_into_the_checkpoint_folder(tmp_path):
    save_hypernet(tmp_path / "shipped", random_hypernet(), {"base_model": "tiny/llama"})
    weights = (tmp_path / "shipped" / "hypernet.safetensors").read_bytes()
    manifest = export_bundle(
        ExportOptions(checkpoint=tmp_path / "shipped", output=tmp_path / "shipped"),
        encoder=make_encoder(),
    )
    assert (tmp_path / "shipped" / "hypernet.safetensors").read_bytes() == weights
    assert manifest["name"] == "shipped"
    assert len(manifest["version"]) == 12  # derived from the weights and the encoder


@pytest.mark.parametrize(
    ("meta", "options", "message"),
    [
        ({}, {}, "--base-model"),
        ({"base_model": "tiny/llama"}, {"name": "Bad Name"}, "--name"),
        ({"base_model": "tiny/llama"}, {"version": "-1"}, "--version"),
        ({"base_model": "tiny/llama"}, {"quantize": "int4"}, "--quantize"),
    ],
)
def test_refuses_bad_settings_naming_the_flag(tmp_path, meta, options, message):
    save_hypernet(tmp_path / "ckpt", random_hypernet(), meta)
    with pytest.raises(ValueError, match=message):
        export_bundle(
            ExportOptions(checkpoint=tmp_path / "ckpt", output=tmp_path / "out", **options),
            encoder=make_encoder(),
        )
    assert not (tmp_path / "out" / "manifest.json").exists()


def test_refuses_an_encoder_of_another_width(tmp_path):
    save_hypernet(
        tmp_path / "ckpt", HyperNetwork(replace(make_config(), embed_dim=24)), {"base_model": "x"}
    )
    with pytest.raises(ValueError, match="--encoder"):
        export_bundle(
            ExportOptions(checkpoint=tmp_path / "ckpt", output=tmp_path / "out"),
            encoder=make_encoder(),
        )


def test_cli_reports_a_bad_setting_naming_the_flag(tmp_path, capsys):
    save_hypernet(tmp_path / "ckpt", random_hypernet(), {"base_model": "tiny/llama"})
    code = main(
        [
            "export-bundle",
            str(tmp_path / "ckpt"),
            "-o",
            str(tmp_path / "out"),
            "--name",
            "Not Valid",
        ]
    )
    assert code == 2
    assert "t2l export-bundle: error: --name" in capsys.readouterr().err
