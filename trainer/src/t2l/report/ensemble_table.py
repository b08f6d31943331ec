"""A recipe's seed ensemble beside its seeds and the bundles that serve it (`t2l results`,
section "Seed ensemble").

The T2L recipe's dev loss moves by about a tenth of a nat between training seeds, the
multi-task LoRA's by a thousandth: each seed's hypernetwork errs on unseen descriptions in its
own way. The mean adapter of the seeds (`t2l.hypernet_ensemble`) may average those errors out,
and this section measures whether it does; distilled into one hypernetwork (`t2l distill
--teacher a,b,c,d`) it would serve like any bundle. Every row is a `t2l calibrate-scale`
document, so every loss is at that adapter source's own dev-calibrated scale, on the same
development tasks and descriptions.
"""

from __future__ import annotations

from statistics import fmean

from t2l.report.output_scale_table import is_output_scale
from t2l.report.seed_dev_loss_table import chosen
from t2l.report.seed_recipes import SEEDS

ENSEMBLE_STEM = "output_scale_sft_250_ensemble"
MEMBER_STEMS = {seed: f"output_scale_sft_250_seed{seed}" for seed in SEEDS}
# label -> output_scale document stem, in the table's order.
ROWS = {
    "mean adapter of sft-smollm2-250.yaml's seeds (the ensemble)": ENSEMBLE_STEM,
    **{f"seed {seed}" + (" (the default bundle's teacher)" if seed == 3 else ""): stem
       for seed, stem in MEMBER_STEMS.items()},
    "default bundle: hidden 128 distilled from seed 3": "output_scale_student",
    "multi-task LoRA, its recipe's lowest seed (seed 1)": "output_scale_multitask_seed1",
}


def ensemble_section(documents: dict[str, dict]) -> str | None:
    """The section, or None until the ensemble has been measured."""
    ensemble = documents.get(ENSEMBLE_STEM, {})
    if not is_output_scale(ensemble):
        return None
    tasks = list(ensemble["per_task"])
    rows = ["| adapters | dev loss | s | " + " | ".join(tasks) + " |",
            "|---|---:|---:|" + "---:|" * len(tasks)]
    for label, stem in ROWS.items():
        document = documents.get(stem, {})
        if not is_output_scale(document) or list(document["per_task"]) != tasks:
            continue
        loss, scale = chosen(document)
        at = document["scales"].index(scale)
        cells = " | ".join(f"{document['per_task'][t][at]:.3f}" for t in tasks)
        rows.append(f"| {label} (`{stem}.json`) | {loss:.3f} | {scale:g} | {cells} |")
    intro = ("Completion loss (nats/token) on the development tasks, each adapter source at "
             "its own dev-calibrated output scale s (`t2l calibrate-scale`), overall and by "
             "task. The ensemble's adapter is the mean of its members' (`t2l.hypernet_ensemble`"
             ": an exact rank-Kr LoRA); it is measured, not served, and would reach a bundle by "
             "distillation into one hypernetwork (`t2l distill --teacher a,b,c,d`).")
    parts = ["## Seed ensemble", intro, "\n".join(rows)]
    members = [chosen(documents[s])[0] for s in MEMBER_STEMS.values()
               if is_output_scale(documents.get(s, {}))]
    if members:
        own = chosen(ensemble)[0]
        parts.append(f"The ensemble's dev loss minus its {len(members)} seeds' mean: "
                     f"{own - fmean(members):+.3f}; minus their lowest: "
                     f"{own - min(members):+.3f} (the bundle is chosen by the lowest).")
    return "\n\n".join(parts)
