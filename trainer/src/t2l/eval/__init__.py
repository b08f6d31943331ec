"""Evaluation against baselines: metrics, code execution, scoring, methods and `t2l eval`."""
