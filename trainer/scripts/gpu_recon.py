"""T2L by reconstruction of oracle LoRAs, and its score against them, within one GPU lease.

    PYTHONPATH=trainer/src T2L_DATA_DIR=... python3 trainer/scripts/gpu_recon.py \\
        --deadline EPOCH_S --out OUT_DIR [--table .gpu-pack/embeddings.safetensors] [--oracles N]
        [--smoke]

Run from the repository root; trainer/scripts/gpu_run.sh starts it (`... recon`) once the GPU
has shown it computes the serving CPU's losses. Why: the reconstruction result of the
2026-11-28 run (T2L / oracle 0.952) came from a transformers that misread the tokenizer's EOS,
so its oracles and hypernetwork were not the platform's; this redid it on 2026-11-30. It is that
run's reconstruction part alone (gpu_pipeline.py's jobs): the first N training tasks' oracle
LoRAs (--oracles, 9 by default), up to 12 side by side, then `t2l train-recon` on them up to a
window, its fp16 weights published, then both scored on the oracles' own tasks. OUT_DIR
receives summary.json, runs.tar.xz and recon.tar, which `t2l collect-run runs/gpu
--reconstruction-only` turns into result documents, and the oracles' weights (oracles-*.tar),
for rescoring them on the CPU.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import gpu_pipeline as pipeline

from t2l.job_scheduler import Scheduler
from t2l.run_archive import archive_folders

# From the deadline: publishing took 13 s and scoring 9 tasks x 50 items 43 s on the H200
# (2026-11-30; 74 s on 2026-11-28), so this covers up to ~18 tasks.
EVAL_RESERVE_S = 120.0
# 18 oracles training at once ran one out of the H200's 139 GiB (2026-11-30); 9 at once took
# 94 s. More than this many wait for a free slot in one of the chains.
MAX_PARALLEL_ORACLES = 12
# The machine returns at most 8 files of at most 16 MiB: an oracle's fp32 weights are ~1.8 MB.
RETURNED_FILES = 8
ORACLES_PER_ARCHIVE = 8


def main() -> int:
    parser = pipeline.program_parser(__doc__)
    parser.add_argument("--version", default=pipeline.VERSION)
    parser.add_argument("--oracles", type=int, default=pipeline.MIN_ORACLES,
                        help="library size: the first N training tasks of gpu_pipeline's list")
    args = parser.parse_args()
    if not pipeline.MIN_ORACLES <= args.oracles <= len(pipeline.ORACLE_TASKS):
        raise SystemExit(f"--oracles must be within {pipeline.MIN_ORACLES}.."
                         f"{len(pipeline.ORACLE_TASKS)}: the issue asks for at least "
                         f"{pipeline.MIN_ORACLES}, and there are no more training tasks")
    if args.smoke:
        pipeline.use_smoke_settings()
    args.out.mkdir(parents=True, exist_ok=True)
    final = args.deadline - pipeline.PACK_RESERVE_S
    recon_end = args.deadline - EVAL_RESERVE_S
    if recon_end < time.time() + 60:
        pipeline.log("under a minute left to train: nothing started")
        return pipeline.pack(args.out, {}, {})
    oracles = pipeline.ORACLE_TASKS[: args.oracles]
    scheduler = Scheduler(pipeline.RUNS / "logs", env=pipeline.JOB_ENV, log=pipeline.log)
    pipeline.add_reconstruction(scheduler, args.table, oracles,
                                min(len(oracles), MAX_PARALLEL_ORACLES), recon_end, args.smoke,
                                args.version)
    scheduler.add(pipeline.reconstruction_eval_job(args.table, oracles, final - 10,
                                                   1 if args.smoke else None))
    status = scheduler.run(final)
    plan = {"oracles": oracles, "oracle_steps": pipeline.ORACLE_STEPS}
    code = pipeline.pack(args.out, plan, {}, status)
    pack_oracle_weights(args.out, oracles)
    return code


def pack_oracle_weights(out: Path, oracles: list[str]) -> None:
    """The oracles' adapters, which runs.tar.xz leaves out, in the returned files still free:
    with them the oracles' scores can be rechecked on the serving CPU (`t2l eval
    --oracle-loras runs/gpu/oracles`)."""
    trained = [task for task in oracles
               if (pipeline.RUNS / "oracles" / task / "adapter" / "adapter_model.safetensors")
               .is_file()]
    groups = [trained[i:i + ORACLES_PER_ARCHIVE]
              for i in range(0, len(trained), ORACLES_PER_ARCHIVE)]
    room = max(RETURNED_FILES - sum(1 for _ in out.iterdir()), 0)
    for number, group in enumerate(groups[:room]):
        archive_folders([pipeline.RUNS / "oracles" / task / "adapter" for task in group],
                        out / f"oracles-{number}.tar")
    if left := [task for group in groups[room:] for task in group]:
        pipeline.log(f"no room to return the oracle weights of {left}")
    pipeline.log(f"oracle weights packed: {sorted(p.name for p in out.glob('oracles-*.tar'))}")


if __name__ == "__main__":
    sys.exit(main())
