"""The Text-to-LoRA hypernetwork: task embedding in, one LoRA (A, B) per layer and module out.

Every output row of the network is one *position* (layer, module kind[, A/B][, rank row]).
All positions of all kinds run through the shared MLP backbone in one batched matmul; a
position only differs by its learned embeddings. One output head per module kind turns a
position's features into LoRA weights:

- L: one row per (layer, kind); the head emits A and B together.
- M: one row per (layer, kind, A|B); the head emits one r-row matrix, read as A or as B^T.
- S: one row per (layer, kind, A|B, rank row); the head emits one rank row of A or column of B.

The forward pass is plain tensor ops with a static structure (ONNX-exportable, any batch size).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields

import torch
from torch import nn

from t2l.targets import TargetModule, TargetSpec

VARIANTS = ("L", "M", "S")
LoRAWeights = dict[str, tuple[torch.Tensor, torch.Tensor]]  # name -> (A (B,L,r,in), B (B,L,out,r))


@dataclass(frozen=True)
class HyperNetConfig:
    targets: TargetSpec
    embed_dim: int  # task-encoder output dimension E
    variant: str = "M"
    rank: int = 8
    lora_alpha: float = 16.0
    use_rslora: bool = False
    hidden_dim: int = 512
    num_blocks: int = 2
    mlp_ratio: int = 2
    dropout: float = 0.0

    def __post_init__(self) -> None:
        if self.variant not in VARIANTS:
            raise ValueError(f"--variant must be one of {VARIANTS}, got {self.variant!r}")
        for flag, value in (
            ("--embed-dim", self.embed_dim),
            ("--rank", self.rank),
            ("--hidden-dim", self.hidden_dim),
            ("--mlp-ratio", self.mlp_ratio),
        ):
            if int(value) < 1:
                raise ValueError(f"{flag} must be >= 1, got {value}")
        if self.num_blocks < 0:
            raise ValueError(f"--num-blocks must be >= 0, got {self.num_blocks}")
        if self.lora_alpha <= 0:
            raise ValueError(f"--lora-alpha must be > 0, got {self.lora_alpha}")
        if not 0.0 <= self.dropout < 1.0:
            raise ValueError(f"--dropout must be in [0, 1), got {self.dropout}")

    @property
    def scaling(self) -> float:
        """PEFT's LoRA scaling: alpha / r, or alpha / sqrt(r) with rsLoRA."""
        return self.lora_alpha / (math.sqrt(self.rank) if self.use_rslora else self.rank)

    def to_dict(self) -> dict:
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        data["targets"] = self.targets.to_dict()
        return data

    @classmethod
    def from_dict(cls, data: dict) -> HyperNetConfig:
        known = {f.name for f in fields(cls)}
        if unknown := sorted(set(data) - known):
            raise ValueError(f"unknown hypernet config keys {unknown}")
        return cls(**{**data, "targets": TargetSpec.from_dict(data["targets"])})


class ResidualBlock(nn.Module):
    """Pre-norm MLP block: x + W2 GELU(W1 LN(x))."""

    def __init__(self, dim: int, ratio: int, dropout: float) -> None:
        super().__init__()
        self.norm = nn.LayerNorm(dim)
        self.fc_in = nn.Linear(dim, dim * ratio)
        self.fc_out = nn.Linear(dim * ratio, dim)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.dropout(self.fc_out(nn.functional.gelu(self.fc_in(self.norm(x)))))


class HyperNetwork(nn.Module):
    def __init__(self, config: HyperNetConfig) -> None:
        super().__init__()
        self.config = config
        c, spec = config, config.targets
        hidden = c.hidden_dim
        self.task_proj = nn.Sequential(nn.Linear(c.embed_dim, hidden), nn.LayerNorm(hidden))
        self.layer_embedding = nn.Embedding(spec.num_layers, hidden)
        self.module_embedding = nn.Embedding(len(spec.modules), hidden)
        # Per-position grid after (kind, layer): () for L, (2,) for M, (2, r) for S.
        self.grid: tuple[int, ...] = {"L": (), "M": (2,), "S": (2, c.rank)}[c.variant]
        if c.variant in ("M", "S"):
            self.ab_embedding = nn.Embedding(2, hidden)
            # Output gain per (kind, A|B); B starts at 0 so a fresh network emits B = 0.
            self.ab_gain = nn.Parameter(torch.tensor([[1.0, 0.0]] * len(spec.modules)))
        if c.variant == "S":
            self.rank_embedding = nn.Embedding(c.rank, hidden)
        self.blocks = nn.Sequential(
            *(ResidualBlock(hidden, c.mlp_ratio, c.dropout) for _ in range(c.num_blocks))
        )
        self.out_norm = nn.LayerNorm(hidden)
        self.heads = nn.ModuleList(nn.Linear(hidden, self._head_dim(m)) for m in spec.modules)
        self._register_position_ids()
        self.reset_output_heads()

    @property
    def scaling(self) -> float:
        return self.config.scaling

    def num_parameters(self) -> int:
        return sum(p.numel() for p in self.parameters())

    def _head_dim(self, m: TargetModule) -> int:
        r = self.config.rank
        return {
            "L": r * (m.in_features + m.out_features),
            "M": r * max(m.in_features, m.out_features),
            "S": max(m.in_features, m.out_features),
        }[self.config.variant]

    def _register_position_ids(self) -> None:
        spec = self.config.targets
        shape = (len(spec.modules), spec.num_layers, *self.grid)
        grids = torch.meshgrid(*(torch.arange(n) for n in shape), indexing="ij")
        names = ("module_ids", "layer_ids", "ab_ids", "rank_ids")[: len(shape)]
        for name, ids in zip(names, grids, strict=True):
            self.register_buffer(name, ids.reshape(-1), persistent=False)  # (P,)

    @torch.no_grad()
    def reset_output_heads(self) -> None:
        """SFT init: A matches PEFT's kaiming-uniform variance, B is exactly zero.

        The backbone output is LayerNorm'd (unit variance per feature), so a head weight of
        std 1/sqrt(3 * in * hidden) gives A entries of variance 1/(3 * in), as PEFT's init does.
        """
        hidden, r = self.config.hidden_dim, self.config.rank
        for head, m in zip(self.heads, self.config.targets.modules, strict=True):
            head.bias.zero_()
            nn.init.normal_(head.weight, std=1.0 / math.sqrt(3 * m.in_features * hidden))
            if self.config.variant == "L":
                head.weight[r * m.in_features :].zero_()  # the B part

    def position_features(self) -> torch.Tensor:
        """Learned embedding of every output position."""
        pos = self.layer_embedding(self.layer_ids) + self.module_embedding(self.module_ids)
        if self.config.variant in ("M", "S"):
            pos = pos + self.ab_embedding(self.ab_ids)
        if self.config.variant == "S":
            pos = pos + self.rank_embedding(self.rank_ids)
        return pos  # (P, H)

    def forward(self, task_embedding: torch.Tensor) -> LoRAWeights:
        spec, r = self.config.targets, self.config.rank
        z = self.task_proj(task_embedding)  # (B, H)
        x = z[:, None, :] + self.position_features()[None]  # (B, P, H)
        x = self.out_norm(self.blocks(x))
        x = x.unflatten(1, (len(spec.modules), spec.num_layers, *self.grid))  # (B, K, L, *grid, H)
        loras: LoRAWeights = {}
        for k, m in enumerate(spec.modules):
            head, n_in, n_out = self.heads[k], m.in_features, m.out_features
            if self.config.variant == "L":
                out = head(x[:, k])  # (B, L, r*(in+out))
                a = out[..., : r * n_in].unflatten(-1, (r, n_in))  # (B, L, r, in)
                b = out[..., r * n_in :].unflatten(-1, (n_out, r))  # (B, L, out, r)
                loras[m.name] = (a, b)
                continue
            # M and S: A rows and B rows only compute the head outputs they use.
            n_a, n_b = (r * n_in, r * n_out) if self.config.variant == "M" else (n_in, n_out)
            rows_a, rows_b = x[:, k, :, 0], x[:, k, :, 1]  # (B, L[, r], H) each
            out_a = nn.functional.linear(rows_a, head.weight[:n_a], head.bias[:n_a])
            out_b = nn.functional.linear(rows_b, head.weight[:n_b], head.bias[:n_b])
            if self.config.variant == "M":  # out_a (B, L, r*in), out_b (B, L, r*out)
                out_a = out_a.unflatten(-1, (r, n_in))  # (B, L, r, in)
                out_b = out_b.unflatten(-1, (r, n_out))  # (B, L, r, out)
            # S: out_a (B, L, r, in), out_b (B, L, r, out) already.
            a = out_a * self.ab_gain[k, 0]  # (B, L, r, in)
            b = out_b.transpose(-1, -2) * self.ab_gain[k, 1]  # (B, L, out, r)
            loras[m.name] = (a, b)
        return loras
