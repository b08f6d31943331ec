"""PNG plots of result documents (matplotlib, headless)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (the backend must be chosen first)


def eval_heldout_plot(document: dict, path: Path) -> Path:
    """Grouped bars: one group per held-out task plus the average, one bar per method."""
    tasks = [*document["tasks"], "avg"]
    methods = list(document["methods"])
    width = 0.8 / max(len(methods), 1)
    figure, axes = plt.subplots(figsize=(max(8.0, 0.9 * len(tasks) + 2), 4.8), dpi=110)
    for i, method in enumerate(methods):
        row = document["methods"][method]
        values = [row["per_task"].get(t) for t in document["tasks"]] + [row["avg"]]
        xs = [x + (i - (len(methods) - 1) / 2) * width for x in range(len(tasks))]
        axes.bar([x for x, v in zip(xs, values, strict=True) if v is not None],
                 [100 * v for v in values if v is not None], width, label=method)
    axes.set_xticks(range(len(tasks)), tasks, rotation=35, ha="right", fontsize=8)
    axes.set_ylabel("score (%)")
    label = document.get("run", {}).get("label", "")
    axes.set_title(f"Held-out tasks, {document.get('base_model', '')} ({label})", fontsize=10)
    axes.legend(fontsize=7, ncol=2)
    axes.grid(axis="y", alpha=0.3)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    # Fixed metadata so regenerating unchanged results gives identical bytes.
    figure.savefig(path, metadata={"Software": None})
    plt.close(figure)
    return path
