import json

import pytest

from t2l.task_data import Example, TaskData, load_tasks

TEMPLATE_TASK = TaskData("ag_news_classify", ["Sort news by topic."], [Example("q", "a")],
                         [Example("v", "w")], dataset="ag_news")
PLAIN_TASK = TaskData("svamp", ["Solve word problems."], [Example("q", "4")])


@pytest.mark.parametrize("task", [TEMPLATE_TASK, PLAIN_TASK])
def test_jsonl_round_trip_keeps_every_field(tmp_path, task):
    path = tmp_path / "tasks.jsonl"
    path.write_text(json.dumps(task.to_dict()) + "\n")
    assert load_tasks(str(path)) == [task]


def test_a_task_without_a_dataset_is_its_own():
    assert (TEMPLATE_TASK.source_dataset, PLAIN_TASK.source_dataset) == ("ag_news", "svamp")
    assert "dataset" not in PLAIN_TASK.to_dict()  # files written before the field stay valid


@pytest.mark.parametrize(
    ("fields", "message"),
    [({"name": ""}, "non-empty name"),
     ({"descriptions": [" "]}, "non-blank description"),
     ({"dataset": ""}, "dataset is a non-empty name or None")],
)
def test_malformed_tasks_are_refused(fields, message):
    with pytest.raises(ValueError, match=message):
        TaskData(**{"name": "t", "descriptions": ["d"], **fields})
