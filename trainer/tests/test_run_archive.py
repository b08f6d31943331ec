"""Run folders packed for the trip back: what is skipped, and the compression by name."""

import tarfile
from pathlib import Path

import pytest

from t2l.run_archive import archive_folder, archive_folders


@pytest.mark.parametrize(("name", "compressed"), [("runs.tar.xz", True), ("weights.tar", False)])
def test_skipped_paths_and_everything_below_them_stay_behind(tmp_path, monkeypatch, name,
                                                             compressed):
    monkeypatch.chdir(tmp_path)  # archived as given: relative paths unpack where they were
    for path in ("runs/a/metrics.jsonl", "runs/a/checkpoints/step-1/state.pt", "runs/b.json"):
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).write_text("x")
    target = archive_folder(Path("runs"), tmp_path / name,
                            skip=lambda parts: "checkpoints" in parts)
    with tarfile.open(target) as archive:
        assert sorted(archive.getnames()) == ["runs", "runs/a", "runs/a/metrics.jsonl",
                                              "runs/b.json"]
    assert (target.read_bytes()[:6] == b"\xfd7zXZ\x00") == compressed


def test_several_folders_share_one_archive(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for path in ("oracles/a/adapter/w.safetensors", "oracles/b/adapter/w.safetensors",
                 "oracles/c/adapter/w.safetensors"):
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).write_text("x")
    target = archive_folders([Path("oracles/a/adapter"), Path("oracles/c/adapter")],
                             tmp_path / "oracles-1.tar")
    with tarfile.open(target) as archive:
        assert sorted(archive.getnames()) == ["oracles/a/adapter",
                                              "oracles/a/adapter/w.safetensors",
                                              "oracles/c/adapter",
                                              "oracles/c/adapter/w.safetensors"]
