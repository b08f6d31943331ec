import argparse
import json

import pytest

from t2l.config_io import (
    add_config_flags,
    config_from_args,
    config_to_dict,
    flag_args,
    run_dir_for,
)
from t2l.recipe_config import SFTConfig
from t2l.run_dir import RunDir


def parse(argv):
    parser = argparse.ArgumentParser()
    add_config_flags(parser, SFTConfig)
    return config_from_args(SFTConfig, parser.parse_args(argv))


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_file_values_then_flag_overrides(tmp_path, suffix):
    path = tmp_path / f"run{suffix}"
    body = (
        '{"tasks": "t.json", "lr": 0.001, "variant": "L", "task_args": {"limit": 5}}'
        if suffix == ".json"
        else "tasks: t.json\nlr: 0.001\nvariant: L\ntask_args: {limit: 5}\n"
    )
    path.write_text(body)
    config = parse(
        [
            "--config",
            str(path),
            "--lr",
            "0.01",
            "--use-rslora",
            "true",
            "--stop-at-step",
            "none",
            "--max-steps",
            "20",
        ]
    )
    assert (config.tasks, config.lr, config.variant, config.use_rslora) == (
        "t.json",
        0.01,
        "L",
        True,
    )
    assert config.task_args == {"limit": 5} and config.stop_at_step is None
    assert config.max_steps == 20


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--tasks", "t.json", "--max-steps", "ten"], "--max-steps: cannot read 'ten'"),
        (["--tasks", "t.json", "--resume", "maybe"], "--resume: cannot read"),
        (["--tasks", "t.json", "--task-args", "[1]"], "--task-args: cannot read"),
        (["--config", "/nonexistent.yaml"], "--config /nonexistent.yaml does not exist"),
    ],
)
def test_bad_values_name_the_flag(argv, message):
    with pytest.raises(ValueError, match=message):
        parse(argv)


def test_unknown_file_keys_are_named(tmp_path):
    path = tmp_path / "run.yaml"
    path.write_text("tasks: t.json\nlearning_rate: 0.1\n")
    with pytest.raises(ValueError, match=r"unknown config key\(s\) \['--learning-rate'\]"):
        parse(["--config", str(path)])


def test_a_run_folders_config_json_is_accepted(tmp_path):
    saved = parse(["--tasks", "t.json", "--lr", "0.02"])
    RunDir(tmp_path, "train-sft", config_to_dict(saved)).start(resume=False)
    assert parse(["--config", str(tmp_path / "config.json"), "--resume", "true"]) == (
        type(saved)(**{**config_to_dict(saved), "resume": True})
    )


@pytest.mark.parametrize(
    ("mismatch_weight", "refused"),
    [(0.0, False), (0.5, True)],  # 0.0 is the default: what the run trained with
)
def test_a_run_saved_before_a_field_existed_resumes_while_it_keeps_its_default(
    tmp_path, mismatch_weight, refused
):
    config = parse(["--tasks", "t.json", "--out-dir", str(tmp_path)])
    run_dir_for(config, "train-sft").start(resume=False)
    (tmp_path / "checkpoints" / "step-00000001").mkdir(parents=True)
    saved = json.loads((tmp_path / "config.json").read_text())
    del saved["config"]["mismatch_weight"]  # as written before the field was added
    (tmp_path / "config.json").write_text(json.dumps(saved))

    resumed = parse(["--config", str(tmp_path / "config.json"), "--resume", "true",
                     "--mismatch-weight", str(mismatch_weight)])
    if refused:
        with pytest.raises(ValueError, match=r"config differs in \['--mismatch-weight'\]"):
            run_dir_for(resumed, "train-sft").start(resume=True)
    else:
        assert run_dir_for(resumed, "train-sft").start(resume=True).name == "step-00000001"


def test_flag_args_set_each_given_field_and_leave_none_unset():
    assert flag_args(multitask_lora="runs/m", hypernet=None, max_steps="8") == [
        "--multitask-lora", "runs/m", "--max-steps", "8"]
    config = parse(["--tasks", "t.json", *flag_args(max_steps="8", out_dir="runs/x")])
    assert (config.max_steps, config.out_dir) == (8, "runs/x")
