"""Markdown for `docs/results/training_curves.json`: one row per run and the pipeline's plan."""

from __future__ import annotations

from t2l.report.tables import format_value


def _last(values: list) -> str:
    present = [v for v in values if v is not None]
    return format_value(present[-1]) if present else "—"


def _loss_span(train: dict) -> str:
    losses = train["loss"]
    return f"{format_value(losses[0])} → {format_value(losses[-1])}" if losses else "—"


def _pipeline_notes(pipeline: dict) -> list[str]:
    plan = pipeline.get("plan") or {}
    items = [f"{k} {len(v)} ({', '.join(map(str, v))})" if isinstance(v, list)
             else f"{k} {format_value(v)}"
             for k, v in plan.items() if not isinstance(v, dict)]  # rates come next
    notes = [f"- pipeline plan: {'; '.join(items) or '—'}"]
    rates = pipeline.get("rates") or {}
    if rates:
        notes.append("- calibrated s/step (all jobs together): "
                     + ", ".join(f"{k} {format_value(v)}" for k, v in rates.items()))
    status = pipeline.get("status") or {}
    failed = {job: code for job, code in status.items() if code != 0}
    notes.append(f"- jobs: {len(status)}, all exited 0" if status and not failed else
                 f"- jobs: {len(status)}; not exit 0: "
                 + (", ".join(f"{job} {code}" for job, code in failed.items()) or "—"))
    if "wall_s" in pipeline:
        notes.append(f"- pipeline wall time: {format_value(pipeline['wall_s'])} s")
    return notes


def training_curves_section(curves: dict, plot_link: str) -> str:
    rows = ["| run | steps (planned) | wall s | train loss, first → last window | window "
            "| last val loss | last held-out loss |", "|---|---:|---:|---|---:|---:|---:|"]
    for name, run in curves["runs"].items():
        rows.append(f"| {name} | {run['steps']} ({format_value(run['planned_steps'])}) "
                    f"| {format_value(run['wall_s'])} | {_loss_span(run['train'])} "
                    f"| {run['train']['window']} | {_last(run['val']['val_loss'])} "
                    f"| {_last(run['val']['heldout_loss'])} |")
    notes = ["- train loss: means over windows of `window` steps (about "
             f"{curves['window_points']} points per run); val / held-out loss as logged",
             *_pipeline_notes(curves.get("pipeline") or {})]
    return "\n\n".join(["## Training curves (`results/training_curves.json`)", "\n".join(notes),
                        f"![training curves]({plot_link})", "\n".join(rows)])
