"""Answer metrics: exact match (text or number) and ROUGE-L F1. All return floats in [0, 1]."""

from __future__ import annotations

import re
import string
from fractions import Fraction

# A minus is '-' or the typographic U+2212 ('−35', as rendered math and some models write it).
_MINUS = "\u2212"
_NUMBER = re.compile(rf"[-{_MINUS}]?\$?\d[\d,]*(?:\.\d+)?(?:/\d+)?")
_GSM_FINAL = re.compile(r"####\s*(" + _NUMBER.pattern + ")")
_ANSWER_IS = re.compile(r"answer is[:\s]*(" + _NUMBER.pattern + ")", re.IGNORECASE)
_PUNCT = str.maketrans("", "", string.punctuation)


def parse_number(text: str) -> Fraction | None:
    cleaned = text.replace(",", "").replace("$", "").replace(_MINUS, "-").strip()
    try:
        return Fraction(cleaned)
    except (ValueError, ZeroDivisionError):
        return None


def canonical_number(text: str) -> str | None:
    """A numeric answer as a person would write it ('9.0' -> '9', '0.6666666666666666' ->
    '0.6667'): upstream float renderings make poor training targets."""
    value = parse_number(text)
    if value is None:
        return None
    if value.denominator == 1:
        return str(value.numerator)
    return f"{float(value):.4f}".rstrip("0").rstrip(".")


def extract_number(prediction: str, number_from: str = "last") -> Fraction | None:
    """The answer number of a generation: after '####', else after 'answer is', else the
    first or last number (chain-of-thought answers end with it, direct answers start with it)."""
    for pattern in (_GSM_FINAL, _ANSWER_IS):
        match = pattern.search(prediction)
        if match:
            return parse_number(match.group(1))
    numbers = _NUMBER.findall(prediction)
    if not numbers:
        return None
    return parse_number(numbers[0] if number_from == "first" else numbers[-1])


def normalize_text(text: str) -> str:
    """Lower case, no punctuation, single spaces (SQuAD-style, without dropping articles)."""
    return " ".join(text.lower().translate(_PUNCT).split())


def exact_match(
    prediction: str, reference: str, answer_type: str = "text", number_from: str = "last"
) -> float:
    if answer_type == "number":
        expected = parse_number(reference)
        got = extract_number(prediction, number_from)
        return float(expected is not None and got is not None and got == expected)
    # Chat models often add a sentence after the answer: the first non-empty line is judged.
    lines = [line for line in prediction.strip().splitlines() if line.strip()]
    first = lines[0] if lines else ""
    return float(normalize_text(first) == normalize_text(reference))


def _lcs_length(a: list[str], b: list[str]) -> int:
    previous = [0] * (len(b) + 1)
    for token in a:
        current = [0]
        for j, other in enumerate(b):
            current.append(previous[j] + 1 if token == other else max(previous[j + 1], current[j]))
        previous = current
    return previous[-1]


def rouge_l(prediction: str, reference: str) -> float:
    """ROUGE-L F1 over lower-cased word tokens (punctuation removed)."""
    pred, ref = normalize_text(prediction).split(), normalize_text(reference).split()
    if not pred or not ref:
        return float(pred == ref)
    lcs = _lcs_length(pred, ref)
    if lcs == 0:
        return 0.0
    precision, recall = lcs / len(pred), lcs / len(ref)
    return 2 * precision * recall / (precision + recall)
