"""`t2l embed-table -o PATH`: the task library's descriptions, embedded once, as a table.

Covers everything the recipes and `t2l eval` embed for the library: every description of
every task, plus the random-string controls `t2l eval` draws (same seed, same count), plus any
extra texts from `--texts` (one per line). Train or evaluate from it elsewhere with
`--embedding-table PATH`.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from t2l.embedding_table import EmbeddingTable
from t2l.encoder import DEFAULT_ENCODER, TaskEncoder


def library_texts(
    tasks_dir: Path, data_dir: str | None, seed: int, descriptions_per_task: int
) -> list[str]:
    """All descriptions of the library's tasks and the eval's random controls, in order."""
    from t2l.eval.methods import held_out_descriptions, plan_conditions
    from t2l.tasks import load_task_library, resolve_data_dir, task_descriptions

    library = load_task_library(tasks_dir)
    pack = resolve_data_dir(data_dir)
    texts: list[str] = []
    for name, spec in library.items():
        own = task_descriptions(spec, pack)
        texts.extend(own)
        chosen = {name: held_out_descriptions(own, descriptions_per_task, seed, name)}
        for condition in plan_conditions("t2l_random_descriptions", name, [name], chosen, seed):
            assert condition.t2l_description is not None
            texts.append(condition.t2l_description)
    return texts


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "embed-table",
        help="embed the task library's descriptions into a table for --embedding-table",
        description=__doc__,
    )
    parser.add_argument("-o", "--output", type=Path, required=True, help="table file to write")
    parser.add_argument("--encoder", default=DEFAULT_ENCODER, help="hub id or local folder")
    parser.add_argument("--tasks-dir", type=Path, help="task library (default: trainer/tasks)")
    parser.add_argument("--data-dir", help="data pack (default: $T2L_DATA_DIR or ../shared/data)")
    parser.add_argument("--seed", type=int, default=0, help="t2l eval's --seed")
    parser.add_argument("--descriptions-per-task", type=int, default=3,
                        help="t2l eval's --descriptions-per-task")
    parser.add_argument("--texts", type=Path, help="extra texts, one per line")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from t2l.tasks import default_tasks_dir

    if args.descriptions_per_task < 1:
        raise ValueError("--descriptions-per-task must be >= 1")
    if args.texts is not None and not args.texts.is_file():
        raise ValueError(f"--texts {args.texts} is not a file")
    texts = library_texts(args.tasks_dir or default_tasks_dir(), args.data_dir, args.seed,
                          args.descriptions_per_task)
    if args.texts is not None:
        texts += [line for line in args.texts.read_text(encoding="utf-8").splitlines() if line]
    encoder = TaskEncoder.from_pretrained(args.encoder)
    table = EmbeddingTable.from_encoder(encoder, texts)
    table.save(args.output)
    print(f"wrote {args.output}: {len(table)} descriptions x {table.dim} dims ({encoder.name})")
    return 0
