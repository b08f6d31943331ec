"""Score one task's eval items with one model: greedy generation or option log-likelihood."""

from __future__ import annotations

import inspect
from dataclasses import dataclass

import torch
from torch import nn
from transformers import DynamicCache, PreTrainedTokenizerBase

from t2l.eval.code_sandbox import pass_at_1
from t2l.eval.metrics import exact_match, rouge_l
from t2l.prompting import prompt_token_ids
from t2l.tasks import EvalExample, TaskSpec


@dataclass(frozen=True)
class ScoringSettings:
    batch_size: int = 8
    max_new_tokens: int | None = None  # None: the task spec's own budget
    code_timeout_s: float = 10.0


@dataclass(frozen=True)
class ItemScore:
    index: int
    score: float
    prediction: str  # generated text, or the chosen option
    choice: int | None = None  # the chosen option's position, for multiple choice


def with_description(prompt: str, description: str | None) -> str:
    """The description-in-prompt baseline: the task description precedes the input."""
    return prompt if description is None else f"{description}\n\n{prompt}"


def _pad_left(rows: list[list[int]], pad_id: int) -> tuple[torch.Tensor, torch.Tensor]:
    width = max(len(r) for r in rows)
    ids = torch.tensor([[pad_id] * (width - len(r)) + r for r in rows])  # (B, T)
    mask = torch.tensor([[0] * (width - len(r)) + [1] * len(r) for r in rows])  # (B, T)
    return ids, mask


@torch.no_grad()
def generate(
    model: nn.Module, tokenizer: PreTrainedTokenizerBase, prompts: list[str],
    max_new_tokens: int, batch_size: int,
) -> list[str]:
    """Greedy completions, batched by similar length (left padding), in input order."""
    encoded = [prompt_token_ids(tokenizer, p) for p in prompts]
    order = sorted(range(len(prompts)), key=lambda i: len(encoded[i]))
    outputs: dict[int, str] = {}
    for start in range(0, len(order), batch_size):
        chunk = order[start : start + batch_size]
        ids, mask = _pad_left([encoded[i] for i in chunk], tokenizer.pad_token_id)
        ids, mask = ids.to(model.device), mask.to(model.device)
        generated = model.generate(
            input_ids=ids, attention_mask=mask, max_new_tokens=max_new_tokens, do_sample=False,
            pad_token_id=tokenizer.pad_token_id, eos_token_id=tokenizer.eos_token_id,
        )  # (B, T + new)
        for row, i in enumerate(chunk):
            outputs[i] = tokenizer.decode(generated[row, ids.shape[1]:], skip_special_tokens=True)
    return [outputs[i] for i in range(len(prompts))]


def _cache_kwarg_name(model: nn.Module) -> str:
    """Newer transformers (5.24 here) call a forward's `past_key_values` `cache` and drop the old
    name in 5.40, while the trainer's range reaches back to versions that know only the old one."""
    base = model.get_base_model() if hasattr(model, "get_base_model") else model
    return "cache" if "cache" in inspect.signature(type(base).forward).parameters \
        else "past_key_values"


@torch.no_grad()
def option_logprobs(
    model: nn.Module, tokenizer: PreTrainedTokenizerBase, prompt: str, options: tuple[str, ...],
) -> list[float]:
    """Sum of token log-probabilities of each option as the assistant's answer to `prompt`.

    The shared context runs once and its key/value cache serves every option: BBH contexts run
    to hundreds of tokens and options to a few, so scoring O options costs about one context
    forward instead of O, and the vocabulary projection runs only where an option token is
    predicted."""
    context = prompt_token_ids(tokenizer, prompt)
    rows = [tokenizer(o, add_special_tokens=False)["input_ids"] for o in options]
    width = max(len(r) for r in rows)
    if width == 0:
        return [0.0] * len(rows)
    device = model.device
    cache = DynamicCache()
    cache_kwarg = {_cache_kwarg_name(model): cache}
    first = model(input_ids=torch.tensor([context], device=device), use_cache=True,
                  logits_to_keep=1, **cache_kwarg).logits[:, -1].float()  # (1, V)
    first_lp = torch.log_softmax(first, dim=-1)[0]  # (V,): predicts each option's first token
    pad = tokenizer.pad_token_id
    ids = torch.tensor([r + [pad] * (width - len(r)) for r in rows], device=device)  # (O, W)
    # Right padding: a pad sits after every real token of its row, so it changes none of them.
    mask = torch.tensor([[1] * (len(context) + len(r)) + [0] * (width - len(r)) for r in rows],
                        device=device)  # (O, C + W)
    cache.batch_repeat_interleave(len(rows))
    logits = model(input_ids=ids, attention_mask=mask, use_cache=True,
                   **cache_kwarg).logits.float()  # (O, W, V)
    rest_lp = torch.log_softmax(logits[:, :-1], dim=-1)  # (O, W-1, V): predicts token t+1
    scores = []
    for o, row in enumerate(rows):
        if not row:
            scores.append(0.0)
            continue
        tail = rest_lp[o, torch.arange(len(row) - 1), ids[o, 1 : len(row)]]  # (len-1,)
        scores.append(float(first_lp[row[0]] + tail.sum()))
    return scores


def score_items(
    model: nn.Module, tokenizer: PreTrainedTokenizerBase, spec: TaskSpec,
    items: list[EvalExample], settings: ScoringSettings, description: str | None = None,
) -> list[ItemScore]:
    prompts = [with_description(item.prompt, description) for item in items]
    if spec.metric == "mc_loglik":
        results = []
        for item, prompt in zip(items, prompts, strict=True):
            scores = option_logprobs(model, tokenizer, prompt, item.options)
            choice = max(range(len(scores)), key=scores.__getitem__)
            results.append(ItemScore(item.index, float(choice == item.label), item.options[choice],
                                     choice))
        return results
    budget = settings.max_new_tokens or spec.max_new_tokens
    predictions = generate(model, tokenizer, prompts, budget, settings.batch_size)
    results = []
    for item, prediction in zip(items, predictions, strict=True):
        if spec.metric == "exact_match":
            score = exact_match(prediction, item.reference, spec.answer_type, spec.number_from)
        elif spec.metric == "rouge_l":
            score = rouge_l(prediction, item.reference)
        else:
            assert spec.code_harness is not None
            score = pass_at_1(spec.code_harness, prediction, item.record, settings.code_timeout_s)
        results.append(ItemScore(item.index, score, prediction))
    return results
