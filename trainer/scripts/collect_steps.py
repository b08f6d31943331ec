"""Turn a trainer/scripts/gpu_steps.py run, copied back, into result documents.

    .venv/bin/python trainer/scripts/collect_steps.py --run runs/gpu-steps \\
        --parity runs/h200 --rechecks runs/h200/recheck [--results docs/results]

Writes, under --results:
  eval_heldout_h200_stepN.json  per scored step: T2L and the multi-task LoRA (and, where scored,
                                the description controls) merged with the base model's scores
                                on the same held-out items (`t2l merge-evals`)
  eval_dev_h200_stepN.json      the same on the development tasks
  gpu_steps.json                parity reports (--parity holds gpu_run.sh's parity-*.json), the
                                runs' validation losses per scored step, the CPU's recomputation
                                of them (--rechecks holds recheck_losses.py's reports), how many
                                items the base model scores as in the CPU-scored headline
                                (eval_heldout.json), and the stems of the evaluations above
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from t2l.atomic_file import write_json_atomically
from t2l.eval.merge_cli import MergeConfig, run_merge
from t2l.report.gpu_steps_table import GPU_STEPS_SCHEMA, GPU_STEPS_STEM
from t2l.run_dir import validation_losses_at

RUNS = {"t2l": "sft", "multitask_lora": "multitask"}
LABEL = ("{device}, transformers {transformers}: T2L and the multi-task LoRA at step {step} of "
         "one run each (8 x 160 tokens a step), the base model beside them; {tasks} scored on the "
         "GPU at trained strength: 100 items per multiple-choice task, 20 per generated-answer "
         "task, 1 description")


def item_agreement(gpu: dict, cpu: dict, methods: tuple[str, ...]) -> dict[str, dict]:
    """Per method scored in both: how many items score the same, over the tasks scored on the
    same number of items (the same items: both take each task's first N)."""
    found = {}
    for method in methods:
        ours, theirs = (d["methods"].get(method, {}).get("per_item") or {} for d in (gpu, cpu))
        shared = [t for t in ours if len(theirs.get(t, ())) == len(ours[t])]
        if shared:
            pairs = [(a, b) for t in shared for a, b in zip(ours[t], theirs[t], strict=True)]
            found[method] = {"tasks": shared, "items": len(pairs),
                             "same": sum(a == b for a, b in pairs)}
    return found


def merge(inputs: list[Path], output: Path, label: str) -> str:
    present = [str(p) for p in inputs if p.is_file()]
    run_merge(MergeConfig(inputs=tuple(present), output=str(output), label=label))
    return output.stem


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--run", type=Path, default=Path("runs/gpu-steps"))
    parser.add_argument("--parity", type=Path, required=True, help="folder of parity-*.json")
    parser.add_argument("--rechecks", type=Path, required=True,
                        help="folder of recheck_losses.py reports")
    parser.add_argument("--results", type=Path, default=Path("docs/results"))
    parser.add_argument("--environment", default="pinned",
                        help="the parity report whose environment trained (gpu_run.sh says)")
    parser.add_argument("--label", required=True, help="what the run was, for the report")
    args = parser.parse_args()
    summary = json.loads((args.run / "summary.json").read_text())
    parity = {p.stem.removeprefix("parity-"): json.loads(p.read_text())
              for p in sorted(args.parity.glob("parity-*.json"))}
    if not parity or not summary["scored_steps"]:
        raise SystemExit(f"nothing to collect: parity reports in {args.parity}, scored steps "
                         f"in {args.run / 'summary.json'}")
    if args.environment not in parity:
        raise SystemExit(f"--environment {args.environment}: no parity-{args.environment}.json "
                         f"in {args.parity}")
    environment = parity[args.environment]["environment"]
    scored = args.run / "results"
    steps = []
    for step in summary["scored_steps"]:
        label = LABEL.format(device=environment["cuda"], transformers=environment["transformers"],
                             step=step, tasks="{tasks}")
        heldout = merge([scored / f"heldout_step{step}.json",
                         scored / f"controls_step{step}.json", scored / "base_heldout.json"],
                        args.results / f"eval_heldout_h200_step{step}.json",
                        label.format(tasks="the headline's held-out items"))
        dev = merge([scored / f"dev_step{step}.json", scored / "base_dev.json"],
                    args.results / f"eval_dev_h200_step{step}.json",
                    label.format(tasks="the development tasks"))
        steps.append({"step": step, "heldout_eval": heldout, "dev_eval": dev,
                      "losses": {m: validation_losses_at(args.run / r, step) or {}
                                 for m, r in RUNS.items()}})
    rechecks = [json.loads(p.read_text()) for p in sorted(args.rechecks.glob("*.json"))]
    headline = json.loads((args.results / "eval_heldout.json").read_text())
    agreement = item_agreement(json.loads((scored / "base_heldout.json").read_text()), headline,
                               ("base", "base_with_description"))
    document = {"schema": GPU_STEPS_SCHEMA,
                "run": {"label": args.label, "device":
                        environment["cuda"], "transformers": environment["transformers"],
                        "status": summary["status"]},
                "parity": parity, "steps": steps, "rechecks": rechecks,
                "agreement_with_cpu_headline": agreement}
    write_json_atomically(args.results / f"{GPU_STEPS_STEM}.json", document)
    print(f"wrote {GPU_STEPS_STEM}.json and the evaluations {[s['heldout_eval'] for s in steps]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
