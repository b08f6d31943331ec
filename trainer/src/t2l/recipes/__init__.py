"""Training and generation recipes: explicit loops that read top to bottom."""
