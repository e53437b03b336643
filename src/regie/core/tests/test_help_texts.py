"""The inline explanations (``{% explain %}``): one home, keyboard-reachable, never empty."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.template import Context, Template
from django.utils import translation

import regie
from regie.core.help_texts import HELP_TEXTS, UnknownHelpText, help_text

EXPLAIN_TAG = re.compile(r"""{%\s*explain\s+(["'])(?P<key>[^"']+)\1\s*%}""")


def render(source: str, **context: object) -> str:
    return Template("{% load regie %}" + source).render(Context(context))


def test_explain_renders_a_disclosure_with_question_and_answer() -> None:
    with translation.override("en"):
        html = render('{% explain "toevalsmarge" %}')
    assert '<details class="regie-help">' in html
    assert '<summary class="regie-help__question">What is the margin of chance?</summary>' in html
    assert "by chance alone" in html
    assert html.count("<p") == 1


def test_explain_takes_the_key_from_a_variable() -> None:
    with translation.override("en"):
        html = render("{% explain word %}", word="nulmeting")
    assert "What is a baseline?" in html


@pytest.mark.parametrize("source", ['{% explain "no-such-word" %}', "{% explain word %}"])
def test_an_unknown_key_is_an_error_not_an_empty_explanation(source: str) -> None:
    with pytest.raises(UnknownHelpText, match="known: "):
        render(source, word="Toevalsmarge")


def test_every_key_used_in_a_template_exists() -> None:
    package = Path(regie.__file__).parent
    used: dict[str, list[str]] = {}
    for path in package.rglob("*.html"):
        if "node_modules" in path.parts:
            continue
        for match in EXPLAIN_TAG.finditer(path.read_text(encoding="utf-8")):
            used.setdefault(match["key"], []).append(str(path.relative_to(package)))
    unknown = {key: paths for key, paths in used.items() if key not in HELP_TEXTS}
    assert unknown == {}


@pytest.mark.parametrize("key", sorted(HELP_TEXTS))
def test_every_explanation_is_a_question_and_one_to_five_sentences(key: str) -> None:
    with translation.override("en"):
        text = help_text(key)
        question, answer = str(text.question), str(text.answer)
    assert question.endswith("?")
    sentences = [s for s in re.split(r"(?<=[.!?])\s+", answer) if s]
    # the status entry names five words, one sentence each; the others are short
    assert 1 <= len(sentences) <= (5 if key == "status" else 3), answer
    assert "%" not in question + answer  # never a stray format directive


@pytest.mark.parametrize("key", sorted(HELP_TEXTS))
def test_every_explanation_is_dutch_by_default(key: str) -> None:
    """From the compiled catalogue (a lost translation fails here)."""
    assert settings.LANGUAGE_CODE == "nl"
    with translation.override("nl"):
        text = help_text(key)
        dutch = str(text.question), str(text.answer)
    with translation.override("en"):
        english = str(text.question), str(text.answer)
    assert dutch[0] != english[0]
    assert dutch[1] != english[1]
    assert dutch[0].startswith(("Wat ", "Hoe "))


@pytest.mark.parametrize(
    ("value", "shown"), [(2025, "2025"), (1999.0, "1999"), ("2024H1", "2024H1"), (None, "")]
)
def test_the_year_filter_never_groups_digits(value: object, shown: str) -> None:
    with translation.override("nl"):
        assert render("{{ y|year }}", y=value) == shown
        assert render("{{ y }}", y=2025) == "2.025"  # what the filter is for
        assert (
            render(
                "{% load i18n %}{% blocktranslate with y=y|year %}in {{ y }}"
                "{% endblocktranslate %}",
                y=value,
            )
            == f"in {shown}"
        )
