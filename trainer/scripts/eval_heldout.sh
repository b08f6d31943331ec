#!/usr/bin/env bash
# The held-out evaluation, end to end: train the multi-task LoRA, the oracle LoRAs of the
# trainable held-out tasks and the T2L hypernetwork on the task library, score all seven
# methods with `t2l eval`, and regenerate docs/RESULTS.md with `t2l results`.
#
#   trainer/scripts/eval_heldout.sh smoke   # minutes: proves the pipeline, numbers mean nothing
#   trainer/scripts/eval_heldout.sh full    # many hours on a CPU: run under nohup
#
# Every stage resumes: training from its newest checkpoint, evaluation from its per-condition
# progress file, so re-running after an interruption continues where it stopped.
# Extra `t2l eval` flags can be appended via EVAL_ARGS, e.g. EVAL_ARGS="--tasks piqa,gsm8k".
set -euo pipefail
cd "$(dirname "$0")/../.."
PROFILE=${1:?usage: $0 smoke|full}
T2L=.venv/bin/t2l
export HF_HUB_OFFLINE=${HF_HUB_OFFLINE:-1}

case "$PROFILE" in
  smoke)
    STEPS=3; BATCH=2; MAX_LENGTH=96; TRAIN_LIMIT=8; VAL_LIMIT=2
    EVAL_FLAGS=(--limit 2 --descriptions-per-task 1 --max-new-tokens 32)
    LABEL="smoke: ${STEPS} training steps of batch ${BATCH}, ${TRAIN_LIMIT} examples/task, 2 eval items/task, 1 description, 32 new tokens"
    ;;
  full)
    STEPS=4000; BATCH=8; MAX_LENGTH=256; TRAIN_LIMIT=null; VAL_LIMIT=16
    EVAL_FLAGS=(--descriptions-per-task 3)
    LABEL="full: ${STEPS} training steps of batch ${BATCH}, all eval items, 3 descriptions"
    ;;
  *) echo "usage: $0 smoke|full" >&2; exit 2 ;;
esac
RUNS=${RUNS:-runs/eval_heldout_$PROFILE}
TRAIN_FLAGS=(--max-steps "$STEPS" --batch-size "$BATCH" --max-length "$MAX_LENGTH"
             --max-val-examples "$VAL_LIMIT" --eval-every "$STEPS" --save-every 100
             --device auto --resume true)
split_args() {  # split_args train|heldout [task] -> --task-args JSON for the library loader
  local names=""
  [ -n "${2:-}" ] && names=", \"names\": [\"$2\"]"
  echo "{\"split\": \"$1\", \"train_limit\": $TRAIN_LIMIT, \"val_limit\": $VAL_LIMIT$names}"
}
TASKS=t2l.recipes.library_tasks:split_tasks

echo "== multi-task LoRA on the training tasks"
$T2L train-lora --tasks "$TASKS" --task-args "$(split_args train)" "${TRAIN_FLAGS[@]}" \
  --out-dir "$RUNS/multitask_lora"

echo "== oracle LoRAs (held-out tasks that have training data)"
ORACLE_TASKS=$(.venv/bin/python -c "
from t2l.tasks import default_tasks_dir, load_split, load_task_library
lib = load_task_library(default_tasks_dir())
print(' '.join(t for t in load_split(default_tasks_dir() / 'split.yaml', lib).heldout
               if lib[t].trainable))")
for task in $ORACLE_TASKS; do
  $T2L train-lora --tasks "$TASKS" --task-args "$(split_args heldout "$task")" --task "$task" \
    "${TRAIN_FLAGS[@]}" --out-dir "$RUNS/oracle/$task"
done

echo "== T2L hypernetwork (SFT) on the training tasks"
$T2L train-sft --tasks "$TASKS" --task-args "$(split_args train)" "${TRAIN_FLAGS[@]}" \
  --embedding-cache "$RUNS/embeddings" --out-dir "$RUNS/t2l_sft"

echo "== evaluation"
# shellcheck disable=SC2086  # EVAL_ARGS is a list of flags on purpose
$T2L eval --multitask-lora "$RUNS/multitask_lora/adapter" --oracle-loras "$RUNS/oracle" \
  --hypernet "$RUNS/t2l_sft/hypernet" --run-dir "$RUNS/eval" --label "$LABEL" \
  "${EVAL_FLAGS[@]}" ${EVAL_ARGS:-}
$T2L results
