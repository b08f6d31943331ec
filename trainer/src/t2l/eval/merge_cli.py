"""`t2l merge-evals`: one evaluation document from several runs' (`t2l.eval.merge`)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from t2l.recipe_cli import add_recipe_command


@dataclass(frozen=True)
class MergeConfig:
    inputs: tuple[str, ...] = field(
        default=(), metadata={"help": "comma-separated `t2l eval` documents; where two scored a "
                                      "task on as many items under the same recorded spec their "
                                      "methods pool, else the later one's scores are kept"})
    output: str = ""
    label: str = field(default="", metadata={"help": "what the merged run is, for the report"})

    def __post_init__(self) -> None:
        if len(self.inputs) < 2:
            raise ValueError("--inputs: give at least two evaluation documents to merge")
        if len(set(self.inputs)) != len(self.inputs):
            raise ValueError("--inputs: a document is listed twice")
        for path in self.inputs:
            if not Path(path).is_file():
                raise ValueError(f"--inputs {path}: no such file")
        if not self.output:
            raise ValueError("--output is required, e.g. docs/results/eval_heldout_every_item.json")
        if self.output in self.inputs:
            raise ValueError(f"--output {self.output} is one of --inputs; write elsewhere")
        if not self.label.strip():
            raise ValueError("--label is required: say what the merged evaluation scored")


def run_merge(config: MergeConfig) -> dict:
    from t2l.atomic_file import write_json_atomically
    from t2l.eval.merge import merge_evaluations

    documents = {}
    for path in config.inputs:
        try:
            documents[path] = json.loads(Path(path).read_text(encoding="utf-8"))
        except json.JSONDecodeError as err:
            raise ValueError(f"--inputs {path}: not valid JSON ({err})") from err
    merged = merge_evaluations(documents, config.label, config.output)
    write_json_atomically(Path(config.output), merged)
    return merged


def _run(config: MergeConfig) -> dict:
    merged = run_merge(config)
    for source in merged["run"]["merged_from"]:
        print(f"{source['document']}: {', '.join(source['tasks']) or '(nothing kept)'}")
    for method, row in merged["methods"].items():
        print(f"{method:26s} {100 * row['avg']:.1f} over {row['tasks_scored']} tasks")
    print(f"wrote {config.output}")
    return merged


def register(subparsers: Any) -> None:
    add_recipe_command(subparsers, "merge-evals", MergeConfig, _run,
                       "one evaluation from several runs, each task from the runs that scored "
                       "it on most items")
