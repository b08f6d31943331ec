"""The one place that turns a user prompt into model input, for training and evaluation alike.

With a chat template (SmolLM2-Instruct has one) the prompt becomes a single user turn followed
by the assistant header; without one it is the prompt and a newline. Train and eval must use
these same functions, or the adapters are trained on one format and scored on another.
"""

from __future__ import annotations

from transformers import PreTrainedTokenizerBase


def format_prompt(tokenizer: PreTrainedTokenizerBase, prompt: str) -> str:
    """Prompt text the model sees, ending where the completion starts."""
    if getattr(tokenizer, "chat_template", None):
        return tokenizer.apply_chat_template(
            [{"role": "user", "content": prompt}], tokenize=False, add_generation_prompt=True
        )
    return prompt + "\n"


def prompt_token_ids(tokenizer: PreTrainedTokenizerBase, prompt: str) -> list[int]:
    """Token ids of `format_prompt`: a chat template carries its own special tokens."""
    has_template = bool(getattr(tokenizer, "chat_template", None))
    text = format_prompt(tokenizer, prompt)
    return tokenizer(text, add_special_tokens=not has_template)["input_ids"]


def completion_token_ids(tokenizer: PreTrainedTokenizerBase, completion: str) -> list[int]:
    """Completion ids followed by EOS, so the model learns where to stop."""
    ids = tokenizer(completion, add_special_tokens=False)["input_ids"]
    return ids + ([tokenizer.eos_token_id] if tokenizer.eos_token_id is not None else [])
