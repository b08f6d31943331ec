"""Markdown for `docs/results/reconstruction.json`."""

from __future__ import annotations

from t2l.report.quality_tables import score


def _ratio(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def reconstruction_section(recon: dict) -> str:
    source = recon.get("source") or {}
    notes = [
        f"- T2L / oracle: **{_ratio(recon['t2l_over_oracle'])}** (T2L avg "
        f"{score(recon['t2l_avg'])} vs oracle avg {score(recon['oracle_avg'])} over "
        f"{len(recon['per_task'])} tasks)",
        f"- compression: hypernetwork {recon['hypernet_params']:,} parameters / library of "
        f"{recon['num_loras']} oracle LoRAs, {recon['library_params']:,} parameters = "
        f"**{recon['compression_ratio']:.4g}**",
        f"- source: `{source.get('eval')}` (**{source.get('run_label')}**)",
    ]
    rows = ["| task | oracle LoRA | T2L | T2L / oracle |", "|---|---:|---:|---:|"]
    rows += [f"| {task} | {score(row['oracle'])} | {score(row['t2l'])} | {_ratio(row['ratio'])} |"
             for task, row in recon["per_task"].items()]
    return "\n\n".join(["## Reconstruction (`results/reconstruction.json`)", "\n".join(notes),
                        "\n".join(rows)])
