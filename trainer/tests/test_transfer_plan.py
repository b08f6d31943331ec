"""Files spread over size-limited device calls: the plan, the room, the tree's own size."""

import subprocess

import pytest

from t2l.transfer_plan import MiB, carry_plan, path_sizes, room_per_call, tree_bytes


@pytest.mark.parametrize(("sizes", "room", "per_call", "calls"), [
    # The GGUF in full-room pieces, the rest filling the gaps, largest first.
    ({"part-00": 10, "part-01": 10, "part-02": 4, "pinned": 5, "data": 1}, 10, 8,
     [["part-00"], ["part-01"], ["pinned", "part-02", "data"]]),
    ({"a": 6, "b": 5, "c": 4, "d": 3}, 10, 8, [["a", "c"], ["b", "d"]]),
    # A call names at most so many paths, however small.
    ({"a": 1, "b": 1, "c": 1}, 10, 2, [["a", "b"], ["c"]]),
    ({}, 10, 8, []),
])
def test_every_path_travels_once_within_each_calls_room(sizes, room, per_call, calls):
    plan = carry_plan(sizes, room, per_call)
    assert plan == calls
    assert sorted(p for call in plan for p in call) == sorted(sizes)
    assert all(sum(sizes[p] for p in call) <= room and len(call) <= per_call for call in plan)


def test_a_path_larger_than_a_call_names_the_piece_size_to_pack_with():
    with pytest.raises(ValueError, match=r"\['part-00'\].*--part-mib 1.0"):
        carry_plan({"part-00": 2 * MiB, "data": 1}, MiB)


def test_the_room_is_what_the_tree_leaves_and_a_full_tree_is_refused():
    assert room_per_call(24 * MiB, limit=64 * MiB, margin=MiB) == 39 * MiB
    with pytest.raises(ValueError, match="working tree is 63.5 MiB"):
        room_per_call(int(63.5 * MiB), limit=64 * MiB, margin=0)


def test_the_tree_counts_tracked_and_untracked_files_but_not_ignored_ones(tmp_path):
    def git(*args):
        subprocess.run(["git", *args], cwd=tmp_path, check=True, capture_output=True)

    git("init", "-q")
    (tmp_path / ".gitignore").write_text("big/\n")  # 5 bytes
    (tmp_path / "tracked.txt").write_bytes(b"x" * 100)
    git("add", ".gitignore", "tracked.txt")
    (tmp_path / "untracked.txt").write_bytes(b"y" * 10)
    (tmp_path / "big").mkdir()
    (tmp_path / "big" / "weights.bin").write_bytes(b"z" * 1000)
    assert tree_bytes(tmp_path) == 115
    assert path_sizes(tmp_path, [tmp_path / "big", tmp_path / "tracked.txt"]) == {
        "big": 1000, "tracked.txt": 100}
