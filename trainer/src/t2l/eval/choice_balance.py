"""What a multiple-choice score is made of: skill, or one answer given to every item.

A small model scored by option log-likelihood often gives nearly every item the same answer
('(B)', 'No'), and its accuracy is then the share of items whose gold answer happens to be that
one. An adapter that moves the favourite answer moves the accuracy without telling the items
apart. Two numbers show it: balanced accuracy (the mean, over the gold answers that occur, of
the share of their items answered correctly: any constant answer gets 1 / that count), and the
share of items given the most frequent answer.
"""

from __future__ import annotations

import statistics
from collections import Counter


def balanced_accuracy(choices: list[int], labels: list[int]) -> float:
    """Mean per-gold-answer recall; answers are option positions (0 for the first option)."""
    if len(choices) != len(labels):
        raise ValueError(f"{len(choices)} choices for {len(labels)} labels")
    if not labels:
        return 0.0
    right: Counter[int] = Counter(label for choice, label in zip(choices, labels, strict=True)
                                  if choice == label)
    return statistics.fmean(right[label] / count for label, count in Counter(labels).items())


def modal_choice_share(choices: list[int]) -> float:
    """Share of items given the most frequent answer (1.0: one answer for every item)."""
    return Counter(choices).most_common(1)[0][1] / len(choices) if choices else 0.0


def choice_summary(rows: list[list[int] | None], labels: list[int]) -> dict | None:
    """Both numbers averaged over a method's conditions (one choice row each); None when a
    condition was scored before choices were recorded."""
    if not rows or any(r is None or len(r) != len(labels) for r in rows):
        return None
    return {"balanced_accuracy": round(statistics.fmean(balanced_accuracy(r, labels)
                                                        for r in rows if r is not None), 6),
            "modal_choice_share": round(statistics.fmean(modal_choice_share(r)
                                                         for r in rows if r is not None), 6)}
