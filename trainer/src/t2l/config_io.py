"""Typed recipe configs: a dataclass, filled from a YAML/JSON file and then command-line flags.

Every field `some_name` becomes the flag `--some-name`; errors name that flag. The resolved
config (file + flags + defaults) is what runs and what is saved beside every checkpoint.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import types
import typing
from pathlib import Path
from typing import Any, TypeVar

import yaml

from t2l.run_dir import RUN_SCHEMA, RunDir

C = TypeVar("C")


def flag(name: str) -> str:
    return "--" + name.replace("_", "-")


def flag_args(**values: str | None) -> list[str]:
    """The command line that sets each field to its value (as its flag; None: left unset)."""
    return [part for name, value in values.items() if value is not None
            for part in (flag(name), value)]


def _field_types(cls: type) -> dict[str, Any]:
    hints = typing.get_type_hints(cls)
    return {f.name: hints[f.name] for f in dataclasses.fields(cls)}


def _coerce(name: str, kind: Any, value: Any) -> Any:
    """Convert a file or flag value to the field's declared type, or say which flag is wrong."""
    args = typing.get_args(kind)
    if typing.get_origin(kind) in (typing.Union, types.UnionType):
        is_none = value is None or (isinstance(value, str) and value.lower() in ("none", "null"))
        if is_none and type(None) in args:
            return None
        return _coerce(name, next(a for a in args if a is not type(None)), value)
    try:
        if kind is bool:
            if isinstance(value, str):
                if value.lower() not in ("true", "false", "1", "0", "yes", "no"):
                    raise ValueError(value)
                return value.lower() in ("true", "1", "yes")
            return bool(value)
        if kind in (int, float, str):
            if kind is int and isinstance(value, float) and not value.is_integer():
                raise ValueError(value)
            return kind(value)
        if typing.get_origin(kind) is tuple:
            items = value.split(",") if isinstance(value, str) else list(value)
            return tuple(
                _coerce(name, args[0], item.strip() if isinstance(item, str) else item)
                for item in items
                if item != ""
            )
        if kind is dict or typing.get_origin(kind) is dict:
            parsed = json.loads(value) if isinstance(value, str) else value
            if not isinstance(parsed, dict):
                raise ValueError(value)
            return dict(parsed)
    except (TypeError, ValueError, json.JSONDecodeError):
        raise ValueError(f"{flag(name)}: cannot read {value!r} as {kind}") from None
    raise TypeError(f"config field {name} has an unsupported type {kind}")


def add_config_flags(parser: argparse.ArgumentParser, cls: type) -> None:
    """`--config FILE` plus one optional flag per field (default: leave the file's value)."""
    parser.add_argument("--config", help="YAML or JSON file with config values; flags override it")
    for f in dataclasses.fields(cls):
        help_text = f.metadata.get("help", "")
        default = f.default if f.default is not dataclasses.MISSING else None
        if f.default_factory is not dataclasses.MISSING:
            default = f.default_factory()
        parser.add_argument(
            flag(f.name),
            dest=f"cfg_{f.name}",
            default=None,
            help=f"{help_text} (default: {default!r})",
        )


def read_config_file(path: str | Path) -> dict:
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"--config {path} does not exist")
    text = path.read_text()
    data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    if not isinstance(data, dict):
        raise ValueError(f"--config {path} must hold a mapping of config keys")
    if data.get("schema") == RUN_SCHEMA:  # a run folder's config.json: resume as it was run
        return dict(data["config"])
    return data


def build_config(cls: type[C], values: dict) -> C:
    """Dataclass from a mapping; unknown keys and bad types name their flag."""
    types_by_name = _field_types(cls)
    if unknown := sorted(set(values) - set(types_by_name)):
        raise ValueError(
            f"unknown config key(s) {[flag(k) for k in unknown]}; "
            f"known: {[flag(k) for k in types_by_name]}"
        )
    coerced = {k: _coerce(k, types_by_name[k], v) for k, v in values.items()}
    return cls(**coerced)


def config_from_args(cls: type[C], args: argparse.Namespace) -> C:
    values = read_config_file(args.config) if getattr(args, "config", None) else {}
    for name in _field_types(cls):
        value = getattr(args, f"cfg_{name}", None)
        if value is not None:
            values[name] = value
    return build_config(cls, values)


def _json_ready(fields: dict) -> dict:
    """Tuples as lists, as a config round-trips through JSON."""
    return {k: list(v) if isinstance(v, tuple) else v for k, v in fields.items()}


def config_to_dict(config: Any) -> dict:
    return _json_ready(dataclasses.asdict(config))


def config_defaults(cls: type) -> dict:
    """Each field's default as `config_to_dict` would write it (fields without one: absent)."""
    defaults = {}
    for f in dataclasses.fields(cls):
        if f.default is not dataclasses.MISSING:
            defaults[f.name] = f.default
        elif f.default_factory is not dataclasses.MISSING:
            defaults[f.name] = f.default_factory()
    return _json_ready(defaults)


def run_dir_for(config: Any, recipe: str) -> RunDir:
    """The run folder of a recipe config (`config.out_dir`), resumable across added fields."""
    return RunDir(config.out_dir, recipe, config_to_dict(config), config_defaults(type(config)))
