"""Text rules whose input says nothing of what to do: only the description does.

Every rule reads the same plain sentence (the multiple-choice rules add two options), so two
rules differ only in their descriptions. A hypernetwork fitting them cannot ignore what it is
told, unlike tasks whose prompts carry their instructions (all of T0's). Rules stay clear of the
held-out and development kinds: no counting, arithmetic, logic, dates or code.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass

ARTICLES = frozenset({"a", "an", "the"})
OPTION_DRAWS = 100  # redraws of an option pair the rule cannot tell apart (equal lengths)
ORDINALS = {1: "first", 2: "second", 3: "third", -1: "last", -2: "second-to-last"}


def words(sentence: str) -> list[str]:
    """The sentence's words, punctuation dropped (apostrophes and hyphens kept inside)."""
    return re.findall(r"[A-Za-z0-9][A-Za-z0-9'-]*", sentence)


@dataclass(frozen=True)
class RuleInput:
    sentence: str
    rng: random.Random  # seeded per (rule, sentence): the same prompt every time it is built
    distractors: tuple[str, ...]  # words of other sentences, for option rules


Apply = Callable[[RuleInput], tuple[str, str]]  # -> (prompt, completion)


@dataclass(frozen=True)
class Rule:
    name: str
    family: str  # rules of one family share a sampling turn (`--balance-by dataset`)
    descriptions: tuple[str, ...]
    apply: Apply


def _on_words(transform: Callable[[list[str]], str]) -> Apply:
    return lambda item: (item.sentence, transform(words(item.sentence)))


def _yes_no(test: Callable[[list[str]], bool], yes: str, no: str) -> Apply:
    return _on_words(lambda ws: yes if test(ws) else no)


def _described(templates: tuple[str, ...], **fields: str) -> tuple[str, ...]:
    return tuple(t.format(**fields) for t in templates)


NTH_WORD = (
    "Return the {ord} word of the sentence.",
    "Output only the {ord} word of the given text.",
    "Copy out the {ord} word of the sentence and nothing else.",
    "Reply with just the {ord} word that appears in the input.",
    "Which word comes {ord} in the sentence? Write that word.",
    "Extract the {ord} word from each sentence you are given.",
    "Give the {ord} word of the text, without punctuation.",
    "Pick out the sentence's {ord} word.",
    "Your answer is the {ord} word of the input sentence.",
    "Read the sentence and write down its {ord} word only.",
)
WORD_SPAN = (
    "Return the {side} {n} words of the sentence.",
    "Output only the {side} {n} words of the given text.",
    "Copy the {side} {n} words of the sentence, separated by spaces.",
    "Keep the {side} {n} words of the input and drop the rest.",
    "Shorten the sentence to its {side} {n} words.",
    "Write down the {side} {n} words that the sentence has, in order.",
    "Answer with the sentence's {side} {n} words, leaving out punctuation.",
    "Give just the {side} {n} words of each sentence.",
    "Trim the text so that only its {side} {n} words remain.",
    "From the sentence, extract the {side} {n} words.",
)
CONTAINS = (
    "Answer {yes} if the sentence contains the word '{word}', otherwise answer {no}.",
    "Does the text use the word '{word}'? Reply {yes} or {no}.",
    "Check whether '{word}' appears as a word in the sentence: {yes} if it does, {no} if not.",
    "Say {yes} when the sentence includes the word '{word}' and {no} when it does not.",
    "Is the word '{word}' in the sentence? Answer with {yes} or {no}.",
    "Decide if the sentence has the word '{word}' in it. Output {yes} or {no}.",
    "Look for the word '{word}' in the input; write {yes} if found, else {no}.",
    "Respond {yes} if '{word}' occurs among the sentence's words and {no} otherwise.",
    "Whether the sentence mentions the word '{word}': answer {yes} or {no}.",
    "Report {yes} or {no}: does the word '{word}' appear in the text?",
)
LONGER_THAN = (
    "Answer {yes} if the sentence has more than {n} words, otherwise {no}.",
    "Is the sentence longer than {n} words? Reply {yes} or {no}.",
    "Say {yes} when the text is over {n} words long and {no} when it is not.",
    "Check whether the sentence contains more than {n} words: {yes} or {no}.",
    "Decide if the input exceeds {n} words. Output {yes} or {no}.",
    "Does the sentence use more than {n} words? Answer with {yes} or {no}.",
    "Write {yes} for sentences of more than {n} words and {no} for shorter ones.",
    "Classify the sentence as long ({yes}, more than {n} words) or not ({no}).",
    "Respond {yes} if the word count is above {n}, else {no}.",
    "Tell whether the text runs past {n} words: {yes} or {no}.",
)
OPTIONS = (
    "Two options follow the sentence. {criterion} Answer (A) or (B).",
    "Choose between the options (A) and (B): {criterion_lower} Reply with the letter.",
    "{criterion} Give the option's letter in parentheses, (A) or (B).",
    "Pick the option that fits this rule: {criterion_lower} Answer (A) or (B).",
    "You get a sentence and two candidate words. {criterion} Output (A) or (B).",
    "Select (A) or (B). {criterion}",
    "Answer with the letter of the right option. {criterion}",
    "For each sentence with options (A) and (B): {criterion_lower} Write the letter.",
    "{criterion} Respond with (A) or (B) only.",
    "Decide which option is correct. {criterion} Reply (A) or (B).",
)


def _nth_word(k: int) -> Rule:
    ordinal = ORDINALS[k]
    return Rule(
        f"nth_word_{ordinal.replace('-', '_')}", "nth_word", _described(NTH_WORD, ord=ordinal),
        _on_words(lambda ws: ws[k - 1] if k > 0 else ws[k]),
    )


def _word_span(side: str, n: int) -> Rule:
    return Rule(
        f"{side}_{n}_words", "word_span", _described(WORD_SPAN, side=side, n=str(n)),
        _on_words(lambda ws: " ".join(ws[:n] if side == "first" else ws[-n:])),
    )


def _contains(word: str, yes: str, no: str) -> Rule:
    return Rule(
        f"contains_{word}_{yes.lower()}_{no.lower()}", "contains",
        _described(CONTAINS, word=word, yes=yes, no=no),
        _yes_no(lambda ws: word in (w.lower() for w in ws), yes, no),
    )


def _longer_than(n: int, yes: str, no: str) -> Rule:
    return Rule(
        f"longer_than_{n}_{yes.lower()}_{no.lower()}", "longer_than",
        _described(LONGER_THAN, n=str(n), yes=yes, no=no),
        _yes_no(lambda ws: len(ws) > n, yes, no),
    )


def _option_rule(name: str, criterion: str, pick: Callable[[str, str, str], str]) -> Rule:
    """Options are one word of the sentence and one word of another, in random order; `pick`
    (sentence, a, b) -> the right one. Pairs where `pick` cannot tell them apart are redrawn."""

    def apply(item: RuleInput) -> tuple[str, str]:
        inside = [w for w in words(item.sentence) if len(w) > 2]
        sentence_words = {w.lower() for w in words(item.sentence)}
        outside = [w for w in item.distractors if w.lower() not in sentence_words]
        for _ in range(OPTION_DRAWS if inside and outside else 0):
            a, b = item.rng.choice(inside), item.rng.choice(outside)
            if item.rng.random() < 0.5:
                a, b = b, a
            if right := pick(item.sentence, a, b):
                return f"{item.sentence}\nOptions:\n(A) {a}\n(B) {b}", (
                    "(A)" if right == a else "(B)")
        raise ValueError(f"rule {name}: no two options it can tell apart for {item.sentence!r}")

    text = _described(OPTIONS, criterion=criterion, criterion_lower=criterion[0].lower()
                      + criterion[1:])
    return Rule(name, "options", text, apply)


def _in_sentence(sentence: str, a: str, b: str) -> str:
    inside = {w.lower() for w in words(sentence)}
    return a if a.lower() in inside else b


def _longer(sentence: str, a: str, b: str) -> str:
    return "" if len(a) == len(b) else max(a, b, key=len)


def _alphabetical(sentence: str, a: str, b: str) -> str:
    return min(a, b, key=str.lower)


def _simple(name: str, family: str, transform: Callable[[list[str]], str],
            *descriptions: str) -> Rule:
    return Rule(name, family, descriptions, _on_words(transform))


def _sentence_rule(name: str, family: str, transform: Callable[[str], str],
                   *descriptions: str) -> Rule:
    return Rule(name, family, descriptions, lambda item: (item.sentence,
                                                          transform(item.sentence)))


def _json_quote(sentence: str) -> str:
    escaped = sentence.replace("\\", "\\\\").replace('"', '\\"')
    return f'{{"text": "{escaped}"}}'


RULES: tuple[Rule, ...] = (
    *(_nth_word(k) for k in ORDINALS),
    *(_word_span("first", n) for n in (2, 3, 4)),
    *(_word_span("last", n) for n in (2, 3)),
    *(_contains(w, yes, no) for w in ("the", "a") for yes, no in (("yes", "no"),
                                                                   ("True", "False"))),
    _contains("and", "yes", "no"),
    _contains("was", "True", "False"),
    *(_longer_than(n, "yes", "no") for n in (8, 12)),
    _longer_than(10, "True", "False"),
    _option_rule("option_in_sentence", "Which option is a word of the sentence?", _in_sentence),
    _option_rule("option_longer", "Which option is the longer word?", _longer),
    _option_rule("option_alphabetical", "Which option comes first in alphabetical order?",
                 _alphabetical),
    _simple(
        "reverse_words", "reorder", lambda ws: " ".join(reversed(ws)),
        "Write the words of the sentence in reverse order.",
        "Reverse the word order of the text, last word first.",
        "Output the sentence's words backwards, keeping each word intact.",
        "Read the sentence from its last word to its first and write it that way.",
        "Flip the order of the words in the input, without punctuation.",
        "Give the same words in the opposite order.",
        "Reorder the words so the sentence runs from end to start.",
        "Invert the sequence of words in the sentence.",
        "List the words of the text starting from the final one.",
        "Turn the sentence around word by word.",
    ),
    _simple(
        "sort_words", "reorder", lambda ws: " ".join(sorted(w.lower() for w in ws)),
        "Sort the words of the sentence alphabetically, in lowercase.",
        "Put the sentence's words in alphabetical order, all lowercase.",
        "Rearrange the words of the text from A to Z, written in lowercase.",
        "Write the words in dictionary order, lowercased, separated by spaces.",
        "Alphabetize the words of the input and write them in lower case.",
        "List every word of the sentence in alphabetical order, in lowercase.",
        "Order the words alphabetically; keep repeats and use lowercase.",
        "Give the sentence's words sorted A-Z, lowercased.",
        "Output the words of the sentence in alphabetical order without capitals.",
        "Arrange the text's words alphabetically and lowercase them.",
    ),
    _sentence_rule(
        "uppercase", "case", str.upper,
        "Rewrite the sentence in all capital letters.",
        "Convert the text to uppercase.",
        "Write the whole sentence in capitals.",
        "Output the same sentence with every letter uppercase.",
        "Capitalize every letter of the input.",
        "Turn the sentence into all caps, keeping punctuation.",
        "Repeat the text in upper case.",
        "Change all letters of the sentence to capitals.",
        "Shout the sentence: write it entirely in uppercase letters.",
        "Make every character of the sentence uppercase.",
    ),
    _sentence_rule(
        "lowercase", "case", str.lower,
        "Rewrite the sentence in all lowercase letters.",
        "Convert the text to lowercase.",
        "Write the whole sentence without any capital letters.",
        "Output the same sentence with every letter in lower case.",
        "Lowercase every letter of the input.",
        "Turn the sentence into all small letters, keeping punctuation.",
        "Repeat the text in lower case.",
        "Change all capitals in the sentence to small letters.",
        "Remove capitalization from the sentence.",
        "Make every character of the sentence lowercase.",
    ),
    _simple(
        "title_case", "case", lambda ws: " ".join(w[:1].upper() + w[1:].lower() for w in ws),
        "Capitalize the first letter of every word and lowercase the rest, dropping punctuation.",
        "Write the sentence in title case, without punctuation.",
        "Turn the text into a headline with each word capitalized.",
        "Make each word start with a capital letter and continue in lowercase.",
        "Rewrite the words of the sentence in Title Case.",
        "Output every word with an initial capital, the rest lowercase.",
        "Give the sentence as a title: capital first letters, lowercase elsewhere.",
        "Convert the input to title case and leave out punctuation marks.",
        "Capitalize each word of the sentence like a book title.",
        "Write the words of the text with only their first letters capitalized.",
    ),
    _simple(
        "initials", "letters", lambda ws: "".join(w[0].upper() for w in ws),
        "Form an acronym from the first letter of every word, in capitals.",
        "Write the initial letter of each word of the sentence, uppercase, with no spaces.",
        "Abbreviate the sentence to the capitalized first letters of its words.",
        "Output the first letters of all the words joined together in uppercase.",
        "Make an acronym of the sentence.",
        "Take the first character of each word and write them together as capitals.",
        "Give the sentence's initials in upper case, one letter per word.",
        "Reduce every word to its first letter, capitalized, and join them.",
        "Spell the acronym formed by the words of the text.",
        "Concatenate the uppercase initials of the words in the input.",
    ),
    _simple(
        "longest_word", "extreme_word", lambda ws: max(ws, key=len),
        "Return the longest word of the sentence (the first one if tied).",
        "Which word of the text has the most letters? Write it.",
        "Output the longest word in the sentence; on a tie, the earliest.",
        "Find the word with the greatest length and reply with it.",
        "Give the sentence's longest word.",
        "Pick out the longest word of the input, the first if several tie.",
        "Write the word that has the most characters.",
        "Answer with the longest word you find in the sentence.",
        "Identify the lengthiest word in the text.",
        "Extract the single longest word from the sentence.",
    ),
    _simple(
        "shortest_word", "extreme_word", lambda ws: min(ws, key=len),
        "Return the shortest word of the sentence (the first one if tied).",
        "Which word of the text has the fewest letters? Write it.",
        "Output the shortest word in the sentence; on a tie, the earliest.",
        "Find the word with the smallest length and reply with it.",
        "Give the sentence's shortest word.",
        "Pick out the shortest word of the input, the first if several tie.",
        "Write the word that has the fewest characters.",
        "Answer with the shortest word you find in the sentence.",
        "Identify the briefest word in the text.",
        "Extract the single shortest word from the sentence.",
    ),
    _simple(
        "comma_list", "join", ", ".join,
        "List the words of the sentence separated by commas.",
        "Write every word of the text as a comma-separated list.",
        "Split the sentence into words and join them with commas.",
        "Output the sentence's words in order, with a comma and space between them.",
        "Turn the sentence into a list of its words, comma-separated.",
        "Separate each word of the input with a comma.",
        "Give the words of the sentence as a comma-delimited list, without other punctuation.",
        "Rewrite the text so its words are divided by commas.",
        "Enumerate the words of the sentence inline, separated by commas.",
        "Put commas between all the words of the sentence.",
    ),
    _simple(
        "snake_case", "join", lambda ws: "_".join(w.lower() for w in ws),
        "Convert the sentence to snake_case: lowercase words joined by underscores.",
        "Write the text as one identifier in snake case.",
        "Join the words of the sentence with underscores, all lowercase.",
        "Turn the sentence into a snake_case variable name.",
        "Replace the spaces between words with underscores and lowercase everything.",
        "Output the sentence in snake_case without punctuation.",
        "Make a lowercase, underscore-separated string from the words of the input.",
        "Rewrite the words as snake case.",
        "Glue the sentence's words together with underscores in lower case.",
        "Format the text like a Python variable: lowercase words and underscores.",
    ),
    _simple(
        "numbered_words", "join", lambda ws: "\n".join(f"{i}. {w}" for i, w in enumerate(ws, 1)),
        "List the words of the sentence one per line, numbered 1., 2., 3. and so on.",
        "Write each word of the text on its own numbered line.",
        "Turn the sentence into a numbered list of its words.",
        "Put every word on a new line, preceded by its position and a period.",
        "Enumerate the sentence's words vertically with numbers.",
        "Output a numbered list with one word of the input per item.",
        "Break the sentence into numbered lines, one word each.",
        "Number the words of the text and write one per line.",
        "Give the words of the sentence as an ordered list.",
        "Make a line-by-line numbered listing of the words.",
    ),
    _simple(
        "drop_articles", "filter", lambda ws: " ".join(w for w in ws if w.lower() not in ARTICLES),
        "Remove the articles (a, an, the) from the sentence and drop punctuation.",
        "Write the sentence's words without any 'a', 'an' or 'the'.",
        "Delete every article from the text and keep the other words in order.",
        "Strip the words a, an and the out of the sentence.",
        "Output the sentence minus its articles, without punctuation.",
        "Rewrite the text leaving out all definite and indefinite articles.",
        "Keep every word of the sentence except the articles.",
        "Filter out 'the', 'a' and 'an' and write the remaining words.",
        "Give the sentence in telegraphic style: no articles, no punctuation.",
        "Cut the articles from the input and join the rest with spaces.",
    ),
    _sentence_rule(
        "json_text", "format", _json_quote,
        'Wrap the sentence in a JSON object under the key "text".',
        'Output {"text": ...} holding the sentence as a JSON string.',
        'Return the input as JSON with a single field named "text".',
        'Encode the sentence as a JSON object whose "text" value is the sentence.',
        'Put the text into a one-key JSON object, key "text".',
        "Format the sentence as JSON: an object with the sentence under text.",
        'Produce a JSON object {"text": sentence} for the input.',
        'Serialize the sentence into JSON under the "text" key, escaping quotes.',
        'Give a JSON record containing the sentence in its "text" field.',
        'Respond with JSON: {"text": "<the sentence>"}.',
    ),
)
