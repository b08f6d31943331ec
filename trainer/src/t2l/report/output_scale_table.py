"""Markdown for `docs/results/output_scale*.json` (`t2l calibrate-scale`)."""

from __future__ import annotations

OUTPUT_SCALE_SCHEMA = "t2l.output_scale/v1"
INTRO = (
    "Adapter strength, chosen on the development tasks (never the held-out ones): completion "
    "loss (nats/token, mean over each task's validation examples and, for a hypernetwork, "
    "descriptions, then over tasks) with every adapter's update scaled by s. The chosen s "
    "becomes the LoRA alpha (trained alpha × s); the weights are unchanged."
)


def is_output_scale(document: dict) -> bool:
    return document.get("schema") == OUTPUT_SCALE_SCHEMA


def output_scale_section(title: str, document: dict) -> str:
    tasks = list(document["per_task"])
    rows = ["| s | dev loss | " + " | ".join(tasks) + " |",
            "|---:|---:|" + "---:|" * len(tasks)]
    for i, scale in enumerate(document["scales"]):
        mark = "**" if scale == document["scale"] else ""
        cells = " | ".join(f"{document['per_task'][t][i]:.4f}" for t in tasks)
        rows.append(f"| {mark}{scale:g}{mark} | {mark}{document['dev_loss'][i]:.4f}{mark} | "
                    f"{cells} |")
    guided = (f" at description guidance {document['guidance']:g}"
              if document.get("guidance", 1.0) != 1.0 else "")
    kind = document["kind"]
    if members := (document.get("training") or {}).get("ensemble"):
        kind = f"seed ensemble of {len(members)} hypernetworks"  # the mean of their adapters
    written = (f"written to `{document['out']}`" if document["out"]
               else "measured only (an ensemble is distilled into one hypernetwork to serve)")
    chosen = (f"{kind} `{document['source']}`{guided}: s = {document['scale']:g}, LoRA alpha "
              f"{document['trained_lora_alpha']:g} → {document['lora_alpha']:g}, {written}.")
    return "\n\n".join([title, INTRO, chosen, "\n".join(rows)])
