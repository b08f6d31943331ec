"""Publish a trained checkpoint as the committed part of a bundle (fp16 weights + config)."""

from t2l.publish.weights import publish_weights

__all__ = ["publish_weights"]
