"""The plain sentences rule tasks read: taken from the prompts of training datasets only, so no
held-out or development text is ever an input."""

from __future__ import annotations

import random
import re
from pathlib import Path

from t2l.tasks import default_tasks_dir, load_split, load_task_library
from t2l.tasks.records import read_sourced_records

SOURCE_TASKS = ("xsum", "cnn_dailymail", "multi_news", "imdb", "yelp_review_full")
# A capitalised plain sentence of letters: no digits, quotes or brackets to make rules ambiguous.
PLAIN_SENTENCE = re.compile(r"[A-Z][a-z][A-Za-z ,'-]*[a-z]\.")
MIN_WORDS, MAX_WORDS = 6, 16


def plain_sentences(text: str) -> list[str]:
    candidates = (s.strip() for s in re.split(r"(?<=[.!?])\s+", text))
    return [s for s in candidates
            if PLAIN_SENTENCE.fullmatch(s) and MIN_WORDS <= len(s.split()) <= MAX_WORDS]


def sentence_pool(data_dir: Path, tasks_dir: Path | None = None) -> list[str]:
    """Distinct plain sentences of the `SOURCE_TASKS` prompts, in a fixed shuffled order (so any
    prefix mixes every source)."""
    folder = tasks_dir or default_tasks_dir()
    library = load_task_library(folder)
    training = set(load_split(folder / "split.yaml", library).train)
    if stray := sorted(set(SOURCE_TASKS) - training):
        raise ValueError(f"rule-task sentences must come from training tasks; {stray} are not")
    found: set[str] = set()
    for name in SOURCE_TASKS:
        source = library[name].source
        for _, record in read_sourced_records(data_dir, source, source.files):
            found.update(plain_sentences(str(record["prompt"])))
    pool = sorted(found)
    random.Random(0).shuffle(pool)
    return pool
