"""Load the base causal LM: by hub id, from a local folder, or from a packaged GGUF.

Resolution of `name_or_path`:
1. a `.gguf` file, or a folder holding exactly one `.gguf` and no `config.json`: loaded with
   `gguf_file=` (transformers dequantizes the weights to float);
2. a folder with `config.json`: a regular transformers checkpoint;
3. a hub id: fetched from the hub when it is reachable; offline (`HF_HUB_OFFLINE=1` or no
   connection) a hub id with a packaged copy (see `t2l.packaged_models`) loads that copy.

Dequantizing the GGUF takes tens of seconds on a small CPU, so the float checkpoint is cached
(`save_pretrained`) under `T2L_CACHE_DIR` (default `~/.cache/t2l`) unless `cache=False`.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import save_file
from transformers import AutoModelForCausalLM, AutoTokenizer, PreTrainedModel

from t2l.packaged_models import PACKAGED_MODELS, SMOLLM2_135M_INSTRUCT, hub_reachable, packaged_path

log = logging.getLogger(__name__)

DEFAULT_BASE_MODEL = SMOLLM2_135M_INSTRUCT.hub_id


@dataclass(frozen=True)
class BaseModelSource:
    """Where the weights come from; `hub_id` is what adapters name as their base model."""

    kind: str  # "hub" | "local" | "gguf"
    location: str  # hub id, folder, or folder holding the GGUF
    hub_id: str
    gguf_file: str | None = None


def resolve_base_model(name_or_path: str) -> BaseModelSource:
    """Decide where `name_or_path` loads from, without loading anything."""
    if not name_or_path or not name_or_path.strip():
        raise ValueError("--base-model is empty; pass a hub id, a model folder or a .gguf file")
    path = Path(name_or_path)
    if path.is_file():
        if path.suffix != ".gguf":
            raise ValueError(
                f"--base-model {name_or_path} is a file but not a .gguf; pass a .gguf file, "
                "a model folder or a hub id"
            )
        return BaseModelSource("gguf", str(path.parent), _hub_id_for(path), path.name)
    if path.is_dir():
        if (path / "config.json").is_file():
            return BaseModelSource("local", str(path), _hub_id_for(path))
        ggufs = sorted(path.glob("*.gguf"))
        if len(ggufs) == 1:
            return BaseModelSource("gguf", str(path), _hub_id_for(ggufs[0]), ggufs[0].name)
        raise ValueError(
            f"--base-model {name_or_path} is a folder with neither config.json nor exactly one "
            f".gguf (found {len(ggufs)}); point at a transformers checkpoint or a .gguf file"
        )
    packaged = PACKAGED_MODELS.get(name_or_path)
    if packaged is not None and not hub_reachable():
        gguf = packaged_path(packaged)
        return BaseModelSource("gguf", str(gguf.parent), packaged.hub_id, gguf.name)
    if "/" not in name_or_path:
        raise ValueError(
            f"--base-model {name_or_path} is neither an existing path nor a hub id (owner/name)"
        )
    return BaseModelSource("hub", name_or_path, name_or_path)


def _hub_id_for(path: Path) -> str:
    """The hub id of a known packaged file, else the path itself."""
    for model in PACKAGED_MODELS.values():
        if path.name == Path(model.subpath).name:
            return model.hub_id
    return str(path)


def load_base_model(
    name_or_path: str = DEFAULT_BASE_MODEL,
    *,
    dtype: torch.dtype = torch.float32,
    cache: bool = True,
    cache_dir: str | os.PathLike[str] | None = None,
) -> tuple[PreTrainedModel, Any]:
    """Return `(model, tokenizer)` in eval mode; the model's config records the source."""
    source = resolve_base_model(name_or_path)
    if source.kind == "gguf":
        model, tokenizer = _load_gguf(source, dtype, _cache_root(cache_dir) if cache else None)
    else:
        tokenizer = AutoTokenizer.from_pretrained(source.location)
        model = AutoModelForCausalLM.from_pretrained(source.location, dtype=dtype)
    require_same_eos(model, tokenizer, source.location)
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    # Adapters name their base by hub id (Contract 2), whatever file it was loaded from.
    model.config.t2l_base_model = {"hub_id": source.hub_id, "kind": source.kind,
                                   "location": source.location, "gguf_file": source.gguf_file}
    model.eval()
    return model, tokenizer


def require_same_eos(model: PreTrainedModel, tokenizer: Any, location: str) -> None:
    """Refuse a tokenizer whose end-of-sequence token the model's config does not name.

    Completions are trained to end with the tokenizer's EOS (`t2l.prompting`) and generation
    stops at the config's, so the two must agree. transformers 5.17 reads SmolLM2's GGUF
    tokenizer with `<|im_start|>` as EOS where the config says `<|im_end|>`: every loss then
    differs, and adapters trained with it learn to end replies with the wrong token.
    """
    expected = model.config.eos_token_id
    expected = set(expected) if isinstance(expected, list) else {expected}
    if None in expected or tokenizer.eos_token_id is None or tokenizer.eos_token_id in expected:
        return  # nothing to disagree with: no EOS is appended or stopped at on that side
    import transformers

    raise ValueError(
        f"{location}: the tokenizer's end-of-sequence token is {tokenizer.eos_token!r} "
        f"(id {tokenizer.eos_token_id}) but the model's config names id(s) {sorted(expected)}; "
        f"transformers {transformers.__version__} misreads this model's tokenizer (5.17 does "
        "with SmolLM2's GGUF). Install the versions in trainer/constraints.txt "
        "(scripts/setup-python.sh) and delete the cached copy under $T2L_CACHE_DIR/base_models "
        "(default ~/.cache/t2l) if one was written")


def _cache_root(cache_dir: str | os.PathLike[str] | None) -> Path:
    if cache_dir is not None:
        return Path(cache_dir)
    return Path(os.environ.get("T2L_CACHE_DIR") or Path.home() / ".cache" / "t2l")


def _load_gguf(
    source: BaseModelSource, dtype: torch.dtype, cache_root: Path | None
) -> tuple[PreTrainedModel, Any]:
    assert source.gguf_file is not None
    gguf_path = Path(source.location) / source.gguf_file
    stat = gguf_path.stat()
    cached = None
    if cache_root is not None:
        # Keyed by name and size so a different release of the file never hits a stale copy.
        cached = cache_root / "base_models" / f"{gguf_path.stem}-{stat.st_size}"
        if (cached / "config.json").is_file():
            tokenizer = AutoTokenizer.from_pretrained(cached)
            return AutoModelForCausalLM.from_pretrained(cached, dtype=dtype), tokenizer
    log.info("dequantizing %s (GGUF -> float); this takes a while on CPU", gguf_path)
    tokenizer = AutoTokenizer.from_pretrained(source.location, gguf_file=source.gguf_file)
    model = AutoModelForCausalLM.from_pretrained(
        source.location, gguf_file=source.gguf_file, dtype=dtype
    )
    if cached is not None:
        _save_atomically(model, tokenizer, cached)
    return model, tokenizer


def _save_atomically(model: PreTrainedModel, tokenizer: Any, target: Path) -> None:
    """Write the dequantized float checkpoint to a temp folder and rename it into place.

    `save_pretrained` refuses GGUF-loaded models (it cannot re-quantize), but the weights are
    plain float tensors by now: they are written directly, with the config minus its
    quantization entry, so the folder loads as an ordinary float checkpoint.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=target.name + ".tmp-", dir=target.parent))
    try:
        config = model.config.to_dict()
        config.pop("quantization_config", None)
        type(model.config).from_dict(config).save_pretrained(tmp)
        model.generation_config.save_pretrained(tmp)
        tied = bool(getattr(model.config, "tie_word_embeddings", False))
        state = {
            name: tensor.detach().contiguous()
            for name, tensor in model.state_dict().items()
            if not (tied and name == "lm_head.weight")  # re-tied to the embedding on load
        }
        save_file(state, str(tmp / "model.safetensors"), metadata={"format": "pt"})
        tokenizer.save_pretrained(tmp)
        os.replace(tmp, target)
    except OSError:
        # Another process may have won the race; its copy is as good as ours.
        shutil.rmtree(tmp, ignore_errors=True)
        if not (target / "config.json").is_file():
            raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
