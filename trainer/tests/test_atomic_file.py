import json
import os

import pytest

from t2l.atomic_file import write_json_atomically, write_text_atomically


def test_a_write_replaces_the_file_whole_and_leaves_no_staging(tmp_path):
    path = tmp_path / "deep" / "results.json"
    write_json_atomically(path, {"avg": 0.5})
    write_json_atomically(path, {"avg": 0.75, "name": "é"})
    assert json.loads(path.read_text()) == {"avg": 0.75, "name": "é"}
    assert path.read_text().endswith("}\n")
    assert [p.name for p in path.parent.iterdir()] == ["results.json"]


def test_a_failed_write_keeps_the_old_file_and_cleans_up(tmp_path):
    path = tmp_path / "RESULTS.md"
    write_text_atomically(path, "old\n")
    with pytest.raises(UnicodeEncodeError):
        write_text_atomically(path, "half written \udcff")  # a lone surrogate cannot be encoded
    assert path.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["RESULTS.md"]


def test_the_file_gets_the_permissions_the_umask_gives(tmp_path):
    previous = os.umask(0o022)
    try:
        write_text_atomically(tmp_path / "manifest.json", "{}\n")
    finally:
        os.umask(previous)
    assert (tmp_path / "manifest.json").stat().st_mode & 0o777 == 0o644
