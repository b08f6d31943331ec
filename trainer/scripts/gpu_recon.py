"""T2L by reconstruction of oracle LoRAs, and its score against them, within one GPU lease.

    PYTHONPATH=trainer/src T2L_DATA_DIR=... python3 trainer/scripts/gpu_recon.py \\
        --deadline EPOCH_S --out OUT_DIR [--table .gpu-pack/embeddings.safetensors] [--smoke]

Run from the repository root; trainer/scripts/gpu_run.sh starts it (`... recon`) once the GPU
has shown it computes the serving CPU's losses. Why: the reconstruction result (T2L / oracle
0.952) came from the 2026-11-28 run, whose transformers misread the tokenizer's EOS, so its
oracles and hypernetwork are not the platform's. This is that run's reconstruction part alone
(gpu_pipeline.py's jobs): the first nine training tasks' oracle LoRAs side by side, then
`t2l train-recon` on them up to a window, its fp16 weights published, then both scored on the
oracles' own tasks. OUT_DIR receives summary.json, runs.tar.xz and recon.tar, which
`t2l collect-run runs/gpu --reconstruction-only` turns into result documents.
"""

from __future__ import annotations

import sys
import time

import gpu_pipeline as pipeline

from t2l.job_scheduler import Scheduler

# From the deadline: scoring 9 tasks x 50 items took 74 s on the H200 (2026-11-28), beside
# publishing and packing.
EVAL_RESERVE_S = 120.0


def main() -> int:
    parser = pipeline.program_parser(__doc__)
    parser.add_argument("--version", default=pipeline.VERSION)
    args = parser.parse_args()
    if args.smoke:
        pipeline.use_smoke_settings()
    args.out.mkdir(parents=True, exist_ok=True)
    final = args.deadline - pipeline.PACK_RESERVE_S
    recon_end = args.deadline - EVAL_RESERVE_S
    if recon_end < time.time() + 60:
        pipeline.log("under a minute left to train: nothing started")
        return pipeline.pack(args.out, {}, {})
    oracles = pipeline.ORACLE_TASKS[: pipeline.MIN_ORACLES]
    scheduler = Scheduler(pipeline.RUNS / "logs", env=pipeline.JOB_ENV, log=pipeline.log)
    # One chain per oracle: each is a single short job, so all of them run at once.
    pipeline.add_reconstruction(scheduler, args.table, oracles, len(oracles), recon_end,
                                args.smoke, args.version)
    scheduler.add(pipeline.reconstruction_eval_job(args.table, oracles, final - 10,
                                                   1 if args.smoke else None))
    status = scheduler.run(final)
    plan = {"oracles": oracles, "oracle_steps": pipeline.ORACLE_STEPS}
    return pipeline.pack(args.out, plan, {}, status)


if __name__ == "__main__":
    sys.exit(main())
