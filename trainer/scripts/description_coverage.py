"""How close does each held-out task's description come to any training description?

    .venv/bin/python trainer/scripts/description_coverage.py [--by-template]

Why: a hypernetwork maps description embeddings to adapters, and can only interpolate between
the training descriptions it has seen. This prints, in the encoder's cosine similarity:
- for training tasks, each task's first description against every other task's descriptions
  (leave one task out): how densely the training tasks cover their own region;
- for held-out tasks, the description the eval draws against all training descriptions, and
  the training task it lands nearest to.
Held-out similarities well below the training tasks' leave-one-out level mean the held-out
descriptions lie outside what training covered.
"""

from __future__ import annotations

import argparse
import statistics

import torch

from t2l.embedding_table import load_task_encoder
from t2l.eval.methods import held_out_descriptions
from t2l.recipes.library_tasks import split_tasks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--by-template", action="store_true",
                        help="training tasks as T0 prompt templates (split_tasks by_template)")
    parser.add_argument("--seed", type=int, default=0, help="the eval's description seed")
    args = parser.parse_args()

    encoder = load_task_encoder()
    train = split_tasks("train", train_limit=1, val_limit=0, by_template=args.by_template)
    embedded = {t.name: encoder.encode(t.descriptions) for t in train}  # name -> (D, E), unit
    leave_one_out = []
    for name, rows in embedded.items():
        others = torch.cat([e for other, e in embedded.items() if other != name])  # (N, E)
        leave_one_out.append((rows[:1] @ others.T).max().item())
    print(f"{len(train)} training tasks; nearest other task's description, cosine: "
          f"median {statistics.median(leave_one_out):.3f}, min {min(leave_one_out):.3f}")

    everything = torch.cat(list(embedded.values()))  # (N, E)
    owners = [name for name, rows in embedded.items() for _ in range(len(rows))]
    for task in split_tasks("heldout", train_limit=0, val_limit=0):
        drawn = held_out_descriptions(task.descriptions, 1, args.seed, task.name)[0]
        similarity = (encoder.encode([drawn]) @ everything.T)[0]  # (N,)
        best = int(similarity.argmax())
        print(f"  {task.name:36s} {similarity[best].item():.3f}  nearest: {owners[best]}")


if __name__ == "__main__":
    main()
