"""Rule tasks as TaskData: every rule over one shared sentence pool, split by sentence so no
validation sentence is ever trained on under any rule."""

from __future__ import annotations

import random
from pathlib import Path

from t2l.rule_tasks.rules import RULES, Rule, RuleInput, words
from t2l.rule_tasks.sentences import sentence_pool
from t2l.task_data import Example, TaskData
from t2l.tasks import resolve_data_dir

VAL_SENTENCES = 64


def _examples(rule: Rule, sentences: list[str], distractors: tuple[str, ...]) -> list[Example]:
    items = (RuleInput(s, random.Random(f"{rule.name}\n{s}"), distractors) for s in sentences)
    return [Example(*rule.apply(item)) for item in items]


def rule_tasks(
    names: list[str] | None = None,
    train_limit: int | None = None,
    val_limit: int | None = VAL_SENTENCES,
    data_dir: str | None = None,
    tasks_dir: str | None = None,
) -> list[TaskData]:
    """One task per rule (`t2l.rule_tasks.rules.RULES`, or only `names`), its family as the
    dataset (`--balance-by dataset` then gives each family one turn)."""
    known = {rule.name: rule for rule in RULES}
    if names is not None and (unknown := sorted(set(names) - set(known))):
        raise ValueError(f"--task-args rules: unknown rule names {unknown}; known: {sorted(known)}")
    if val_limit is not None and not 0 <= val_limit <= VAL_SENTENCES:
        raise ValueError(f"--task-args rule val_limit must be in 0..{VAL_SENTENCES}")
    pool = sentence_pool(resolve_data_dir(data_dir), Path(tasks_dir) if tasks_dir else None)
    val_sentences, train_sentences = pool[:VAL_SENTENCES], pool[VAL_SENTENCES:]
    distractors = tuple(sorted({w for s in pool for w in words(s) if len(w) > 2}))
    return [TaskData(rule.name, list(rule.descriptions),
                     train=_examples(rule, train_sentences[:train_limit], distractors),
                     val=_examples(rule, val_sentences[:val_limit], distractors),
                     dataset=f"rules_{rule.family}")
            for rule in (RULES if names is None else [known[n] for n in names])]
