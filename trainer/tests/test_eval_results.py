"""Item scores across conditions: averaged item by item, or none when they cannot be paired."""

from __future__ import annotations

import pytest

from t2l.eval.results import item_means


@pytest.mark.parametrize(("rows", "expected"), [
    ([[1.0, 0.0, 0.5]], [1.0, 0.0, 0.5]),
    ([[1.0, 0.0], [0.0, 0.0], [0.5, 1.0]], [0.5, pytest.approx(1 / 3)]),
    ([], None),
    ([[1.0, 0.0], None], None),  # a condition scored before item scores were kept
    ([[1.0, 0.0], [1.0]], None),  # conditions scored on other items
])
def test_item_means(rows, expected):
    assert item_means(rows) == expected
