"""What `t2l calibrate-scale` scales, behind one face: a hypernetwork (its adapters, one per
description) or a trained PEFT LoRA (one adapter for every task). Each names its base model,
its trained strength, its adapters for a task, and how its calibrated copy is written."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from pathlib import Path

import torch

from t2l.checkpoint import read_hypernet_json, save_with_new_document
from t2l.description_guidance import guided_loras
from t2l.embedding_table import DescriptionEncoder, hypernet_encoder
from t2l.hypernet import HyperNetwork, LoRAWeights
from t2l.hypernet_ensemble import HypernetEnsemble, load_hypernets
from t2l.output_scale import META_KEY, trained_lora_alpha
from t2l.peft_io import (
    ADAPTER_CONFIG,
    SCALE_RECORD,
    PeftLoRA,
    load_peft_adapter,
    write_rescaled_adapter,
)
from t2l.sft_tasks import FrozenLM


@dataclass
class HypernetSource:
    folder: str
    document: dict  # hypernet.json as read
    hypernet: HyperNetwork | HypernetEnsemble
    meta: dict
    identity: dict  # a published bundle's new version
    encoder: DescriptionEncoder
    device: torch.device = field(default_factory=lambda: torch.device("cpu"))
    guidance: float = 1.0  # its adapters' description guidance (t2l.description_guidance)
    kind: str = "hypernet"

    @property
    def base_model_id(self) -> str:
        return str(self.meta.get("base_model", {}).get("hf_id", ""))

    @property
    def target_names(self) -> list[str]:
        return self.hypernet.config.targets.names

    @property
    def trained_alpha(self) -> float:
        return trained_lora_alpha(self.hypernet.config.lora_alpha, self.meta.get(META_KEY))

    @property
    def trained_scaling(self) -> float:
        return self.hypernet.scaling * self.trained_alpha / self.hypernet.config.lora_alpha

    @property
    def training(self) -> dict | None:
        if isinstance(self.hypernet, HypernetEnsemble):
            return {"ensemble": self.meta["ensemble"]}
        return self.meta.get("training")

    def attach(self, base: FrozenLM) -> None:
        if base.targets != self.hypernet.config.targets:
            raise ValueError(f"--hypernet {self.folder}: trained for other LoRA targets than its "
                             f"base model {self.base_model_id!r} has")
        self.hypernet = self.hypernet.to(base.device).eval()
        self.device = base.device

    @torch.no_grad()
    def adapters(self, descriptions: list[str]) -> list[LoRAWeights]:
        embeddings = self.encoder.encode(descriptions).to(self.device)  # (D, E)
        return [guided_loras(self.hypernet, embeddings[i : i + 1], self.guidance)
                for i in range(embeddings.shape[0])]

    def write(self, out: str, calibration: dict) -> None:
        if isinstance(self.hypernet, HypernetEnsemble):
            raise ValueError("an ensemble has no single set of weights to write; distill it")
        config = replace(self.hypernet.config, lora_alpha=calibration["lora_alpha"]).to_dict()
        meta = {**self.meta, **self.identity, META_KEY: calibration}
        save_with_new_document(self.folder, out, {**self.document, "config": config,
                                                  "meta": meta})


@dataclass
class LoraSource:
    folder: str
    config: dict  # adapter_config.json as read
    record: dict | None  # the output-scale record of an earlier calibration
    lora: PeftLoRA | None = None  # read by `attach`, once the base model's targets are known
    weights: LoRAWeights = field(default_factory=dict)  # A (1, L, r, in), B (1, L, out, r)
    kind: str = "lora"
    training: dict | None = None  # a trained LoRA folder records no training run

    @property
    def base_model_id(self) -> str:
        return str(self.config["base_model_name_or_path"])

    @property
    def target_names(self) -> list[str]:
        return list(self.config["target_modules"])

    @property
    def trained_alpha(self) -> float:
        return trained_lora_alpha(float(self.config["lora_alpha"]), self.record)

    @property
    def trained_scaling(self) -> float:
        if self.lora is None:
            raise RuntimeError("attach the base model first: the LoRA is read against its targets")
        return self.lora.scaling * self.trained_alpha / self.lora.lora_alpha

    def attach(self, base: FrozenLM) -> None:
        self.lora = load_peft_adapter(self.folder, base.targets)
        self.weights = {name: (a[None].to(base.device), b[None].to(base.device))
                        for name, (a, b) in self.lora.weights.items()}

    def adapters(self, descriptions: list[str]) -> list[LoRAWeights]:
        return [self.weights]  # one adapter, whatever the task's description

    def write(self, out: str, calibration: dict) -> None:
        write_rescaled_adapter(self.folder, out, calibration["lora_alpha"], calibration)


def hypernet_source(folder: str, version: str | None, encoder: DescriptionEncoder | None,
                    embedding_cache: str | None, guidance: float = 1.0) -> HypernetSource:
    """The hypernetwork in `folder` (or the ensemble of comma-separated folders), with its own
    encoder unless one is given."""
    hypernet, meta = load_hypernets(folder, "--hypernet")
    ensemble = isinstance(hypernet, HypernetEnsemble)  # measured, never written
    document = {} if ensemble else read_hypernet_json(folder)
    identity = {} if ensemble else published_identity(meta, folder, version)
    if encoder is None:
        encoder = hypernet_encoder(meta, cache_dir=embedding_cache)
    return HypernetSource(folder, document, hypernet, meta, identity, encoder,
                          guidance=guidance)


def lora_source(folder: str) -> LoraSource:
    config_path = Path(folder) / ADAPTER_CONFIG
    if not config_path.is_file():
        raise ValueError(f"--lora {folder}: no {ADAPTER_CONFIG}; give a PEFT LoRA folder")
    config = json.loads(config_path.read_text())
    if not config.get("base_model_name_or_path") or not config.get("target_modules"):
        raise ValueError(f"--lora {folder}: {ADAPTER_CONFIG} names no base_model_name_or_path "
                         "or target_modules, so its base model is unknown")
    record_path = Path(folder) / SCALE_RECORD
    record = json.loads(record_path.read_text()) if record_path.is_file() else None
    return LoraSource(folder, config, record)


def published_identity(meta: dict, folder: str, version: str | None) -> dict:
    """A published bundle's adapters are named by name@version (Contract 2), and a new scale
    changes every one of them: the calibrated bundle needs a version of its own."""
    published = meta.get("version")
    if published is None:
        if version is not None:
            raise ValueError(f"--version: {folder} is not a published bundle (no name or "
                             "version); publish it with `t2l publish-weights` instead")
        return {}
    if version is None or version == published:
        raise ValueError(f"--version: {folder} is published as {meta.get('name')}@{published}, "
                         "and a new scale changes its adapters; give the calibrated bundle a new "
                         "--version")
    return {"version": version, "calibrated_from": f"{meta.get('name')}@{published}"}
