"""pass@1 execution: real subprocesses, each failure mode, and both harnesses."""

from __future__ import annotations

import pytest

from t2l.eval.code_sandbox import build_program, extract_code, pass_at_1, run_program

MBPP = {"test_setup_code": "", "test_list": ["assert add(1, 2) == 3", "assert add(0, 0) == 0"]}
HUMANEVAL = {
    "prompt": "def add(a, b):\n    \"\"\"Sum.\"\"\"\n",
    "entry_point": "add",
    "test": "def check(candidate):\n    assert candidate(2, 3) == 5\n",
}


@pytest.mark.parametrize(
    ("program", "status"),
    [
        ("print('ok')", "passed"),
        ("assert 1 == 2", "failed"),
        ("while True:\n    pass", "timeout"),
        ("import socket\nsocket.create_connection(('127.0.0.1', 8787))", "failed"),
        ("import socket\nsocket.socket()", "failed"),
        ("import os\nassert not os.environ.get('HOME')", "passed"),  # empty environment
    ],
)
def test_run_program(program, status):
    assert run_program(program, timeout_s=2).status == status


def test_network_refusal_is_the_guard_not_a_crash():
    result = run_program("import socket\nsocket.socket()", timeout_s=5)
    assert "network access is disabled" in result.stderr_tail


@pytest.mark.parametrize(
    ("generation", "code"),
    [
        ("Here you go:\n```python\ndef f():\n    return 1\n```\nDone.", "def f():\n    return 1"),
        ("```\nx = 1\n```", "x = 1"),
        ("def f(): return 2", "def f(): return 2"),
        ("```python\ndef g():\n    pass", "def g():\n    pass"),  # cut off by the token budget
    ],
)
def test_extract_code(generation, code):
    assert extract_code(generation) == code


@pytest.mark.parametrize(
    ("harness", "record", "generation", "score"),
    [
        ("mbpp", MBPP, "```python\ndef add(a, b):\n    return a + b\n```", 1.0),
        ("mbpp", MBPP, "```python\ndef add(a, b):\n    return a - b\n```", 0.0),
        ("humaneval", HUMANEVAL, "```python\ndef add(a, b):\n    return a + b\n```", 1.0),
        ("humaneval", HUMANEVAL, "    return a + b\n", 1.0),  # a body continues the prompt
        ("humaneval", HUMANEVAL, "    return a * b\n", 0.0),
    ],
)
def test_harnesses(harness, record, generation, score):
    assert pass_at_1(harness, generation, record, timeout_s=5) == score


def test_unknown_harness():
    with pytest.raises(ValueError, match="unknown code harness"):
        build_program("java", "", {})
