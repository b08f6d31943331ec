from collections import Counter

import pytest

from t2l.task_sampler import TaskSampler


def draw(sampler: TaskSampler, n: int) -> list[tuple[int, int, int]]:
    return [(p.task, p.description, p.example) for p in sampler.sample(n)]


def test_tasks_are_drawn_once_per_round_whatever_their_size():
    sampler = TaskSampler([3, 1, 2], [1000, 1, 5], seed=0)
    picks = draw(sampler, 30)
    for start in range(0, 30, 3):
        assert sorted(t for t, _, _ in picks[start : start + 3]) == [0, 1, 2]
    assert all(d < [3, 1, 2][t] and e < [1000, 1, 5][t] for t, d, e in picks)


def test_one_task_groups_draw_exactly_like_no_groups():
    ungrouped = TaskSampler([2, 2, 2], [9, 9, 9], seed=7)
    singletons = TaskSampler([2, 2, 2], [9, 9, 9], seed=7, groups=["a", "b", "c"])
    assert draw(ungrouped, 25) == draw(singletons, 25)


def test_groups_are_drawn_evenly_and_reach_every_member():
    # Dataset "t0" split into four template tasks next to two single-task datasets.
    groups = ["t0", "t0", "math", "t0", "t0", "code"]
    sampler = TaskSampler([1] * 6, [10] * 6, seed=0, groups=groups)
    picks = draw(sampler, 300)
    per_group = Counter(groups[t] for t, _, _ in picks)
    assert per_group == {"t0": 100, "math": 100, "code": 100}
    for start in range(0, 300, 3):
        assert sorted(groups[t] for t, _, _ in picks[start : start + 3]) == ["code", "math", "t0"]
    assert {t for t, _, _ in picks if groups[t] == "t0"} == {0, 1, 3, 4}


@pytest.mark.parametrize("groups", [None, ["x", "x", "y"]])
def test_state_round_trip_replays_the_same_draws(groups):
    sampler = TaskSampler([2, 3, 4], [5, 6, 7], seed=3, groups=groups)
    draw(sampler, 5)  # stop mid-round, so the queue is part of the state
    state = sampler.state_dict()
    expected = draw(sampler, 20)
    resumed = TaskSampler([2, 3, 4], [5, 6, 7], seed=99, groups=groups)
    resumed.load_state_dict(state)
    assert draw(resumed, 20) == expected


@pytest.mark.parametrize(
    ("num_descriptions", "num_examples", "groups", "message"),
    [
        ([1], [0], None, "at least one description and one example"),
        ([0], [1], None, "at least one description and one example"),
        ([], [], None, "at least one description and one example"),
        ([1, 1], [1, 1], ["a"], "1 group names for 2 tasks"),
    ],
)
def test_refuses_tasks_it_cannot_draw_from(num_descriptions, num_examples, groups, message):
    with pytest.raises(ValueError, match=message):
        TaskSampler(num_descriptions, num_examples, seed=0, groups=groups)
