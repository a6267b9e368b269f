"""A topic's words in a question's own text: word forms, compounds, and the prefixes the database
filters by before anything is analysed."""

from __future__ import annotations

import pytest

from bot.core.quiz.topic_words import TopicWords
from bot.core.search.analysis import Analyzer

ANALYZER = Analyzer()


def says(topic: str, *texts: str) -> bool:
    return TopicWords.of(topic, ANALYZER).matches(texts, ANALYZER)


def test_singular_and_plural_match_both_ways() -> None:
    assert says("pods", "What does a pod share?") and says("pod", "Which pods share a node?")


def test_camel_case_matches_the_words_apart() -> None:
    assert says("NetworkPolicy", "Which CNI plugins enforce network policies?")


def test_the_words_apart_match_camel_case() -> None:
    assert says("network policy", "Which CNI plugins enforce NetworkPolicies?")


def test_the_answer_and_choices_count() -> None:
    assert says("mutable", "Which keyword is it?", "mut", "a mutable binding")


def test_every_word_of_the_topic_must_be_there() -> None:
    assert not says("network policy", "Which network plugin do pods use?")


def test_a_topic_of_stop_words_says_nothing() -> None:
    words = TopicWords.of("what is the", ANALYZER)
    assert not words and not words.matches(["what is the answer"], ANALYZER)


@pytest.mark.parametrize("forms", [("policy", "policies", "NetworkPolicies"), ("hoping", "hope", "hoped"),
                                   ("mutable", "mutably"), ("containers", "container", "containerized"),
                                   ("pods", "pod")])
def test_every_form_of_a_word_holds_its_prefixes(forms: tuple[str, ...]) -> None:
    for topic in forms:
        prefixes = TopicWords.of(topic, ANALYZER).prefixes
        assert prefixes and all(p in form.lower() for p in prefixes for form in forms if says(topic, form))


def test_a_word_too_short_to_filter_by_gives_no_prefix() -> None:
    assert TopicWords.of("io", ANALYZER).prefixes == ()
