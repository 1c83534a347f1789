"""Words are counted as the editor counts them, whether a text was counted before or not."""

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from prfaq import content
from prfaq.content import Content, FaqEntry, count_words

WORDS = re.compile(r"\w+(?:[-'\u2019]\w+)*")


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=600) | st.text(min_size=200, max_size=600), st.integers(1, 3))
def test_a_text_counts_the_same_every_time_it_is_counted(text, times):
    """Counts of texts long enough to be remembered (by their digest) are those of texts
    counted afresh, however often a text is counted; a lone surrogate is counted too."""
    for _ in range(times):
        assert count_words(text) == len(WORDS.findall(text))
    assert count_words(text + "\ud800" * 200) == len(WORDS.findall(text))


def test_a_changed_text_is_counted_again():
    text = "Landlords chase late rent by hand every month. " * 10
    assert count_words(text) == 80
    assert count_words(text + "Tenants forget.") == 82
    assert count_words(text.replace("late rent", "rent")) == 70


def test_the_remembered_counts_stay_bounded(monkeypatch):
    monkeypatch.setattr(content, "_counted", {})
    for i in range(content._COUNTED_MAX + 10):
        assert count_words(f"{i} " + "word " * 60) == 61
    assert 0 < len(content._counted) <= content._COUNTED_MAX


def test_a_documents_words_are_its_sections_and_its_faq():
    faq = (FaqEntry(question="Who pays?", answer="Landlords pay per unit."),)
    text = Content(sections={"headline": "Tide Alerts", "problem": "Rent is late."}, faq=faq)
    assert text.section_words("problem") == 3
    assert text.faq_words == 6
    assert text.word_count == 2 + 3 + 6
    assert text.word_count == 11  # asked again, from what it counted
