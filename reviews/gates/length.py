"""Length: a press release of about one page, an FAQ of at most about five.

The format's force is its brevity: a reader should finish the press release
in two minutes, and leaders read the whole document in the meeting.
"""

from collections.abc import Iterator

from reviews.gates import gate
from reviews.gates.base import Draft, Finding, Severity

WORDS_PER_PAGE = 550
PRESS_RELEASE_PAGES = 1.2  # "about one page"
FAQ_PAGES = 5


@gate("length")
def length(draft: Draft) -> Iterator[Finding]:
    press_release = sum(draft.content.section_words(s.key) for s in draft.outline.text_sections)
    limit = int(WORDS_PER_PAGE * PRESS_RELEASE_PAGES)
    if press_release > limit:
        first = draft.outline.text_sections[0].key
        yield Finding(
            gate="length",
            severity=Severity.WARNING,
            section=first,
            message=(
                f"The press release runs to {press_release:,} words, more than about one page "
                f"({limit:,}). Cut it until a reader finishes it in two minutes."
            ),
        )
    faq_words = draft.content.faq_words
    faq_limit = WORDS_PER_PAGE * FAQ_PAGES
    if faq_words > faq_limit:
        yield Finding(
            gate="length",
            severity=Severity.WARNING,
            section="faq",
            message=(
                f"The FAQ runs to {faq_words:,} words, more than about five pages "
                f"({faq_limit:,}). Keep the questions a leader would really ask."
            ),
        )
