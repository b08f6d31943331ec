"""Text-to-LoRA: generate LoRA adapters for a frozen causal LM from a task description."""

__version__ = "0.1.0"
