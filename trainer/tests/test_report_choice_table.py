"""The multiple-choice answer table: shown only where choices were recorded."""

from __future__ import annotations

from t2l.report.choice_table import choice_balance_table


def _document(choices_t2l, choices_base=None):
    return {"tasks": ["yes_no", "generated"],
            "methods": {
                "base": {"avg": 0.5, "per_task": {"yes_no": 0.53, "generated": 0.1},
                         "choices": choices_base},
                "t2l": {"avg": 0.5, "per_task": {"yes_no": 0.6, "generated": 0.2},
                        "choices": choices_t2l}}}


def test_rows_are_the_tasks_with_choices_and_cells_read_accuracy_balanced_modal():
    summary = {"balanced_accuracy": 0.5, "modal_choice_share": 1.0}
    table = choice_balance_table(_document({"yes_no": {"balanced_accuracy": 0.61,
                                                       "modal_choice_share": 0.55}},
                                           {"yes_no": summary}))
    assert "| task | `base` | `t2l` |" in table
    assert "| yes_no | 53 / 50 / 100 | 60 / 61 / 55 |" in table
    assert "generated" not in table.split("\n\n")[1]


def test_a_method_without_recorded_choices_is_left_out_and_none_recorded_means_no_table():
    table = choice_balance_table(_document({"yes_no": {"balanced_accuracy": 0.61,
                                                       "modal_choice_share": 0.55}},
                                           {"yes_no": None}))
    assert "`base`" not in table
    assert choice_balance_table(_document(None)) is None
    assert choice_balance_table(_document({"yes_no": None})) is None
