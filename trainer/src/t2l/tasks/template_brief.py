"""Descriptions of one prompt template, derived from its records.

A T0 dataset pools templates that ask for different things (answer the question, write a
question, give a title, rate 1-5). Trained as one task, all of them share the dataset's
descriptions, so the description cannot tell the hypernetwork which output is wanted. Each
template, trained as a task of its own, gets descriptions that say what that template asks:
its instruction (the sentences every prompt of the template repeats) and the form of its
answers (a label set, a number, a phrase, a sentence or a longer text).
"""

from __future__ import annotations

import re
import statistics
from collections import Counter

_SEGMENT = re.compile(r"(?<=[.?!:])\s+|\n+")
MIN_SHARE = 0.8  # a sentence in at least this share of a template's prompts is its instruction
MIN_WORDS = 3  # shorter repeats are field labels ("Answer:", "Title:"), not instructions
MAX_BRIEF_CHARS = 300
MAX_LABELS = 8  # more distinct short answers than this is a phrase, not a label set
MAX_LABEL_WORDS = 4


def _sentences(text: str) -> list[str]:
    parts = (" ".join(part.split()) for part in _SEGMENT.split(text))
    return list(dict.fromkeys(p for p in parts if len(p.split()) >= MIN_WORDS))


def template_instruction(prompts: list[str]) -> str:
    """The sentences at least `MIN_SHARE` of the prompts contain, in order of appearance; ""
    when the template repeats none (its instruction is woven into the record's own text)."""
    if not prompts:
        return ""
    per_prompt = [_sentences(prompt) for prompt in prompts]
    counts = Counter(s for sentences in per_prompt for s in sentences)
    shared = {s for s, n in counts.items() if n >= MIN_SHARE * len(prompts)}
    brief = " ".join(dict.fromkeys(s for sentences in per_prompt for s in sentences if s in shared))
    if len(brief) > MAX_BRIEF_CHARS:
        brief = brief[:MAX_BRIEF_CHARS].rsplit(" ", 1)[0] + " …"
    return brief


def _is_number(text: str) -> bool:
    return re.fullmatch(r"-?\d+(?:[.,]\d+)?", text) is not None


def answer_form(completions: list[str]) -> str:
    """One sentence on what the answers look like, from the completions themselves."""
    answers = [" ".join(c.split()) for c in completions if c.strip()]
    if not answers:
        raise ValueError("answer_form needs at least one non-empty completion")
    labels = sorted(set(answers))
    if 2 <= len(labels) <= MAX_LABELS and all(len(a.split()) <= MAX_LABEL_WORDS for a in labels):
        return "Answer with one of: " + ", ".join(labels) + "."
    if all(_is_number(a) for a in answers):
        return "Answer with a number."
    words = statistics.median(len(a.split()) for a in answers)
    if words <= 4:
        return "Answer with a short phrase."
    if words <= 30:
        return "Answer with one sentence."
    if words <= 120:
        return "Answer with a paragraph."
    return "Answer with a long text of several paragraphs."


def template_descriptions(
    dataset_descriptions: list[str], prompts: list[str], completions: list[str], count: int
) -> list[str]:
    """The template's own instruction and answer form, alone and after each of the first
    `count` dataset descriptions (what the data is about, in the dataset's words)."""
    if count < 1:
        raise ValueError(f"template descriptions: count must be >= 1, got {count}")
    specific = " ".join(filter(None, (template_instruction(prompts), answer_form(completions))))
    described = [f"{d} {specific}" for d in dataset_descriptions[:count]]
    return list(dict.fromkeys([specific, *described]))
