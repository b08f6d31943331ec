"""Starting a run from another hypernetwork's weights (`--init-from`): a fine-tune with its own
optimizer and schedule, e.g. adding a loss term to an SFT-trained hypernetwork instead of paying
for the whole SFT run again."""

from __future__ import annotations

from pathlib import Path

from t2l.checkpoint import load_hypernet
from t2l.embedding_table import DescriptionEncoder
from t2l.hypernet import HyperNetwork
from t2l.output_scale import META_KEY, trained_lora_alpha


def require_same_encoder(meta: dict, encoder: DescriptionEncoder, source: str) -> None:
    """A hypernetwork only understands the embeddings it was trained on."""
    trained_with = meta.get("encoder", {}).get("name")
    if trained_with not in (None, encoder.settings()["name"]):
        raise ValueError(
            f"--encoder {encoder.settings()['name']!r} differs from {source}'s {trained_with!r}; "
            f"a hypernetwork must see the embeddings {source} was trained on"
        )


def warm_start(hypernet: HyperNetwork, directory: str | Path, encoder: DescriptionEncoder) -> dict:
    """Copy `directory`'s weights (checkpoint or bundle) into `hypernet`; -> the source's meta.

    The architectures must agree exactly: a warm start that silently dropped or re-initialised
    layers would train something other than what the run's config says. A calibrated source
    (`t2l calibrate-scale`) is compared at the alpha its weights were trained with: its output
    scale was chosen for serving those weights, and a fine-tune changes them, so it trains at
    the trained strength and is calibrated again afterwards."""
    source, meta = load_hypernet(directory, expect_targets=hypernet.config.targets)
    require_same_encoder(meta, encoder, "--init-from")
    theirs, ours = source.config.to_dict(), hypernet.config.to_dict()
    theirs["lora_alpha"] = trained_lora_alpha(theirs["lora_alpha"], meta.get(META_KEY))
    # Dropout shapes nothing: a fine-tune may choose its own.
    differing = {k: (theirs[k], ours[k]) for k in ours if theirs[k] != ours[k] and k != "dropout"}
    if differing:
        raise ValueError(
            f"--init-from {directory} is a different hypernetwork (theirs vs this run's: "
            f"{differing}); set this run's --variant/--hidden-dim/--num-blocks/--rank/--lora-alpha "
            "to match"
        )
    hypernet.load_state_dict(source.state_dict())
    return meta
