"""How sure a held-out margin is: a paired, task-stratified bootstrap over evaluation items.

The margins of the quality bar average per-task differences over 13 tasks of 20 to 100 items
each, so a few items decide a point. Both methods are scored on the same items, so the interval
resamples item indices within each task (keeping every task's weight) and recomputes the average
difference; its 2.5th and 97.5th percentiles bound the margin. Seeded: the same scores give the
same interval on every run of `t2l results`.
"""

from __future__ import annotations

import numpy as np

RESAMPLES = 4000
SEED = 0


def margin_interval(
    scores_a: dict[str, list[float]],
    scores_b: dict[str, list[float]],
    tasks: list[str],
    scale: float = 100.0,
) -> tuple[float, float] | None:
    """95% interval of mean over `tasks` of (mean_a - mean_b), times `scale` (points, for
    fractions); None when any task lacks paired item scores (the same number of items on both
    sides, at least one)."""
    differences = []
    for task in tasks:
        a, b = scores_a.get(task), scores_b.get(task)
        if not a or not b or len(a) != len(b):
            return None
        differences.append(np.asarray(a, dtype=np.float64) - np.asarray(b, dtype=np.float64))
    if not differences:
        return None
    rng = np.random.default_rng(SEED)
    total = np.zeros(RESAMPLES)
    for diff in differences:  # (n,) per task
        picks = rng.integers(0, len(diff), size=(RESAMPLES, len(diff)))  # (R, n)
        total += diff[picks].mean(axis=1)  # (R,)
    average = total / len(differences)
    low, high = np.percentile(average, [2.5, 97.5])
    return round(scale * float(low), 4), round(scale * float(high), 4)
