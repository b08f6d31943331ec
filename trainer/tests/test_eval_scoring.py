"""Scoring primitives on a tiny model: batching never changes an answer, option scores are
the model's own log-probabilities, and adapters switch exactly as PEFT loads them."""

from __future__ import annotations

import copy

import pytest
import torch
from peft import PeftModel
from random_loras import random_lora

from t2l.eval.adapters import AdapterHost
from t2l.eval.scoring import generate, option_logprobs, with_description
from t2l.peft_io import save_peft_adapter
from t2l.prompting import prompt_token_ids
from t2l.targets import discover_targets

PROMPTS = ["Is 2 even?", "Name a colour, please, in one word.", "Hi"]


def test_batched_generation_equals_one_by_one(llama, tokenizer):
    together = generate(llama, tokenizer, PROMPTS, max_new_tokens=6, batch_size=3)
    alone = [generate(llama, tokenizer, [p], max_new_tokens=6, batch_size=1)[0] for p in PROMPTS]
    assert together == alone
    assert generate(llama, tokenizer, PROMPTS, 6, 3) == together  # greedy: deterministic


def _direct_option_logprob(model, tokenizer, prompt: str, option: str) -> float:
    """One full forward over prompt + option, no cache: the definition the scorer must meet."""
    context = prompt_token_ids(tokenizer, prompt)
    ids = context + tokenizer(option, add_special_tokens=False)["input_ids"]
    with torch.no_grad():
        logprobs = torch.log_softmax(model(torch.tensor([ids])).logits[0], -1)  # (T, V)
    return sum(float(logprobs[t - 1, ids[t]]) for t in range(len(context), len(ids)))


@pytest.mark.parametrize("options", [
    ("Yes", "No way"),  # options of different token lengths share one padded batch
    ("A", "B", "C", "D", "E", "F"),  # one token each: only the context's last logits count
    ("Name a colour, please", "Hi"),
])
def test_option_logprobs_match_a_direct_computation(llama, tokenizer, options):
    scores = option_logprobs(llama, tokenizer, "Is 2 even?", options)
    for option, score in zip(options, scores, strict=True):
        expected = _direct_option_logprob(llama, tokenizer, "Is 2 even?", option)
        assert score == pytest.approx(expected, abs=1e-4)


def test_option_logprobs_through_an_adapter_match_a_direct_computation(llama, tokenizer,
                                                                      tmp_path):
    targets = discover_targets(llama, "q_proj,v_proj")
    host = AdapterHost(llama)
    host.load("slot", save_peft_adapter(tmp_path / "lora", random_lora(targets, 3)))
    options = ("Yes", "No way", "Hi")
    with host.active("slot") as model:
        scores = option_logprobs(model, tokenizer, "Is 2 even?", options)
        expected = [_direct_option_logprob(model, tokenizer, "Is 2 even?", o) for o in options]
    with host.active(None) as model:
        plain = option_logprobs(model, tokenizer, "Is 2 even?", options)
    assert scores == pytest.approx(expected, abs=1e-4)
    assert scores != pytest.approx(plain, abs=1e-3)  # the adapter was in the cached forward


def test_description_goes_before_the_prompt():
    assert with_description("Q?", None) == "Q?"
    assert with_description("Q?", "Answer math questions.") == "Answer math questions.\n\nQ?"


def test_adapter_host_switches_like_fresh_peft_loads(llama, tmp_path):
    pristine = copy.deepcopy(llama)
    targets = discover_targets(llama, "q_proj,v_proj")
    first = save_peft_adapter(tmp_path / "first", random_lora(targets, 1))
    second = save_peft_adapter(tmp_path / "second", random_lora(targets, 2))
    ids = torch.tensor([[5, 6, 7, 8]])

    def logits(model):
        with torch.no_grad():
            return model(ids).logits

    host = AdapterHost(llama)
    host.load("slot", first)
    with host.active("slot") as model:
        with_first = logits(model)
    host.load("slot", second)  # same slot, new weights
    with host.active("slot") as model:
        with_second = logits(model)
    with host.active(None) as model:
        assert torch.allclose(logits(model), logits(pristine), atol=1e-6)

    expected = logits(PeftModel.from_pretrained(copy.deepcopy(pristine), second))
    assert torch.allclose(with_second, expected, atol=1e-5)
    assert not torch.allclose(with_first, with_second, atol=1e-3)
    with pytest.raises(KeyError, match="not loaded"), host.active("other"):
        pass
