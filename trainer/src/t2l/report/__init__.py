"""docs/RESULTS.md and its plots, generated from the JSON files in docs/results/."""
