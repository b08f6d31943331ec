"""How sure a held-out margin is: a paired, task-stratified bootstrap over evaluation items.

The margins of the quality bar average per-task differences over 13 tasks of 20 to 100 items
each, so a few items decide a point. Both methods are scored on the same items, so the interval
resamples item indices within each task (keeping every task's weight) and recomputes the average
difference; its 2.5th and 97.5th percentiles bound the margin. Seeded: the same scores give the
same interval on every run of `t2l results`.

A margin averaged over training seeds (each seed's methods retrained, all scored on the same
items) varies with both, so its interval resamples the two crossed: one draw of items per task,
shared by every seed since the items are shared, and one draw of seeds. With a handful of seeds
the seed draw understates their spread (a bootstrap over n values scales the variance by
(n - 1) / n), so such an interval is a floor, not a guarantee.
"""

from __future__ import annotations

import numpy as np

RESAMPLES = 4000
SEED = 0
# One seed's scores: (method's item scores, reference's item scores), each task -> items.
PairedScores = tuple[dict[str, list[float]], dict[str, list[float]]]


def margin_interval(
    scores_a: dict[str, list[float]],
    scores_b: dict[str, list[float]],
    tasks: list[str],
    scale: float = 100.0,
) -> tuple[float, float] | None:
    """95% interval of mean over `tasks` of (mean_a - mean_b), times `scale` (points, for
    fractions); None when any task lacks paired item scores (the same number of items on both
    sides, at least one)."""
    return seed_margin_interval([(scores_a, scores_b)], tasks, scale)


def seed_margin_interval(
    seeds: list[PairedScores],
    tasks: list[str],
    scale: float = 100.0,
) -> tuple[float, float] | None:
    """95% interval of the mean over `seeds` of margin_interval's margin, resampling items and
    seeds crossed (the module's docstring); None when any task lacks paired item scores in any
    seed, or the seeds scored a task on different numbers of items. One seed: margin_interval."""
    differences = []
    for task in tasks:
        per_seed = [(a.get(task), b.get(task)) for a, b in seeds]
        lengths = {len(side or ()) for pair in per_seed for side in pair}
        if len(lengths) != 1 or 0 in lengths:
            return None
        differences.append(np.asarray([np.subtract(a, b, dtype=np.float64)
                                       for a, b in per_seed]))  # (S, n)
    if not differences:
        return None
    rng = np.random.default_rng(SEED)
    total = np.zeros((len(seeds), RESAMPLES))
    for diff in differences:  # (S, n) per task
        picks = rng.integers(0, diff.shape[1], size=(RESAMPLES, diff.shape[1]))  # (R, n)
        total += diff[:, picks].mean(axis=2)  # (S, R)
    seed_picks = rng.integers(0, len(seeds), size=(RESAMPLES, len(seeds)))  # (R, S)
    replicate = np.arange(RESAMPLES)[:, None]  # (R, 1)
    average = total[seed_picks, replicate].mean(axis=1) / len(differences)  # (R,)
    low, high = np.percentile(average, [2.5, 97.5])
    return round(scale * float(low), 4), round(scale * float(high), 4)
