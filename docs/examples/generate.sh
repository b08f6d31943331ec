#!/usr/bin/env bash
# Generate (or fetch the cached) adapter for a description, then download its two files.
set -euo pipefail
: "${T2L_URL:?set T2L_URL, e.g. http://127.0.0.1:8787}" "${T2L_API_KEY:?set T2L_API_KEY}"
description="${1:-Solve grade-school math word problems and give the final number.}"

curl -sS --fail-with-body -X POST "$T2L_URL/v1/adapters" \
  -H "Authorization: Bearer $T2L_API_KEY" \
  -H "Content-Type: application/json" \
  -H "Idempotency-Key: $(uuidgen 2>/dev/null || date +%s%N)" \
  -d "$(jq -n --arg d "$description" '{description: $d}')" > adapter.json
jq -c '{id, status, cached, sha256, bytes}' adapter.json

mkdir -p my-adapter
for name in adapter_config.json adapter_model.safetensors; do
  curl -sS --fail -o "my-adapter/$name" "$(jq -r --arg n "$name" '.files[$n]' adapter.json)"
done
ls -l my-adapter
