"""Answer metrics, table-driven."""

from __future__ import annotations

from fractions import Fraction

import pytest

from t2l.eval.metrics import canonical_number, exact_match, extract_number, rouge_l


@pytest.mark.parametrize(
    ("prediction", "expected"),
    [
        ("She earns 3 * 6 = 18 dollars.\n#### 18", Fraction(18)),
        ("#### $1,250", Fraction(1250)),
        ("So the answer is 42. Later steps mention 7.", Fraction(42)),
        ("First 3, then 4, finally 12", Fraction(12)),
        ("It is -2.5", Fraction(-5, 2)),
        ("It is \u221235", Fraction(-35)),  # typographic minus sign
        ("#### \u2212$1,250", Fraction(-1250)),
        ("no digits at all", None),
    ],
)
def test_extract_number(prediction, expected):
    assert extract_number(prediction) == expected


@pytest.mark.parametrize(
    ("text", "canonical"),
    [("9.0", "9"), ("333", "333"), ("1,250", "1250"), ("-4.00", "-4"), ("9.8", "9.8"),
     ("0.6666666666666666", "0.6667"), ("20.52", "20.52"), ("3/4", "0.75"), ("E", None)],
)
def test_canonical_number(text, canonical):
    assert canonical_number(text) == canonical


def test_direct_answers_take_the_first_number():
    assert extract_number("There are 8 instruments: 1 flute, 2 pianos", "first") == 8


@pytest.mark.parametrize(
    ("prediction", "reference", "answer_type", "score"),
    [
        ("Business", "Business", "text", 1.0),
        ("  business.\nBecause the article is about markets.", "Business", "text", 1.0),
        ("Sports", "Business", "text", 0.0),
        ("", "Business", "text", 0.0),
        ("The total is 18.00", "18", "number", 1.0),
        ("#### 17", "18", "number", 0.0),
        ("I don't know", "18", "number", 0.0),
    ],
)
def test_exact_match(prediction, reference, answer_type, score):
    assert exact_match(prediction, reference, answer_type) == score


@pytest.mark.parametrize(
    ("prediction", "reference", "score"),
    [
        ("the cat sat on the mat", "the cat sat on the mat", 1.0),
        ("The cat, sat!", "the cat sat", 1.0),
        ("dogs bark loudly", "the cat sat", 0.0),
        # LCS "the cat mat": 3 words, P = 3/4, R = 3/6, F1 = 0.6
        ("the cat big mat", "the cat sat on the mat", 0.6),
        ("", "", 1.0),
        ("", "something", 0.0),
    ],
)
def test_rouge_l(prediction, reference, score):
    assert rouge_l(prediction, reference) == pytest.approx(score)
