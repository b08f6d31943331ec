"""Tiny models built in memory (no downloads): Llama, Qwen2 and GPT-2 shapes, a BERT encoder and
a character-level tokenizer with a chat template."""

from __future__ import annotations

import string

import pytest
import torch
from tokenizers import Regex, Tokenizer, decoders, models, pre_tokenizers
from transformers import (
    BertConfig,
    BertModel,
    GPT2Config,
    GPT2LMHeadModel,
    LlamaConfig,
    LlamaForCausalLM,
    PreTrainedTokenizerFast,
    Qwen2Config,
    Qwen2ForCausalLM,
)

from t2l.encoder import TaskEncoder

torch.set_num_threads(1)

SPECIALS = ["<pad>", "<unk>", "<s>", "</s>", "<|user|>", "<|assistant|>"]
VOCAB = SPECIALS + list(string.printable)
CHAT_TEMPLATE = (
    "{% for m in messages %}<|{{ m['role'] }}|>{{ m['content'] }}\n{% endfor %}"
    "{% if add_generation_prompt %}<|assistant|>{% endif %}"
)


def make_tokenizer() -> PreTrainedTokenizerFast:
    core = Tokenizer(models.WordLevel({tok: i for i, tok in enumerate(VOCAB)}, unk_token="<unk>"))
    core.pre_tokenizer = pre_tokenizers.Split(Regex(r"<\|\w+\|>|[\s\S]"), behavior="isolated")
    core.decoder = decoders.Fuse()
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=core,
        pad_token="<pad>",
        unk_token="<unk>",
        bos_token="<s>",
        eos_token="</s>",
        additional_special_tokens=["<|user|>", "<|assistant|>"],
    )
    tokenizer.chat_template = CHAT_TEMPLATE
    return tokenizer


def _tiny_decoder(model_cls, config_cls, **shape):
    torch.manual_seed(0)
    config = config_cls(
        vocab_size=len(VOCAB),
        hidden_size=32,
        intermediate_size=48,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=256,
        pad_token_id=0,
        bos_token_id=2,
        eos_token_id=3,
        **shape,
    )
    return model_cls(config).eval()


def make_llama() -> LlamaForCausalLM:
    return _tiny_decoder(LlamaForCausalLM, LlamaConfig, num_hidden_layers=2)


def make_qwen2() -> Qwen2ForCausalLM:
    return _tiny_decoder(
        Qwen2ForCausalLM, Qwen2Config, num_hidden_layers=3, tie_word_embeddings=True
    )


def make_gpt2() -> GPT2LMHeadModel:
    torch.manual_seed(0)
    return GPT2LMHeadModel(
        GPT2Config(
            vocab_size=len(VOCAB),
            n_embd=32,
            n_layer=2,
            n_head=4,
            n_positions=256,
            pad_token_id=0,
            bos_token_id=2,
            eos_token_id=3,
        )
    ).eval()


MODEL_FACTORIES = {"llama": make_llama, "qwen2": make_qwen2, "gpt2": make_gpt2}


@pytest.fixture
def tokenizer() -> PreTrainedTokenizerFast:
    return make_tokenizer()


@pytest.fixture
def llama() -> LlamaForCausalLM:
    return make_llama()


def make_encoder(cache_dir=None) -> TaskEncoder:
    torch.manual_seed(1)
    bert = BertModel(
        BertConfig(
            vocab_size=len(VOCAB),
            hidden_size=16,
            num_hidden_layers=1,
            num_attention_heads=2,
            intermediate_size=32,
            max_position_embeddings=512,
        )
    )
    return TaskEncoder(bert, make_tokenizer(), name="tiny-bert", cache_dir=cache_dir)


def perturb(module: torch.nn.Module, seed: int) -> None:
    """Add seeded noise to every weight: a fresh hypernetwork's B heads are zero, so every
    description gives the same (zero) LoRA until its weights are moved."""
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for parameter in module.parameters():
            parameter.add_(0.5 * torch.randn(parameter.shape, generator=generator))


@pytest.fixture
def encoder(tmp_path) -> TaskEncoder:
    return make_encoder(cache_dir=tmp_path / "embedding-cache")
