"""Issue #4's training and evaluation on one CUDA GPU, as parallel jobs inside a time budget.

    PYTHONPATH=trainer/src T2L_DATA_DIR=... python3 trainer/scripts/gpu_pipeline.py \\
        --deadline EPOCH_S --out OUT_DIR [--table .gpu-pack/embeddings.safetensors]

Run from the repository root. A 135M-parameter model leaves an H100-class GPU mostly idle per
process, so the jobs run side by side, each as a plain `t2l` command:

1. calibrate: the training jobs run a few steps together, timing their steps;
2. train: T2L by SFT (the default bundle's recipe at GPU scale), the same with the
   mismatched-description hinge, the multi-task LoRA baseline and per-task oracle LoRAs on
   the training tasks (as many as fit), then T2L by reconstruction of those oracles; step
   counts follow from the calibration and the deadline;
3. evaluate: each `t2l eval` worker starts as soon as its inputs exist; workers split the
   methods and share one run folder per comparison (scores are keyed per method), and a last
   `t2l eval` over all methods only aggregates;
4. pack: fp16 weights (`t2l publish-weights`), metrics, results and logs into OUT_DIR.

Every path handed to `t2l` is relative to the repository, so run folders copied back resume
with `t2l eval --resume` on another machine.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

from t2l.config_io import flag_args
from t2l.job_scheduler import Job, Scheduler
from t2l.run_archive import archive_folder
from t2l.run_dir import read_metrics

RUNS = Path("runs/gpu")
TASKS = "t2l.recipes.library_tasks:split_tasks"
SFT_CONFIG = "trainer/configs/sft-smollm2-gpu.yaml"
LORA_FLAGS = ["--batch-size", "16", "--max-length", "256", "--max-val-examples", "16"]
# Training tasks with short answers first: their oracles train and evaluate fastest.
ORACLE_TASKS = [
    "ag_news", "imdb", "glue_mrpc", "paws", "quarel", "sciq", "commonsense_qa", "cosmos_qa",
    "qasc", "wiki_qa", "social_i_qa", "quartz", "dream", "rotten_tomatoes", "amazon_polarity",
    "app_reviews", "glue_qqp", "dbpedia_14", "yelp_review_full", "wiqa", "ropes", "quoref",
    "adversarial_qa", "duorc", "kilt_hotpotqa", "wiki_hop", "common_gen", "gigaword",
    "samsum", "xsum", "cnn_dailymail", "multi_news", "wiki_bio",
]
ORACLE_CHAINS = 3
ORACLE_STEPS = 200
MIN_ORACLES = 9
PACK_RESERVE_S = 25.0
VERSION = "0.2.0-gpu"  # of published weights; each gets its run's name appended
DEVICE = "cuda"
JOB_ENV = {"OMP_NUM_THREADS": "2", "TOKENIZERS_PARALLELISM": "false"}  # 16 cores, ~8 jobs


STARTED = time.time()


def log(message: str) -> None:
    print(f"[{time.time() - STARTED:6.1f}s] {message}", flush=True)


TRAIN_LIMITS: dict = {"train_limit": 2000}  # --smoke: a few examples and val items
SMOKE_FLAGS: list[str] = []


def task_args(**extra: object) -> str:
    return json.dumps({"split": "train", **TRAIN_LIMITS, **extra})


def training_argv(kind: str, table: str, out: Path, steps: int, **extra: str) -> list[str]:
    """The command line of one training job; `kind` is sft, hinge, multitask or an oracle."""
    # Checkpoints along the way: a job killed at its deadline still leaves weights to publish.
    quarter = str(max(steps // 4, 1))
    every = ["--eval-every", quarter, "--save-every", quarter]
    if kind in ("sft", "hinge"):
        argv = ["train-sft", "--config", SFT_CONFIG, "--embedding-table", table,
                "--task-args", task_args(), "--out-dir", str(out), "--max-steps", str(steps),
                *every]
        if SMOKE_FLAGS:
            argv += ["--heldout-task-args", json.dumps({"split": "heldout", "val_limit": 1})]
        if kind == "hinge":
            argv += ["--mismatch-weight", "1.0", "--mismatch-margin", "0.3"]
    elif kind == "multitask":
        argv = ["train-lora", "--tasks", TASKS, "--task-args", task_args(), *LORA_FLAGS,
                "--out-dir", str(out), "--max-steps", str(steps), *every]
    else:
        argv = ["train-lora", "--tasks", TASKS, "--task-args", task_args(names=[kind]),
                "--task", kind, *LORA_FLAGS, "--out-dir", str(out), "--max-steps", str(steps),
                "--warmup-steps", "20", *every]
    return argv + flag_args(**extra) + SMOKE_FLAGS


def newest_weights(run_dir: Path) -> Path:
    """The finished hypernetwork, else the newest checkpoint (a run stopped at its deadline);
    a missing one is left for `t2l publish-weights` to report."""
    if (run_dir / "hypernet").is_dir():
        return run_dir / "hypernet"
    checkpoints = sorted((run_dir / "checkpoints").glob("step-*"))
    return checkpoints[-1] if checkpoints else run_dir / "hypernet"


def step_seconds(run_dir: Path) -> float | None:
    """Median seconds per training step from a run's metrics (first steps excluded)."""
    if not (run_dir / "metrics.jsonl").is_file():
        return None
    times = [m["time"] for m in read_metrics(run_dir) if m.get("split") == "train"]
    gaps = [b - a for a, b in zip(times[2:], times[3:], strict=False)]
    return statistics.median(gaps) if gaps else None


def calibrate(table: str, until: float, logs: Path) -> dict[str, float]:
    """Seconds per step of each training kind while all of them run together."""
    calib = Path("/tmp/t2l-calibration")
    scheduler = Scheduler(logs / "calibrate", env=JOB_ENV, log=log)
    kinds = ["sft", "hinge", "multitask"] + ORACLE_TASKS[:ORACLE_CHAINS]
    for kind in kinds:
        names = {"names": [kind]} if kind in ORACLE_TASKS else {}
        small = {"task_args": task_args(train_limit=64, **names)}
        argv = training_argv(kind, table, calib / kind, 1000, **small)
        argv += ["--stop-at-step", "10", "--eval-every", "1000", "--resume", "true"]
        if kind in ("sft", "hinge"):
            argv += ["--heldout-tasks", "none"]
        scheduler.add(Job(kind, argv))
    scheduler.run(until)
    seconds = {k: step_seconds(calib / k) for k in kinds}
    oracle = [s for k, s in seconds.items() if k in ORACLE_TASKS and s is not None]
    result = {k: s for k, s in seconds.items() if k not in ORACLE_TASKS and s is not None}
    if oracle:
        result["oracle"] = max(oracle)
    log(f"calibration (s/step, all jobs together): {result}")
    return result


def eval_argv(run_dir: Path, output: Path, methods: str, **artifacts: str | None) -> list[str]:
    argv = ["eval", "--tasks-dir", "trainer/tasks", "--run-dir", str(run_dir),
            "--output", str(output), "--methods", methods, "--device", DEVICE,
            "--batch-size", "64", "--descriptions-per-task", "3"]
    return argv + flag_args(**artifacts)


def use_smoke_settings() -> None:
    """A few steps of every job on the CPU: checks the plumbing, the numbers mean nothing."""
    global DEVICE, ORACLE_STEPS, TRAIN_LIMITS
    DEVICE, ORACLE_STEPS = "cpu", 2
    TRAIN_LIMITS = {"train_limit": 8, "val_limit": 1}
    SMOKE_FLAGS.extend(["--max-val-examples", "1", "--max-length", "64"])


def add_reconstruction(scheduler: Scheduler, table: str, oracles: list[str], chains: int,
                       recon_deadline: float, smoke: bool, version: str) -> None:
    """Oracle LoRAs in `chains` parallel chains, then T2L by reconstruction of them (stopped at
    `recon_deadline`, its newest checkpoint published)."""
    for chain in range(chains):
        previous: list[str] = []
        for task in oracles[chain::chains]:
            name = f"oracle-{task}"
            scheduler.add(Job(name, training_argv(task, table, RUNS / "oracles" / task,
                                                  ORACLE_STEPS), deps=previous))
            previous = [name]
    scheduler.add(Job("recon", [
        "train-recon", "--library", str(RUNS / "oracles"), "--out-dir", str(RUNS / "recon"),
        "--embedding-table", table, "--max-steps", "5" if smoke else "2000",
        "--batch-size", "8",
        "--eval-every", "500", "--save-every", "2000", "--warmup-steps", "100",
    ], deps=[f"oracle-{t}" for t in oracles], deadline=recon_deadline))
    scheduler.add(publish_job("recon", version))


def publish_job(name: str, version: str) -> Job:
    """The fp16 weights a bundle ships, which is also what gets evaluated, under the run's own
    name: the default bundle's name belongs to the distilled student (CONVENTIONS.md)."""
    def argv() -> list[str]:  # resolved at start: the newest checkpoint by then
        return ["publish-weights", str(newest_weights(RUNS / name)), "-o",
                str(RUNS / "published" / name), "--name", f"smollm2-135m-instruct-t2l-{name}",
                "--version", f"{version}-{name}"]

    return Job(f"publish-{name}", argv, after=[name])


def reconstruction_eval_job(table: str, oracles: list[str], deadline: float,
                            limit: int | None = None) -> Job:
    """The oracles and T2L by reconstruction, each on the oracles' own tasks (all their eval
    items, or `limit`)."""
    return Job("eval-recon", eval_argv(
        RUNS / "eval-recon", RUNS / "results" / "eval_reconstruction.json", "oracle_lora,t2l",
        embedding_table=table, oracle_loras=str(RUNS / "oracles"),
        hypernet=str(RUNS / "published" / "recon"),
    ) + ["--tasks", ",".join(oracles), "--label", "reconstruction: oracle tasks' eval splits"]
        + ([] if limit is None else ["--limit", str(limit)]),
        deps=["publish-recon"], deadline=deadline)


def program_parser(doc: str | None) -> argparse.ArgumentParser:
    """The flags every program gpu_run.sh starts takes: it passes the first three."""
    parser = argparse.ArgumentParser(description=doc,
                                     formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--deadline", type=float, required=True, help="epoch seconds")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--table", default=".gpu-pack/embeddings.safetensors")
    parser.add_argument("--smoke", action="store_true",
                        help="a few steps of every job on the CPU: checks the plumbing only")
    return parser


def main() -> int:
    parser = program_parser(__doc__)
    parser.add_argument("--heldout-limit", type=int, default=50, help="eval items per task")
    parser.add_argument("--train-share", type=float, default=0.55,
                        help="share of the time after calibration spent training")
    parser.add_argument("--version", default=VERSION)
    args = parser.parse_args()
    if not 0.1 <= args.train_share <= 0.9:
        raise SystemExit("--train-share must be within 0.1..0.9")
    logs = RUNS / "logs"  # inside runs.tar.xz: OUT_DIR takes only a few files back
    args.out.mkdir(parents=True, exist_ok=True)
    final_deadline = args.deadline - PACK_RESERVE_S

    # 1. Calibration.
    if args.smoke:
        use_smoke_settings()
        args.heldout_limit = 1
        rates = {"sft": 1e9, "hinge": 1e9, "multitask": 1e9, "oracle": 1e-9}
    else:
        rates = calibrate(args.table, min(time.time() + 120, final_deadline), logs)
    if not {"sft", "hinge", "multitask", "oracle"} <= set(rates):
        log("calibration incomplete: see logs/calibrate; stopping")
        return pack(args.out, {}, rates)

    # 2. Training plan from the calibration (0.85: evaluation jobs share the GPU meanwhile).
    now = time.time()
    train_end = now + args.train_share * (final_deadline - now)
    # Start-up: loading and tokenising 33 x 2000 examples took ~50 s per job on the H200 box.
    window = (train_end - now) * 0.85 - 60
    least = 3 if args.smoke else 50
    sft_steps = max(least, int(window / rates["sft"]) // 50 * 50)
    hinge_steps = max(least, int(window / rates["hinge"]) // 50 * 50)
    multitask_steps = max(least, int(window / rates["multitask"]) // 50 * 50)
    per_oracle = ORACLE_STEPS * rates["oracle"] + 15
    oracle_window = window - 40  # the reconstruction after the last oracle
    oracles_per_chain = max(-(-MIN_ORACLES // ORACLE_CHAINS), int(oracle_window // per_oracle))
    if args.smoke:
        oracles_per_chain = -(-MIN_ORACLES // ORACLE_CHAINS)
    oracles = ORACLE_TASKS[: ORACLE_CHAINS * oracles_per_chain]
    plan = {"sft_steps": sft_steps, "hinge_steps": hinge_steps,
            "multitask_steps": multitask_steps, "oracles": oracles,
            "oracle_steps": ORACLE_STEPS, "rates_s_per_step": rates}
    log(f"plan: {plan}")

    scheduler = Scheduler(logs, env=JOB_ENV, log=log)
    table = args.table
    # Past train_end a job is stopped; publishing then takes its newest checkpoint.
    scheduler.add(Job("sft", training_argv("sft", table, RUNS / "sft", sft_steps),
                      deadline=train_end + 30))
    scheduler.add(Job("hinge", training_argv("hinge", table, RUNS / "hinge", hinge_steps),
                      deadline=train_end + 30))
    scheduler.add(Job("multitask", training_argv("multitask", table, RUNS / "multitask",
                                                 multitask_steps)))
    add_reconstruction(scheduler, table, oracles, ORACLE_CHAINS, train_end + 60, args.smoke,
                       args.version)
    for name in ("sft", "hinge"):
        scheduler.add(publish_job(name, args.version))
    published = RUNS / "published"

    # 3. Evaluation workers: held-out tasks for the SFT hypernet and the baselines, the same
    # T2L methods for the hinge variant, and reconstruction on the oracles' own tasks.
    limit = ["--limit", str(args.heldout_limit)]
    heldout, hinge = RUNS / "eval-heldout", RUNS / "eval-hinge"
    sft_net, hinge_net = str(published / "sft"), str(published / "hinge")
    multitask = str(RUNS / "multitask" / "adapter")
    workers = [
        ("eval-base", heldout, "base,base_with_description", [], {}),
        ("eval-multitask", heldout, "multitask_lora", ["multitask"],
         {"multitask_lora": multitask}),
        ("eval-t2l", heldout, "t2l", ["publish-sft"], {"hypernet": sft_net}),
        ("eval-t2l-other", heldout, "t2l_other_descriptions", ["publish-sft"],
         {"hypernet": sft_net}),
        ("eval-t2l-random", heldout, "t2l_random_descriptions", ["publish-sft"],
         {"hypernet": sft_net}),
        ("eval-hinge", hinge, "t2l", ["publish-hinge"], {"hypernet": hinge_net}),
        ("eval-hinge-other", hinge, "t2l_other_descriptions", ["publish-hinge"],
         {"hypernet": hinge_net}),
        ("eval-hinge-random", hinge, "t2l_random_descriptions", ["publish-hinge"],
         {"hypernet": hinge_net}),
    ]
    for name, run_dir, methods, deps, artifacts in workers:
        argv = eval_argv(run_dir, run_dir / f"{name}.json", methods,
                         embedding_table=table, **artifacts) + limit
        scheduler.add(Job(name, argv, deps=deps, deadline=final_deadline - 20))
    scheduler.add(reconstruction_eval_job(table, oracles, final_deadline - 20,
                                          1 if args.smoke else None))

    # Aggregation: every method, all scores already recorded by the workers.
    heldout_methods = ("base,base_with_description,multitask_lora,t2l,t2l_other_descriptions,"
                       "t2l_random_descriptions")
    t2l_methods = "t2l,t2l_other_descriptions,t2l_random_descriptions"
    label = f"GPU run: {args.heldout_limit} items per task, 3 descriptions"
    scheduler.add(Job("aggregate-heldout", eval_argv(
        heldout, RUNS / "results" / "eval_heldout.json", heldout_methods,
        embedding_table=table, multitask_lora=multitask, hypernet=sft_net,
    ) + limit + ["--label", label], deps=[w[0] for w in workers[:5]], deadline=final_deadline))
    scheduler.add(Job("aggregate-hinge", eval_argv(
        hinge, RUNS / "results" / "eval_heldout_hinge.json", t2l_methods,
        embedding_table=table, hypernet=hinge_net,
    ) + limit + ["--label", label + ", SFT with the mismatch hinge"],
        deps=[w[0] for w in workers[5:]], deadline=final_deadline))

    status = scheduler.run(final_deadline)
    return pack(args.out, plan, rates, status)


def pack(out: Path, plan: dict, rates: dict, status: dict | None = None) -> int:
    """Copy back what matters: small files and fp16 weights, never optimizer state."""
    summary = {"plan": plan, "rates": rates, "status": status or {},
               "wall_s": round(time.time() - STARTED, 1)}
    (out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")

    def large(parts: tuple[str, ...]) -> bool:
        return ("checkpoints" in parts or "adapters" in parts or "published" in parts
                # optimizer state; generated eval adapters (re-made on demand)
                or ("oracles" in parts and parts[-1].endswith(".safetensors"))  # ~2 MB each
                or parts[-1] == "hypernet.safetensors")  # fp32; the fp16 copy comes on its own

    if RUNS.is_dir():
        archive_folder(RUNS, out / "runs.tar.xz", skip=large)
        for name in ("sft", "hinge", "recon"):
            folder = RUNS / "published" / name
            if folder.is_dir():
                archive_folder(folder, out / f"{name}.tar")
    log(f"packed: {sorted(p.name for p in out.iterdir())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
