"""Description dropout and guidance side by side (`t2l results`, section "Description dropout
and guidance"): per run and guidance, the held-out loss gap (`description_loss_gap.json` rows)
beside the dev loss the guidance would be chosen by (`output_scale_*.json`).

The held-out rows are scored at trained strength, the dev loss at each guidance's own
dev-chosen scale; a guidance is chosen by dev loss alone, never by a held-out row.
"""

from __future__ import annotations

from dataclasses import dataclass

from t2l.report.loss_gap_table import excess_cell
from t2l.report.output_scale_table import is_output_scale
from t2l.report.seed_dev_loss_table import chosen

TITLE = "## Description dropout and guidance"
INTRO = (
    "Description dropout (`--description-dropout 0.25`, `sft-smollm2-dropout.yaml`) trains the "
    "null description's adapter on a quarter of the samples; guidance g generates "
    "g · ΔW(description) + (1 − g) · ΔW(null), exactly one rank-2r LoRA (g = 1: the plain "
    "adapter, g = 0: the null one). The plain recipe (`sft-smollm2-250.yaml`) never trained its "
    "null input, so its guided rows are the control. Held-out columns: "
    "`description_loss_gap.json` (nats/token, trained strength, 95% paired bootstrap); dev "
    "loss: `calibrate-scale --guidance g` at the scale it chooses, the metric a guidance is "
    "chosen by."
)


@dataclass(frozen=True)
class GuidedRun:
    name: str  # the row's run
    label: str  # its description_loss_gap.json label at guidance 1, without " (CPU)"
    calibrations: dict[float, str]  # guidance -> its output_scale document stem


GUIDED_RUNS = (
    GuidedRun("dropout, seed 0", "description dropout 0.25 (sft-smollm2-dropout.yaml) seed 0",
              {g: f"output_scale_dropout_seed0_guidance{g:g}" for g in (1.0, 2.0, 3.0)}),
    GuidedRun("plain, seed 0", "sft-smollm2-250.yaml seed 0", {1.0: "output_scale_sft_250_seed0"}),
    GuidedRun("dropout, seed 1", "description dropout 0.25 (sft-smollm2-dropout.yaml) seed 1",
              {1.0: "output_scale_dropout_seed1_guidance1"}),
    GuidedRun("plain, seed 1", "sft-smollm2-250.yaml seed 1", {1.0: "output_scale_sft_250_seed1"}),
)
CPU = " (CPU)"


def guided_rows(run: GuidedRun, loss_gap: dict) -> dict[float, dict]:
    """guidance -> the run's loss-gap result at it, in guidance order."""
    found = {}
    for label, result in loss_gap["hypernets"].items():
        guidance = result.get("guidance", 1.0)
        at = "" if guidance == 1.0 else f" at guidance {guidance:g}"
        if label == f"{run.label}{at}{CPU}":
            found[guidance] = result
    return dict(sorted(found.items()))


def guidance_section(documents: dict[str, dict]) -> str | None:
    """The section, or None without `description_loss_gap.json` or any guided row in it."""
    loss_gap = documents.get("description_loss_gap")
    if loss_gap is None:
        return None
    rows = ["| run | guidance | held-out matched loss | other − matched | random − matched | "
            "dev loss (scale) |", "|---|---:|---:|---:|---:|---:|"]
    guided = False
    for run in GUIDED_RUNS:
        for guidance, result in guided_rows(run, loss_gap).items():
            guided |= guidance != 1.0
            stem = run.calibrations.get(guidance)
            calibration = documents.get(stem) if stem else None
            dev = "—"
            if calibration is not None and is_output_scale(calibration):
                loss, scale = chosen(calibration)
                dev = f"{loss:.3f} ({scale:g})"
            gaps = result["gap_over_matched"]
            rows.append(f"| {run.name} | {guidance:g} | {result['mean_loss']['matched']:.4f} | "
                        f"{excess_cell(gaps['other'])} | {excess_cell(gaps['random'])} | "
                        f"{dev} |")
    if not guided:
        return None
    return "\n\n".join([TITLE, INTRO, "\n".join(rows)])
