"""PNG plots of result documents (matplotlib, headless)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (the backend must be chosen first)

from t2l.report.fine_tune_curves import eval_points  # noqa: E402


def _save(figure: plt.Figure, path: Path) -> Path:
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    # Fixed metadata so regenerating unchanged results gives identical bytes.
    figure.savefig(path, metadata={"Software": None})
    plt.close(figure)
    return path


def eval_heldout_plot(document: dict, path: Path, title: str = "Held-out tasks") -> Path:
    """Grouped bars: one group per evaluated task plus the average, one bar per method."""
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
    axes.set_title(f"{title}, {document.get('base_model', '')} ({label})", fontsize=10)
    axes.legend(fontsize=7, ncol=2)
    axes.grid(axis="y", alpha=0.3)
    return _save(figure, path)


MAIN_RUNS = ("sft", "hinge", "multitask", "recon")


def training_curves_plot(curves: dict, path: Path) -> Path:
    """One panel per training run (train loss line, val / held-out loss points); the oracle
    LoRAs share a last panel."""
    runs = curves["runs"]
    panels = [name for name in MAIN_RUNS if name in runs]
    oracles = [name for name in runs if name not in MAIN_RUNS]
    count = len(panels) + (1 if oracles else 0)
    columns = min(3, max(count, 1))
    rows = -(-max(count, 1) // columns)
    figure, grid = plt.subplots(rows, columns, figsize=(4.2 * columns, 3.2 * rows), dpi=110,
                                squeeze=False)
    axes_list = list(grid.flat)
    for axes, name in zip(axes_list, panels, strict=False):
        run = runs[name]
        axes.plot(run["train"]["step"], run["train"]["loss"], label="train (window mean)")
        for key, marker in (("val_loss", "o"), ("heldout_loss", "s")):
            points = [(s, v) for s, v in zip(run["val"]["step"], run["val"][key], strict=True)
                      if v is not None]
            if points:
                axes.plot(*zip(*points, strict=True), marker=marker, linestyle="--",
                          label=key.replace("_", " "))
        axes.set_title(f"{name} ({run['steps']} steps)", fontsize=9)
        axes.legend(fontsize=7)
    if oracles:
        axes = axes_list[len(panels)]
        for name in oracles:
            run = runs[name]
            axes.plot(run["train"]["step"], run["train"]["loss"], linewidth=0.8, alpha=0.8)
        axes.set_title(f"oracle LoRAs ({len(oracles)}), train loss", fontsize=9)
    for axes in axes_list[:count]:
        axes.set_xlabel("step", fontsize=8)
        axes.set_ylabel("loss", fontsize=8)
        axes.tick_params(labelsize=7)
        axes.grid(alpha=0.3)
    for axes in axes_list[count:]:
        axes.set_visible(False)
    return _save(figure, path)


def fine_tune_plot(document: dict, path: Path) -> Path:
    """Held-out and development loss against step, one line per fine-tune (one colour per run in
    both panels); a star marks the checkpoint `--keep-best` kept."""
    metrics = ("heldout_loss", "dev_loss")
    figure, grid = plt.subplots(1, len(metrics), figsize=(5.2 * len(metrics), 3.6), dpi=110,
                                squeeze=False)
    for axes, metric in zip(grid.flat, metrics, strict=True):
        for index, (label, run) in enumerate(document["runs"].items()):
            points = eval_points(run["evals"], metric)
            if not points:
                continue
            color = f"C{index % 10}"
            axes.plot(*zip(*points, strict=True), marker="o", markersize=3, label=label,
                      color=color)
            kept = (run["best"] or {}).get("step")
            if kept in dict(points):
                axes.plot([kept], [dict(points)[kept]], marker="*", markersize=12, color=color)
        axes.set_title(metric.replace("_", " ") + " (★ kept by --keep-best)", fontsize=9)
        axes.set_xlabel("step", fontsize=8)
        axes.set_ylabel("loss (nats/token)", fontsize=8)
        axes.tick_params(labelsize=7)
        axes.grid(alpha=0.3)
        if axes.get_legend_handles_labels()[0]:
            axes.legend(fontsize=6)
    return _save(figure, path)
