"""A seed ensemble of hypernetworks: the mean of its members' adapters, as one LoRA.

Hypernetworks trained with different seeds disagree most on unseen tasks' descriptions (the
development tasks' loss moves by a tenth of a nat between seeds, a multi-task LoRA's by a
thousandth); averaging their adapters can cancel what each seed gets wrong on its own (RESULTS.md,
"Seed ensemble", measures whether it does). The mean of K rank-r products at a shared scaling s
is exactly one rank-Kr LoRA at that scaling:

    mean_k s B_k A_k = s [B_1 / K, ..., B_K / K] [A_1; ...; A_K]

The ensemble is a teacher, not a served bundle: `t2l distill --teacher a,b,c` trains one
hypernetwork of the usual shape on its adapters, and that is what is published.
"""

from __future__ import annotations

import torch
from torch import nn

from t2l.checkpoint import load_hypernet
from t2l.hypernet import HyperNetConfig, HyperNetwork, LoRAWeights
from t2l.output_scale import META_KEY

# What the members must share for their adapters to be averaged as one LoRA.
_SHARED = ("targets", "embed_dim", "rank", "lora_alpha", "use_rslora")


class HypernetEnsemble(nn.Module):
    def __init__(self, members: list[HyperNetwork]) -> None:
        super().__init__()
        if len(members) < 2:
            raise ValueError("an ensemble needs at least two hypernetworks")
        first = members[0].config
        for i, member in enumerate(members[1:], start=1):
            for key in _SHARED:
                if getattr(member.config, key) != getattr(first, key):
                    raise ValueError(f"ensemble member {i} has another {key} than member 0; "
                                     "members must generate the same kind of LoRA")
        self.members = nn.ModuleList(members)

    @property
    def config(self) -> HyperNetConfig:
        """The members' shared config (rank r: each member's, not the ensemble's K·r)."""
        return self.members[0].config

    @property
    def scaling(self) -> float:
        return self.config.scaling

    def num_parameters(self) -> int:
        return sum(p.numel() for p in self.parameters())

    def forward(self, embeddings: torch.Tensor) -> LoRAWeights:
        outputs = [member(embeddings) for member in self.members]
        weight = 1.0 / len(outputs)
        return {
            name: (
                torch.cat([out[name][0] for out in outputs], dim=2),  # (N, L, K·r, in)
                torch.cat([weight * out[name][1] for out in outputs], dim=3),  # (N, L, out, K·r)
            )
            for name in outputs[0]
        }


def member_folders(folders: str) -> list[str]:
    """The folders of a comma-separated list (one folder: a plain hypernetwork)."""
    return [p.strip() for p in folders.split(",") if p.strip()]


def load_hypernets(folders: str, flag: str) -> tuple[HyperNetwork | HypernetEnsemble, dict]:
    """One hypernetwork folder, or a comma-separated list of them as an ensemble;
    -> (network, meta). An ensemble's meta is its first member's with each member's path and
    training record under "ensemble"."""
    paths = member_folders(folders)
    if len(paths) == 1:
        return load_hypernet(paths[0])
    if len(set(paths)) != len(paths):
        raise ValueError(f"{flag} {folders}: a folder is listed twice; an ensemble's members "
                         "are distinct runs")
    loaded = [load_hypernet(p) for p in paths]
    metas = [meta for _, meta in loaded]
    for key in ("base_model", "encoder"):
        if any(m.get(key) != metas[0].get(key) for m in metas[1:]):
            raise ValueError(f"{flag}: the members record different {key}s; an ensemble "
                             "averages adapters of one base model from one encoder")
    calibrated = [p for p, m in zip(paths, metas, strict=True) if META_KEY in m]
    if calibrated:
        raise ValueError(f"{flag}: {calibrated} carry a calibrated output scale; ensemble the "
                         "members at their trained strength and calibrate what comes out")
    try:
        ensemble = HypernetEnsemble([network for network, _ in loaded])
    except ValueError as err:
        raise ValueError(f"{flag} {folders}: {err}") from err
    members = [{"path": p, "training": m.get("training", {})}
               for p, m in zip(paths, metas, strict=True)]
    return ensemble, {**metas[0], "ensemble": members}
