"""Hypernetwork SFT step vs plain LoRA SFT step, same base model and batch, one process.

Both steps are the full training step: per-example LoRAs applied to the frozen base through
the same hooks, completion-only loss, backward, clipped AdamW update. The hypernetwork step
additionally runs the hypernetwork forward and backward (task embeddings come from the frozen,
cached encoder in training, so they are inputs here). Steps alternate between the two so
machine-load drift hits both alike; medians are reported.

On CPU the ratio is taken over process CPU time (`time.process_time`), which other processes
on a shared machine barely disturb, with wall-clock medians reported beside it; on CUDA it is
taken over synchronised wall-clock time. `--threads` pins torch's intra-op threads (default 1
on CPU: no spinning threads inflating CPU time).

    .venv/bin/python bench/train_step.py            # writes docs/results/train_step.json
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import torch
from t2l.hypernet import VARIANTS, HyperNetwork
from t2l.lora_parameters import LoRAParameters
from t2l.optimization import optimizer_step, warmup_cosine
from t2l.recipe_config import DEFAULT_BASE_MODEL, SFTConfig
from t2l.recipes.frozen_base import base_model_id, frozen_base
from t2l.sft_batch import IGNORE_INDEX, TokenizedExample
from t2l.sft_tasks import sft_loss

GOAL = 1.10


def synthetic_batch(
    vocab_size: int, batch_size: int, seq_len: int
) -> list[TokenizedExample]:
    """Fixed token ids; the second half of each row is the completion."""
    generator = torch.Generator().manual_seed(0)
    ids = torch.randint(
        100, vocab_size, (batch_size, seq_len), generator=generator
    ).tolist()
    prompt = seq_len // 2
    return [
        TokenizedExample(tuple(row), tuple([IGNORE_INDEX] * prompt + row[prompt:]))
        for row in ids
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base-model", default=DEFAULT_BASE_MODEL)
    parser.add_argument("--target-modules", default="q_proj,v_proj")
    parser.add_argument("--variant", default="M", choices=VARIANTS)
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--seq-len", type=int, default=128)
    parser.add_argument(
        "--steps", type=int, default=7, help="measured steps per method"
    )
    parser.add_argument(
        "--warmup", type=int, default=2, help="unmeasured steps per method"
    )
    parser.add_argument("--device", default="auto")
    parser.add_argument(
        "--threads", type=int, default=1, help="torch intra-op threads (CPU)"
    )
    parser.add_argument("--out", default="docs/results/train_step.json")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    defaults = SFTConfig(
        tasks="-",
        variant=args.variant,
        target_modules=args.target_modules,
        base_model=args.base_model,
        device=args.device,
    )
    torch.manual_seed(0)
    base, tokenizer = frozen_base(
        None, None, args.base_model, args.target_modules, defaults.torch_device()
    )
    embed_dim = 384  # all-MiniLM-L6-v2, the default encoder
    hypernet = HyperNetwork(defaults.hypernet_config(base.targets, embed_dim)).to(
        base.device
    )
    lora = LoRAParameters(base.targets, defaults.rank).to(base.device)
    embeddings = torch.nn.functional.normalize(
        torch.randn(args.batch_size, embed_dim), dim=-1
    )
    embeddings = embeddings.to(base.device)
    examples = synthetic_batch(len(tokenizer), args.batch_size, args.seq_len)

    def make_step(params, lora_source, scaling):
        optimizer = torch.optim.AdamW(params.parameters(), lr=1e-5)
        scheduler = warmup_cosine(optimizer, 0, 1000)

        def step() -> tuple[float, float]:
            if base.device.type == "cuda":
                torch.cuda.synchronize()
            wall, cpu = time.perf_counter(), time.process_time()
            loss = sft_loss(base, lora_source(), scaling, examples)
            optimizer_step(loss, params.parameters(), optimizer, scheduler, 1.0)
            if base.device.type == "cuda":
                torch.cuda.synchronize()
            return time.perf_counter() - wall, time.process_time() - cpu

        return step

    steps = {
        "hypernet": make_step(hypernet, lambda: hypernet(embeddings), hypernet.scaling),
        "lora": make_step(lora, lora, defaults.lora_alpha / defaults.rank),
    }
    wall: dict[str, list[float]] = {name: [] for name in steps}
    cpu: dict[str, list[float]] = {name: [] for name in steps}
    for i in range(args.warmup + args.steps):
        for name, step in steps.items():
            wall_s, cpu_s = step()
            if i >= args.warmup:
                wall[name].append(wall_s)
                cpu[name].append(cpu_s)
            print(
                f"{name:9s} step {i + 1}: {wall_s:.3f} s wall, {cpu_s:.3f} s cpu",
                file=sys.stderr,
            )

    basis = "process_cpu_time" if base.device.type == "cpu" else "wall_clock"
    timed = cpu if basis == "process_cpu_time" else wall
    medians = {name: statistics.median(values) for name, values in timed.items()}
    wall_medians = {name: statistics.median(values) for name, values in wall.items()}
    ratio = medians["hypernet"] / medians["lora"]
    config = defaults.hypernet_config(base.targets, embed_dim)
    params = {
        v: HyperNetwork(replace(config, variant=v)).num_parameters() for v in VARIANTS
    }
    result = {
        "benchmark": "train_step",
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "model": base_model_id(base.model, args.base_model),
        "device": str(base.device),
        "torch_threads": torch.get_num_threads(),
        "machine": platform.machine(),
        "batch": {"batch_size": args.batch_size, "seq_len": args.seq_len},
        "targets": base.targets.to_dict(),
        "hypernet": {
            "variant": args.variant,
            "rank": defaults.rank,
            "hidden_dim": defaults.hidden_dim,
            "num_blocks": defaults.num_blocks,
            "params": hypernet.num_parameters(),
        },
        "hypernet_params_by_variant": params,
        "hypernet_fp16_mib_by_variant": {
            v: round(n * 2 / 2**20, 2) for v, n in params.items()
        },
        "lora_params": sum(p.numel() for p in lora.parameters()),
        "steps_measured": args.steps,
        "ratio_basis": basis,
        "wall_s": {
            name: [round(t, 4) for t in values] for name, values in wall.items()
        },
        "cpu_s": {name: [round(t, 4) for t in values] for name, values in cpu.items()},
        "median_s": {
            "hypernet_step": round(medians["hypernet"], 4),
            "lora_step": round(medians["lora"], 4),
        },
        "median_wall_s": {
            "hypernet_step": round(wall_medians["hypernet"], 4),
            "lora_step": round(wall_medians["lora"], 4),
        },
        "ratio_hypernet_over_lora": round(ratio, 4),
        "ratio_wall_clock": round(wall_medians["hypernet"] / wall_medians["lora"], 4),
        "goal_ratio_max": GOAL,
        "meets_goal": ratio <= GOAL,
        "command": "python bench/train_step.py " + " ".join(sys.argv[1:]),
    }
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(
        json.dumps(
            {
                k: result[k]
                for k in ("median_s", "ratio_hypernet_over_lora", "meets_goal")
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
