"""pass@1 for generated Python: assemble a test program, run it in a separate process.

The child runs with `python -I` in a fresh temporary directory, an empty environment, a wall
clock timeout (its whole process group is killed), CPU and memory rlimits, and no network:
inside a new user+network namespace (`unshare -rn`) where the host allows it, and with the
socket module disabled in every case. This guards the evaluator against accidents in model
output; it is not a security boundary against hostile code.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

_FENCE = re.compile(r"```(?:python|py|Python)?[ \t]*\n(.*?)(?:```|$)", re.DOTALL)

NETWORK_GUARD = """\
import socket as _socket
class _NoNetworkSocket(_socket.socket):  # a subclass, so library classes can still derive from it
    def __init__(self, *args, **kwargs):
        raise OSError("network access is disabled during evaluation")
def _no_network(*args, **kwargs):
    raise OSError("network access is disabled during evaluation")
_socket.socket = _NoNetworkSocket
for _name in ("create_connection", "getaddrinfo", "socketpair", "fromfd"):
    setattr(_socket, _name, _no_network)
del _name
"""


@dataclass(frozen=True)
class RunResult:
    passed: bool
    status: str  # "passed" | "failed" | "timeout"
    stderr_tail: str = ""


def extract_code(generation: str) -> str:
    """The first fenced code block, or the whole text when there is no fence."""
    match = _FENCE.search(generation)
    return (match.group(1) if match else generation).strip("\n")


def build_program(harness: str, generation: str, record: Mapping[str, Any]) -> str:
    code = extract_code(generation)
    if harness == "mbpp":
        tests = "\n".join(record["test_list"])
        return f"{record.get('test_setup_code') or ''}\n{code}\n\n{tests}\n"
    if harness == "humaneval":
        entry = record["entry_point"]
        # A bare body continues the prompt; a full definition stands on its own.
        if not re.search(rf"^\s*def {re.escape(entry)}\s*\(", code, re.MULTILINE):
            code = record["prompt"] + code
        return f"{code}\n\n{record['test']}\n\ncheck({entry})\n"
    raise ValueError(f"unknown code harness {harness!r}; use 'mbpp' or 'humaneval'")


@lru_cache(maxsize=1)
def _network_namespace_prefix() -> tuple[str, ...]:
    unshare = shutil.which("unshare")
    if unshare is None:
        return ()
    try:
        ok = subprocess.run([unshare, "-rn", "true"], capture_output=True, timeout=10).returncode
    except (OSError, subprocess.TimeoutExpired):
        return ()
    return (unshare, "-rn") if ok == 0 else ()


def _limit_resources(memory_bytes: int, cpu_seconds: int) -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def run_program(
    program: str, *, timeout_s: float = 10.0, memory_mb: int = 1024
) -> RunResult:
    """Run `program`; it passes when it exits 0 within the timeout."""
    with tempfile.TemporaryDirectory(prefix="t2l-exec-") as workdir:
        path = os.path.join(workdir, "program.py")
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(NETWORK_GUARD + "\n" + program)
        command = [*_network_namespace_prefix(), sys.executable, "-I", "-B", path]
        process = subprocess.Popen(
            command, cwd=workdir, env={"PATH": "/usr/bin:/bin", "PYTHONHASHSEED": "0"},
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            start_new_session=True,
            preexec_fn=lambda: _limit_resources(memory_mb << 20, int(timeout_s) + 1),
        )
        try:
            _, stderr = process.communicate(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            return RunResult(False, "timeout")
    tail = stderr.decode("utf-8", "replace")[-500:]
    passed = process.returncode == 0
    return RunResult(passed, "passed" if passed else "failed", tail)


def pass_at_1(harness: str, generation: str, record: Mapping[str, Any], timeout_s: float) -> float:
    program = build_program(harness, generation, record)
    return float(run_program(program, timeout_s=timeout_s).passed)
