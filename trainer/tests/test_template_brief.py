"""Template descriptions derived from a template's records: instruction and answer form."""

import pytest

from t2l.tasks.template_brief import answer_form, template_descriptions, template_instruction


@pytest.mark.parametrize(
    ("completions", "form"),
    [
        (["Yes", "No", "Yes"], "Answer with one of: No, Yes."),
        ([str(i * 7 - 20) for i in range(12)], "Answer with a number."),
        (["5", "1", "3", "5"], "Answer with one of: 1, 3, 5."),  # a rating scale is a label set
        (["positive", "positive"], "Answer with a short phrase."),  # one label is not a set
        (["the red barn", "Paris", "a cat"] * 4, "Answer with one of: Paris, a cat, the red barn."),
        ([f"name {i}" for i in range(12)], "Answer with a short phrase."),
        ([" ".join(["word"] * 12) + f" {i}" for i in range(12)], "Answer with one sentence."),
        ([" ".join(["word"] * 60) + f" {i}" for i in range(12)], "Answer with a paragraph."),
        ([" ".join(["word"] * 300)], "Answer with a long text of several paragraphs."),
    ],
)
def test_answer_form(completions, form):
    assert answer_form(completions) == form


def test_answer_form_needs_an_answer():
    with pytest.raises(ValueError, match="non-empty completion"):
        answer_form(["", "  "])


def test_instruction_is_the_sentences_most_prompts_repeat():
    prompts = [f"Read the review below carefully. Title: {i}\nBody text {i} here.\n"
               f"Is this review positive or negative?" for i in range(9)]
    prompts.append("Is this review positive or negative? A different layout entirely.")
    # 10/10 share the question, 9/10 the first sentence; "Title:" is a label, not an instruction.
    assert template_instruction(prompts) == (
        "Read the review below carefully. Is this review positive or negative?")


@pytest.mark.parametrize("prompts", [[], [f"Record text {i} and no template." for i in range(5)]])
def test_no_repeated_sentence_means_no_instruction(prompts):
    assert template_instruction(prompts) == ""


def test_descriptions_put_the_template_after_each_dataset_description():
    prompts = [f"Write a title for this article. Text {i} goes on." for i in range(3)]
    completions = ["A title here", "Other title words", "Third one"]
    descriptions = template_descriptions(["About news.", "News data."], prompts, completions, 1)
    specific = "Write a title for this article. Answer with one of: A title here, Other " \
               "title words, Third one."
    assert descriptions == [specific, f"About news. {specific}"]
    with pytest.raises(ValueError, match="count must be >= 1"):
        template_descriptions(["About news."], prompts, completions, 0)
