"""Rule tasks: what each rule answers, and the tasks built over the real data pack."""

import random

import pytest

from t2l.recipes.library_tasks import split_and_rule_tasks
from t2l.rule_tasks import RULES, rule_tasks
from t2l.rule_tasks import sentences as sentences_module
from t2l.rule_tasks.rules import RuleInput, words
from t2l.rule_tasks.sentences import plain_sentences, sentence_pool
from t2l.tasks import resolve_data_dir

SENTENCE = "The old ferry, they said, was late again."
BY_NAME = {rule.name: rule for rule in RULES}


def answer(name: str, sentence: str = SENTENCE) -> str:
    prompt, completion = BY_NAME[name].apply(RuleInput(sentence, random.Random(0), ("zebra",)))
    assert prompt == sentence
    return completion


@pytest.mark.parametrize(("name", "expected"), [
    ("nth_word_first", "The"),
    ("nth_word_third", "ferry"),
    ("nth_word_second_to_last", "late"),
    ("first_3_words", "The old ferry"),
    ("last_2_words", "late again"),
    ("contains_the_yes_no", "yes"),
    ("contains_a_true_false", "False"),
    ("contains_was_true_false", "True"),
    ("longer_than_8_yes_no", "no"),
    ("reverse_words", "again late was said they ferry old The"),
    ("sort_words", "again ferry late old said the they was"),
    ("uppercase", "THE OLD FERRY, THEY SAID, WAS LATE AGAIN."),
    ("title_case", "The Old Ferry They Said Was Late Again"),
    ("initials", "TOFTSWLA"),
    ("longest_word", "ferry"),
    ("shortest_word", "The"),
    ("snake_case", "the_old_ferry_they_said_was_late_again"),
    ("numbered_words", "1. The\n2. old\n3. ferry\n4. they\n5. said\n6. was\n7. late\n8. again"),
    ("drop_articles", "old ferry they said was late again"),
    ("json_text", '{"text": "The old ferry, they said, was late again."}'),
])
def test_each_rule_answers_from_the_sentence_alone(name, expected):
    assert answer(name) == expected


def test_words_keep_inner_apostrophes_and_hyphens_and_drop_punctuation():
    assert words("It's a well-known fact, isn't it?") == ["It's", "a", "well-known", "fact",
                                                         "isn't", "it"]


@pytest.mark.parametrize(("name", "right"), [
    ("option_in_sentence", lambda a, b: a if a in words(SENTENCE) else b),
    ("option_longer", lambda a, b: max(a, b, key=len)),
    ("option_alphabetical", lambda a, b: min(a, b, key=str.lower)),
])
def test_option_rules_offer_a_word_of_the_sentence_and_another_and_name_the_right_letter(
    name, right
):
    letters = set()
    for seed in range(20):
        item = RuleInput(SENTENCE, random.Random(seed), ("zebra", "Harbour", "they", "at"))
        prompt, completion = BY_NAME[name].apply(item)
        head, a_line, b_line = prompt.rsplit("\n", 2)
        assert head == f"{SENTENCE}\nOptions:"
        a, b = a_line.removeprefix("(A) "), b_line.removeprefix("(B) ")
        # One option from the sentence (3+ letters), one from elsewhere that it lacks.
        assert sum(w.lower() in {x.lower() for x in words(SENTENCE)} for w in (a, b)) == 1
        assert completion == ("(A)" if right(a, b) == a else "(B)")
        letters.add(completion)
    assert letters == {"(A)", "(B)"}


def test_rules_are_uniquely_named_and_each_has_ten_distinct_descriptions():
    assert len(BY_NAME) == len(RULES)
    assert all(len(set(rule.descriptions)) >= 10 for rule in RULES)
    # Rules of a family differ in their descriptions, never in their inputs: no two share one.
    texts = [d for rule in RULES for d in rule.descriptions]
    assert len(set(texts)) == len(texts)


def test_plain_sentences_keep_only_short_capitalised_letter_sentences():
    text = ("Short one. The council met on Tuesday to discuss the new road plans. "
            "It cost 5 million pounds to build the bridge. \"Quoted,\" she said to them all.")
    assert plain_sentences(text) == ["The council met on Tuesday to discuss the new road plans."]


@pytest.fixture(scope="module")
def built():
    return rule_tasks(train_limit=40, val_limit=8)


def test_rule_tasks_split_by_sentence_and_group_by_family(built):
    assert [t.name for t in built] == [rule.name for rule in RULES]
    by_name = {t.name: t for t in built}
    train = {e.prompt for e in by_name["uppercase"].train}
    val = {e.prompt for e in by_name["uppercase"].val}
    assert len(train) == 40 and len(val) == 8 and not train & val
    # Every rule reads the same sentences: only the description tells them apart.
    assert {e.prompt for e in by_name["reverse_words"].train} == train
    assert by_name["uppercase"].dataset == by_name["lowercase"].dataset == "rules_case"
    assert len({t.dataset for t in built}) == len({rule.family for rule in RULES})


def test_rule_tasks_are_the_same_every_build(built):
    again = rule_tasks(names=["option_longer", "initials"], train_limit=40, val_limit=8)
    first = {t.name: t for t in built}
    assert [t.name for t in again] == ["option_longer", "initials"]
    assert all(t == first[t.name] for t in again)


def test_sentences_come_only_from_training_tasks(monkeypatch):
    pool = sentence_pool(resolve_data_dir())
    assert len(pool) > 2000 and len(set(pool)) == len(pool)
    monkeypatch.setattr(sentences_module, "SOURCE_TASKS", ("xsum", "piqa"))
    with pytest.raises(ValueError, match=r"training tasks; \['piqa'\]"):
        sentence_pool(resolve_data_dir())


@pytest.mark.parametrize(("args", "message"), [
    ({"names": ["nope"]}, r"unknown rule names \['nope'\]"),
    ({"val_limit": 65}, r"val_limit must be in 0\.\.64"),
])
def test_bad_rule_arguments_name_the_flag(args, message):
    with pytest.raises(ValueError, match=message):
        rule_tasks(**args)


def test_split_and_rule_tasks_appends_the_rules_to_the_split():
    tasks = split_and_rule_tasks(names=["ag_news"], train_limit=3, val_limit=2,
                                 rules={"names": ["initials"], "train_limit": 3, "val_limit": 2})
    assert [t.name for t in tasks] == ["ag_news", "initials"]
    assert [len(t.train) for t in tasks] == [3, 3]


def test_an_option_rule_with_nothing_to_offer_says_so():
    item = RuleInput("An ox is at it.", random.Random(0), ("zebra",))
    with pytest.raises(ValueError, match="rule option_longer: no two options"):
        BY_NAME["option_longer"].apply(item)
