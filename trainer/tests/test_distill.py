import pytest
import torch
from conftest import make_encoder, make_llama, make_tokenizer
from synthetic_tasks import RECIPE_SETTINGS, make_tasks

from t2l.checkpoint import load_hypernet, save_hypernet
from t2l.hypernet import HyperNetConfig, HyperNetwork
from t2l.recipe_config import DistillConfig
from t2l.recipes.distill import distill
from t2l.run_dir import read_metrics
from t2l.targets import discover_targets


def save_teacher(folder, encoder, hidden_dim=48, seed=0):
    """A teacher whose adapters depend on the description (random heads, B switched on)."""
    torch.manual_seed(seed)
    spec = discover_targets(make_llama())
    teacher = HyperNetwork(HyperNetConfig(spec, encoder.dim, rank=4, hidden_dim=hidden_dim))
    with torch.no_grad():
        teacher.ab_gain.fill_(1.0)
        for head in teacher.heads:
            head.weight.normal_(std=0.05)
    meta = {
        "base_model": {"hf_id": "tiny-llama", "num_layers": spec.num_layers},
        "encoder": encoder.settings(),
        "training": {"mode": "sft", "tasks": ["reverse"], "steps": 9, "metrics": {}},
    }
    return save_hypernet(folder, teacher, meta)


def run(tmp_path, name, heldout=True, **overrides):
    encoder = make_encoder()
    settings = {
        **RECIPE_SETTINGS,
        "teacher": str(save_teacher(tmp_path / "teacher", encoder)),
        "tasks": "given-in-memory",
        "out_dir": str(tmp_path / name),
        "lr": 1e-2,
        "hidden_dim": 16,
        "batch_size": 4,
        "max_length": 48,
        "embedding_cache": None,
        **overrides,
    }
    settings.pop("rank")  # the teacher's
    return distill(
        DistillConfig(**settings),
        model=make_llama(),
        tokenizer=make_tokenizer(),
        encoder=encoder,
        tasks=make_tasks(["reverse", "upper"]),
        heldout_tasks=make_tasks(["double"]) if heldout else None,
    )


def test_student_learns_the_teachers_adapters_and_records_its_lineage(tmp_path):
    final = run(tmp_path, "run", max_steps=12, eval_every=12, save_every=6)
    losses = [m["loss"] for m in read_metrics(tmp_path / "run") if m.get("split") == "train"]
    assert len(losses) == 12 and losses[-1] < 0.9 * losses[0]
    start, *_, val = [m for m in read_metrics(tmp_path / "run") if m.get("split") != "train"]
    assert start["teacher_heldout_loss"] > 0 and start["hypernet_params"] < start["teacher_params"]
    assert {"val_delta_w", "heldout_delta_w", "heldout_loss"} <= set(val)
    student, meta = load_hypernet(final)
    teacher, _ = load_hypernet(tmp_path / "teacher")
    assert student.config.hidden_dim == 16 and student.config.targets == teacher.config.targets
    assert (student.config.rank, student.scaling) == (teacher.config.rank, teacher.scaling)
    assert meta["training"]["mode"] == "distill"
    assert meta["training"]["teacher"]["training"]["mode"] == "sft"
    assert meta["base_model"]["hf_id"] == "tiny-llama"


def test_student_of_an_ensemble_learns_its_mean_adapters_and_records_every_member(tmp_path):
    encoder = make_encoder()
    members = [save_teacher(tmp_path / f"seed{s}", encoder, seed=s) for s in (1, 2)]
    final = run(tmp_path, "run", teacher=",".join(map(str, members)), max_steps=12,
                eval_every=12, save_every=12)
    losses = [m["loss"] for m in read_metrics(tmp_path / "run") if m.get("split") == "train"]
    assert losses[-1] < 0.9 * losses[0]
    student, meta = load_hypernet(final)
    assert student.config.rank == load_hypernet(members[0])[0].config.rank  # r, not 2r
    assert "ensemble" not in meta  # the student is one network
    assert [m["path"] for m in meta["training"]["teacher"]["ensemble"]] == list(map(str, members))


def test_without_heldout_tasks_no_base_model_is_needed(tmp_path):
    run(tmp_path, "run", heldout=False)
    val = read_metrics(tmp_path / "run")[-1]
    assert set(val) >= {"val_delta_w"} and "heldout_loss" not in val


def test_resume_reproduces_the_uninterrupted_run(tmp_path):
    settings = {"max_steps": 6, "eval_every": 3, "save_every": 2, "heldout": False}
    full = run(tmp_path, "full", **settings)
    run(tmp_path, "split", stop_at_step=3, **settings)
    resumed = run(tmp_path, "split", resume=True, **settings)
    for key, value in load_hypernet(full)[0].state_dict().items():
        assert torch.equal(value, load_hypernet(resumed)[0].state_dict()[key]), key


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"teacher": ""}, "--teacher is required"),
        ({"mixup": 1.5}, "--mixup must be within"),
        ({"heldout_descriptions": 0}, "--heldout-descriptions must be >= 1"),
    ],
)
def test_bad_flags_name_the_flag(tmp_path, overrides, message):
    settings = {"tasks": "given", "teacher": "t", **overrides}
    with pytest.raises(ValueError, match=message):
        DistillConfig(**settings)


def test_a_student_must_share_its_teachers_encoder(tmp_path):
    encoder = make_encoder()
    teacher = save_teacher(tmp_path / "teacher", encoder)
    meta_path = teacher / "hypernet.json"
    meta_path.write_text(meta_path.read_text().replace('"tiny-bert"', '"another-encoder"'))
    config = DistillConfig(tasks="given", teacher=str(teacher), out_dir=str(tmp_path / "r"))
    with pytest.raises(ValueError, match="differs from the teacher's 'another-encoder'"):
        distill(config, encoder=encoder, tasks=make_tasks(["reverse"]))
