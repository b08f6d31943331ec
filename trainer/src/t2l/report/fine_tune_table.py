"""Markdown for `docs/results/fine_tune_curves.json`: per fine-tune, where each loss bottomed out
and which checkpoint was kept."""

from __future__ import annotations

from t2l.report.fine_tune_curves import eval_points
from t2l.report.tables import format_value


def _course(evals: dict, metric: str) -> str:
    """first → lowest (at step) → last, or — when the run never logged `metric`."""
    points = eval_points(evals, metric)
    if not points:
        return "—"
    low_step, low = min(points, key=lambda p: p[1])
    return (f"{format_value(points[0][1])} → {format_value(low)} (step {low_step}) "
            f"→ {format_value(points[-1][1])}")


def _at(evals: dict, metric: str, step: int) -> str:
    values = dict(eval_points(evals, metric))
    return format_value(values[step]) if step in values else "—"


def fine_tune_section(document: dict, plot_link: str) -> str:
    rows = ["| run | from | steps | held-out loss: first → lowest → last "
            "| dev loss: first → lowest → last | kept | held-out loss, kept |",
            "|---|---|---:|---|---|---|---:|"]
    for label, run in document["runs"].items():
        evals, best = run["evals"], run["best"]
        kept = f"step {best['step']} by {best['metric']}" if best else "last step"
        kept_step = best["step"] if best else (evals["step"][-1] if evals["step"] else None)
        rows.append(f"| {label} | {run['init_from'] or 'scratch'} | {run['steps']} "
                    f"({format_value(run['planned_steps'])}) "
                    f"| {_course(evals, 'heldout_loss')} | {_course(evals, 'dev_loss')} "
                    f"| {kept} | {_at(evals, 'heldout_loss', kept_step)} |")
    notes = ("- losses: completion-only LM loss (nats/token) at each of a run's evaluations, the "
             "warm start's own at step 0; held-out: the run's `--heldout-tasks` (the reported "
             "tasks); dev: its `--dev-tasks`, never trained on or reported, which `--keep-best "
             "dev_loss` chooses by\n- kept: the checkpoint the run keeps (`best/` under "
             "--keep-best, else its last); the held-out loss there is what choosing without the "
             "held-out tasks gave")
    return "\n\n".join(["## Fine-tune curves (`results/fine_tune_curves.json`)", notes,
                        f"![fine-tune curves]({plot_link})", "\n".join(rows)])
