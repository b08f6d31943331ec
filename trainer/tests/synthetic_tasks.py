"""Tiny synthetic tasks (string transformations) and run settings for recipe tests."""

from t2l.task_data import Example, TaskData

WORDS = ["cat", "dog", "sun", "tree", "blue", "fish"]
RULES = {
    "reverse": (
        ["Reverse the letters of the word.", "Write the word backwards."],
        lambda w: w[::-1],
    ),
    "upper": (["Write the word in capitals.", "Uppercase the word."], str.upper),
    "double": (["Repeat the word twice.", "Say the word two times."], lambda w: w + w),
    "first": (["Give the first letter only.", "Output the initial letter."], lambda w: w[0]),
}


def make_tasks(names, examples=6, descriptions=2) -> list[TaskData]:
    tasks = []
    for name in names:
        texts, rule = RULES[name]
        pairs = [Example(f"word: {w}", rule(w)) for w in WORDS]
        tasks.append(TaskData(name, texts[:descriptions], pairs[:examples], pairs[-2:]))
    return tasks


# Small, fast runs: 3 steps, checkpoints at 2 and 3, validation at the end, offline.
RECIPE_SETTINGS = {
    "max_steps": 3,
    "batch_size": 2,
    "warmup_steps": 0,
    "eval_every": 3,
    "save_every": 2,
    "rank": 4,
    "device": "cpu",
}
