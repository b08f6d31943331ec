import hashlib
import json
from pathlib import Path

import pytest

from t2l.normalize import MAX_DESCRIPTION_CHARS, description_sha256, normalize_description

VECTORS = json.loads((Path(__file__).parent / "data" / "normalization_vectors.json").read_text())


def test_vectors_pin_this_rule():
    assert VECTORS["rule"] == "nfc-trim-collapse/v1"
    assert VECTORS["max_chars"] == MAX_DESCRIPTION_CHARS


@pytest.mark.parametrize("case", VECTORS["valid"], ids=lambda c: repr(c["input"][:24]))
def test_valid_vectors(case):
    assert normalize_description(case["input"]) == case["normalized"]
    assert description_sha256(case["input"]) == case["sha256"]
    assert case["sha256"] == hashlib.sha256(case["normalized"].encode("utf-8")).hexdigest()


@pytest.mark.parametrize("case", VECTORS["invalid"], ids=lambda c: c["error"])
def test_invalid_vectors(case):
    message = {"empty": "empty", "too_long": "limit"}[case["error"]]
    with pytest.raises(ValueError, match=message):
        normalize_description(case["input"])


def test_normalisation_is_idempotent():
    for case in VECTORS["valid"]:
        assert normalize_description(case["normalized"]) == case["normalized"]


def test_non_string_is_rejected():
    with pytest.raises(ValueError, match="must be a string"):
        normalize_description(b"bytes")  # type: ignore[arg-type]
