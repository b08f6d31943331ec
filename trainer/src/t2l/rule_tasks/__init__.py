"""Rule tasks: text rules over plain sentences, where only the description says what to do."""

from t2l.rule_tasks.build import rule_tasks
from t2l.rule_tasks.rules import RULES, Rule

__all__ = ["RULES", "Rule", "rule_tasks"]
